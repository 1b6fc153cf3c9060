#include "random_id.hpp"

#include <cstdint>
#include <random>

namespace werkstatt::journal {

std::string random_hex_id() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    std::uint32_t v = rd();
    for (int b = 0; b < 8; ++b, v >>= 4) out.push_back(hex[v & 0xF]);
  }
  return out;
}

}  // namespace werkstatt::journal
