#pragma once
// How the fuzz targets cut one libFuzzer input into a sequence of records:
//   [tag: 1 byte][length: 2 bytes, little-endian][length bytes] …
// A truncated tail is dropped. The tag picks something per record (the actor
// of an op, the kind of a journal record); make_seeds.cpp writes the same
// framing, so the seed corpora start from meaningful sequences.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace werkstatt::fuzz {

struct Chunk {
  std::uint8_t tag = 0;
  std::string_view bytes;
};

class Chunks {
 public:
  Chunks(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}

  bool next(Chunk& out) {
    if (end_ - p_ < 3) return false;
    const std::size_t len = static_cast<std::size_t>(p_[1]) | (static_cast<std::size_t>(p_[2]) << 8);
    if (static_cast<std::size_t>(end_ - p_ - 3) < len) return false;
    out.tag = p_[0];
    out.bytes = std::string_view(reinterpret_cast<const char*>(p_ + 3), len);
    p_ += 3 + len;
    return true;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

inline void append_chunk(std::string& out, std::uint8_t tag, std::string_view bytes) {
  out.push_back(static_cast<char>(tag));
  out.push_back(static_cast<char>(bytes.size() & 0xff));
  out.push_back(static_cast<char>((bytes.size() >> 8) & 0xff));
  out.append(bytes.substr(0, 0xffff));
}

// A failed check: print what broke and abort, so libFuzzer keeps the input.
[[noreturn]] void fail(const std::string& what);

}  // namespace werkstatt::fuzz
