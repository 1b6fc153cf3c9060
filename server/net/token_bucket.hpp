#pragma once
// A token bucket: holds at most `burst` tokens and earns `amount` tokens per
// `period`; an action that finds a whole token spends it. The one helper
// behind the per-connection op and presence rates (websocket_session) and the
// per-address wrong-credential limit (GuessLimiter).
//
// Refill is computed as elapsed seconds × amount / period seconds, so whole
// periods earn whole tokens exactly (10 s at 6 per minute is 1.0, not
// 0.99999…). Time going backwards earns nothing.
//
// Thread safety: none; the owner serialises access (a strand or a mutex).
#include <algorithm>
#include <chrono>

namespace werkstatt::net {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  struct Rate {
    double amount = 1;                   // tokens earned …
    std::chrono::duration<double> period{1.0};  // … per this period
  };

  // A bucket that starts full at `now`.
  TokenBucket(double burst, Clock::time_point now) : tokens_(burst), at_(now) {}

  // Adds what was earned since the last refill, up to `burst`.
  void refill(Rate rate, double burst, Clock::time_point now) {
    const double seconds = std::max(0.0, std::chrono::duration<double>(now - at_).count());
    tokens_ = std::min(burst, tokens_ + seconds * rate.amount / rate.period.count());
    at_ = std::max(at_, now);
  }
  // Refills, then spends one token if there is a whole one.
  [[nodiscard]] bool take(Rate rate, double burst, Clock::time_point now) {
    refill(rate, burst, now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }
  // Spends one token even if not whole (never below zero): a wrong credential always costs.
  void spend() { tokens_ = std::max(0.0, tokens_ - 1.0); }

  [[nodiscard]] double tokens() const { return tokens_; }
  [[nodiscard]] Clock::time_point last_refill() const { return at_; }
  // Seconds until a whole token is there (0 if one is).
  [[nodiscard]] double seconds_until_token(Rate rate) const {
    return tokens_ >= 1.0 ? 0.0 : (1.0 - tokens_) / rate.amount * rate.period.count();
  }

 private:
  double tokens_;
  Clock::time_point at_;
};

}  // namespace werkstatt::net
