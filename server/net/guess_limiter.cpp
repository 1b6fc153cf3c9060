#include "guess_limiter.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace werkstatt::net {

std::string GuessLimiter::key_of(std::string_view address) {
  boost::system::error_code ec;
  const auto parsed = boost::asio::ip::make_address(std::string(address), ec);
  if (ec || !parsed.is_v6() || parsed.to_v6().is_v4_mapped()) return std::string(address);
  auto bytes = parsed.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

GuessLimiter::Bucket* GuessLimiter::refreshed(const std::string& key, Clock::time_point now) {
  const auto it = buckets_.find(key);
  if (it == buckets_.end()) return nullptr;
  Bucket& b = it->second;
  b.refill(rate(), options_.burst, now);
  if (b.tokens() >= options_.burst) {  // full again: nothing left to remember
    buckets_.erase(it);
    return nullptr;
  }
  return &b;
}

bool GuessLimiter::allowed(std::string_view address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const Bucket* b = refreshed(key_of(address), now);
  return !b || b->tokens() >= 1.0;
}

void GuessLimiter::failed(std::string_view address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const std::string key = key_of(address);
  Bucket* b = refreshed(key, now);
  if (!b) {
    if (buckets_.size() >= options_.max_addresses) make_room(now);
    b = &buckets_.emplace(key, Bucket(options_.burst, now)).first->second;
  }
  b->spend();
}

int GuessLimiter::retry_after_seconds(std::string_view address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const Bucket* b = refreshed(key_of(address), now);
  if (!b) return 0;
  return static_cast<int>(std::ceil(b->seconds_until_token(rate())));
}

std::size_t GuessLimiter::tracked() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void GuessLimiter::make_room(Clock::time_point now) {
  // First forget buckets that have refilled; then the least recently used half.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Bucket refilled = it->second;
    refilled.refill(rate(), options_.burst, now);
    if (refilled.tokens() >= options_.burst) it = buckets_.erase(it);
    else ++it;
  }
  if (buckets_.size() < options_.max_addresses) return;
  std::vector<Clock::time_point> times;
  times.reserve(buckets_.size());
  for (const auto& [key, b] : buckets_) times.push_back(b.last_refill());
  auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const Clock::time_point cutoff = *middle;
  std::erase_if(buckets_, [&](const auto& entry) { return entry.second.last_refill() <= cutoff; });
}

}  // namespace werkstatt::net
