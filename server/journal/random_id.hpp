#pragma once
// Random identities of the journals (incarnations, node suffixes): 32 hex
// digits from std::random_device. Thread safety: safe from any thread.
#include <string>

namespace werkstatt::journal {

[[nodiscard]] std::string random_hex_id();

}  // namespace werkstatt::journal
