#include <cstdio>
#include <cstdlib>

#include "chunks.hpp"

namespace werkstatt::fuzz {

void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::abort();
}

}  // namespace werkstatt::fuzz
