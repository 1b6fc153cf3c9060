#pragma once
// Renders board state as one readable, comparable string, so a test asserts
// on everything at once and a failure shows what differs.
#include <string>

#include "werkstatt/v1/board.pb.h"

namespace werkstatt::test {
[[nodiscard]] std::string render(const v1::BoardState& state);
}
