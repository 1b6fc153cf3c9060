#pragma once
// A board that tests apply ops to as someone: ok() asserts the op is accepted
// and every invariant holds; rejected() asserts it is refused with a reason
// and the board is byte-for-byte unchanged. Catch2 assertions; test thread only.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "werkstatt/board/board.hpp"

namespace werkstatt::test {

struct BoardFixture {
  board::Board board;
  std::int64_t now;      // the time ops are applied at (ms since the epoch)
  std::int64_t tick_ms;  // how far `now` moves before each op

  explicit BoardFixture(std::int64_t start_ms, std::int64_t tick = 0) : now(start_ms), tick_ms(tick) {}

  board::ApplyResult apply(const v1::Op& op, std::string_view author) {
    now += tick_ms;
    return board.apply(op, author, now);
  }

  v1::Event ok(const v1::Op& op, std::string_view author = board::kSystemAuthor) {
    board::ApplyResult r = apply(op, author);
    INFO(op.ShortDebugString() << " by " << author);
    if (!r.ok()) FAIL("rejected: " << r.rejection().reason);
    if (const auto broken = board.check_invariants()) FAIL("invariant: " << *broken);
    return r.event();
  }

  v1::RejectCode rejected(const v1::Op& op, std::string_view author = board::kSystemAuthor) {
    const std::string before = board.serialize();
    board::ApplyResult r = apply(op, author);
    INFO(op.ShortDebugString() << " by " << author);
    REQUIRE_FALSE(r.ok());
    CHECK_FALSE(r.rejection().reason.empty());
    CHECK(board.serialize() == before);
    return r.rejection().code;
  }
};

}  // namespace werkstatt::test
