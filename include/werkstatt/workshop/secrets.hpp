#pragma once
// Random identifiers and secrets, and how secrets are compared.
//
// - Ids (workshops, participants) are random so they cannot be enumerated;
//   they are not secret and satisfy board::valid_id.
// - Tokens (facilitator, observer, participant resume secrets) carry 256 bits
//   from OpenSSL's CSPRNG, URL-safe base64 without padding (43 characters),
//   so they survive links, QR codes and copy-paste.
// - The server keeps only SHA-256 digests of tokens; a presented token is
//   hashed and compared in constant time, so neither timing nor a leaked
//   journal reveals a usable secret.
// - Join codes are short on purpose (people type them from a projector) and
//   use an alphabet without look-alikes (no 0/O, 1/I/L).
//
// Thread safety: every function may be called from any thread.
#include <string>
#include <string_view>

namespace werkstatt::workshop {

// 6 characters of the join-code alphabet: 31^6 ≈ 8.9·10^8 codes.
inline constexpr std::size_t kJoinCodeLength = 6;
inline constexpr std::string_view kJoinCodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

// `bytes` random bytes as lowercase base32 ([a-z2-7]). Aborts if the CSPRNG
// fails: running on without randomness would hand out guessable secrets.
[[nodiscard]] std::string random_base32(std::size_t bytes);
// 32 random bytes, URL-safe base64 without padding.
[[nodiscard]] std::string random_token();
[[nodiscard]] std::string random_join_code();
// What a person typed, made comparable: upper case, spaces and dashes dropped.
[[nodiscard]] std::string normalise_join_code(std::string_view typed);

// The raw 32-byte SHA-256 digest of `data`.
[[nodiscard]] std::string sha256(std::string_view data);
// True if `presented` hashes to `digest`. Constant time in the content
// (CRYPTO_memcmp over fixed-size digests). An empty digest never matches.
[[nodiscard]] bool matches_digest(std::string_view presented, std::string_view digest);

}  // namespace werkstatt::workshop
