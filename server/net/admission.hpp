#pragma once
// Admission limits that fit a venue: many people behind one NAT address,
// some of them mistyping, must not lock each other (or everyone) out.
//
// - Wrong join codes are counted per (client address, workshop) and per
//   workshop. An address that spent its own budget on a workshop waits
//   (RATE_LIMITED) for that workshop only; once a workshop's overall budget
//   is spent (many addresses guessing), join codes for new identities are
//   checked only for addresses with a clean record there. A code is never
//   refused because *another* address guessed wrong, unless the workshop as
//   a whole is under a distributed guessing attack, and then only for
//   addresses that guessed wrong themselves.
// - Participant id + secret (resume) and facilitator/observer tokens are
//   256-bit secrets: never held back by any of this (wrong ones are logged).
// - New identities are budgeted per (address, workshop) and per workshop, so
//   one client cannot mint throw-away identities until the workshop is full.
// - Unknown workshop ids and unknown codes at /api/join (which names no
//   workshop) are counted per address (GuessLimiter's /64 rule for IPv6).
//
// Thread safety: every member may be called from any thread.
#include <string>
#include <string_view>

#include "guess_limiter.hpp"

namespace werkstatt::net {

struct AdmissionOptions {
  // Per (address, workshop): 30 typos, then one every 2 s. A kiosk's typos
  // slow that kiosk's venue for this workshop by seconds, not minutes.
  GuessLimiter::Options codes_per_client{30, 30, 100'000};
  // Per workshop, from everyone: 8.9·10^8 codes at 120 a minute is
  // ~3.7 million minutes to find one by guessing from many addresses.
  GuessLimiter::Options codes_per_workshop{300, 120, 100'000};
  // New identities per (address, workshop): a venue of 150 people with two
  // devices each joins at once (burst 400); beyond that one a second.
  GuessLimiter::Options identities_per_client{400, 60, 100'000};
  // New identities per workshop from everyone: the participant limit (500)
  // at once, then 300 a minute.
  GuessLimiter::Options identities_per_workshop{500, 300, 100'000};
};

class Admission {
 public:
  explicit Admission(AdmissionOptions options = {});

  // Whether a join code from `address` may be checked for `workshop` now.
  [[nodiscard]] bool may_try_join_code(std::string_view address, std::string_view workshop);
  // A wrong join code: costs `address` (for this workshop) and the workshop.
  void wrong_join_code(std::string_view address, std::string_view workshop);
  // Seconds until `address` may try a code for `workshop` again.
  [[nodiscard]] int retry_after_seconds(std::string_view address, std::string_view workshop);
  // Takes one new identity from both budgets; false (and takes nothing) if
  // either is spent.
  [[nodiscard]] bool take_identity(std::string_view address, std::string_view workshop);

 private:
  static std::string key(std::string_view address, std::string_view workshop);
  GuessLimiter codes_per_client_;
  GuessLimiter codes_per_workshop_;
  GuessLimiter identities_per_client_;
  GuessLimiter identities_per_workshop_;
};

}  // namespace werkstatt::net
