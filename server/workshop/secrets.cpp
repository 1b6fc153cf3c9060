#include "werkstatt/workshop/secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace werkstatt::workshop {
namespace {

std::vector<unsigned char> random_bytes(std::size_t n) {
  std::vector<unsigned char> out(n);
  if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) {
    std::fputs("werkstatt: the system random generator failed; refusing to create guessable secrets\n", stderr);
    std::abort();
  }
  return out;
}

}  // namespace

std::string random_base32(std::size_t bytes) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  const auto raw = random_bytes(bytes);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const unsigned char b : raw) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31u]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31u]);
  return out;
}

std::string random_token() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const auto raw = random_bytes(32);
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const unsigned v = (unsigned{raw[i]} << 16) | (unsigned{raw[i + 1]} << 8) | raw[i + 2];
    out.push_back(kAlphabet[(v >> 18) & 63u]);
    out.push_back(kAlphabet[(v >> 12) & 63u]);
    out.push_back(kAlphabet[(v >> 6) & 63u]);
    out.push_back(kAlphabet[v & 63u]);
  }
  // 32 = 30 + 2: two bytes left, three characters, no padding.
  const unsigned v = (unsigned{raw[i]} << 16) | (unsigned{raw[i + 1]} << 8);
  out.push_back(kAlphabet[(v >> 18) & 63u]);
  out.push_back(kAlphabet[(v >> 12) & 63u]);
  out.push_back(kAlphabet[(v >> 6) & 63u]);
  return out;
}

std::string random_join_code() {
  // Rejection sampling keeps every character equally likely (256 is not a
  // multiple of 31).
  std::string out;
  while (out.size() < kJoinCodeLength) {
    for (const unsigned char b : random_bytes(16)) {
      if (b >= 248) continue;  // 248 = 8 · 31
      out.push_back(kJoinCodeAlphabet[b % kJoinCodeAlphabet.size()]);
      if (out.size() == kJoinCodeLength) break;
    }
  }
  return out;
}

std::string normalise_join_code(std::string_view typed) {
  std::string out;
  for (const char c : typed) {
    if (c == ' ' || c == '-') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

std::string sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

bool matches_digest(std::string_view presented, std::string_view digest) {
  if (digest.size() != SHA256_DIGEST_LENGTH) return false;
  const std::string mine = sha256(presented);
  return CRYPTO_memcmp(mine.data(), digest.data(), SHA256_DIGEST_LENGTH) == 0;
}

}  // namespace werkstatt::workshop
