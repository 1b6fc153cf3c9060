#pragma once
// Bounds how fast one client address can guess credentials.
//
// Join codes are short on purpose (people type them from a projector): 31^6
// ≈ 8.9·10^8 codes, found by GET /api/join/{code} or a Hello. So every wrong
// credential (an unknown join code, a bad token, an unknown workshop id)
// costs its address a token from a bucket; an address with an empty bucket
// is refused (429 / Error RATE_LIMITED) until it refills. Right credentials
// cost nothing, so a venue of 150 people behind one NAT address is only
// slowed by its typos, and the defaults leave room for many of those.
//
// Addresses are keyed as they would be rotated: an IPv4 address alone, an
// IPv6 address by its /64 prefix (one host usually holds the whole /64).
// At most Options::max_addresses are tracked; full buckets are forgotten
// first, and when an attacker with more addresses than that fills the
// table, the oldest entries go (each still guesses at the bounded rate).
//
// Thread safety: every member may be called from any thread.
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "token_bucket.hpp"

namespace werkstatt::net {

class GuessLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    double burst = 60;                 // wrong credentials an address may send at once
    double per_minute = 30;            // and then per minute: ~15 million minutes to find a code
    std::size_t max_addresses = 100'000;
  };

  GuessLimiter() : GuessLimiter(Options{}) {}
  explicit GuessLimiter(Options options) : options_(options) {}

  // Whether `address` may present a credential now. Costs nothing.
  [[nodiscard]] bool allowed(std::string_view address, Clock::time_point now = Clock::now());
  // `address` presented a wrong credential: one token less.
  void failed(std::string_view address, Clock::time_point now = Clock::now());
  // Seconds until `address` may try again (0 if it may now).
  [[nodiscard]] int retry_after_seconds(std::string_view address, Clock::time_point now = Clock::now());

  [[nodiscard]] std::size_t tracked() const;
  // The table key of an address: IPv4 as is, IPv6 by its /64 prefix.
  [[nodiscard]] static std::string key_of(std::string_view address);

 private:
  using Bucket = TokenBucket;
  [[nodiscard]] TokenBucket::Rate rate() const { return {options_.per_minute, std::chrono::minutes(1)}; }
  // The bucket refilled up to `now`; null if `key` is not tracked (full).
  Bucket* refreshed(const std::string& key, Clock::time_point now);
  void make_room(Clock::time_point now);

  const Options options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace werkstatt::net
