#pragma once
// Boards in the middle of a session, the starting points of the
// ClientMessage target: the Impuls-Werkstatt template with a facilitator
// (p0), two participants (p1, p2) and an observer (p3), and
//   0: the open board with notes, a cluster and a locked area,
//   1: a private collect phase with unrevealed notes of p1 and p2,
//   2: a vote phase with an open round and ballots.
// Built once; each input starts from a copy.
#include <array>
#include <string>
#include <vector>

#include "chunks.hpp"
#include "support/ops.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/templates.hpp"

namespace werkstatt::fuzz {

inline constexpr std::array<const char*, 6> kActors = {"", "p0", "p1", "p2", "p3", "stranger"};

namespace detail {
inline void must(board::Board& b, const v1::Op& op, std::string_view author) {
  board::ApplyResult r = b.apply(op, author, 1'000'000 + static_cast<std::int64_t>(b.seq()) * 1000);
  if (!r.ok()) fail("live board setup refused " + op.ShortDebugString() + ": " + r.rejection().reason);
}
}  // namespace detail

inline std::vector<board::Board> make_live_boards() {
  namespace ops = werkstatt::test::ops;
  using detail::must;
  board::Board base;
  for (const v1::Op& op : board::template_ops(board::kImpulsWerkstattTemplate, "de", "Fuzz")) must(base, op, "");
  must(base, ops::join("p0", "Moderation", v1::ROLE_FACILITATOR), "");
  must(base, ops::join("p1", "Anna", v1::ROLE_PARTICIPANT), "");
  must(base, ops::join("p2", "Ben", v1::ROLE_PARTICIPANT), "");
  must(base, ops::join("p3", "Beamer", v1::ROLE_OBSERVER), "");

  board::Board open = base;
  must(open, ops::create_note("n1", "ÖPNV im Takt", 10, 10, "herausforderungen"), "p1");
  must(open, ops::create_note("n2", "Radwege", 40, 10, "herausforderungen"), "p2");
  must(open, ops::create_note("n3", "Wohnen", 10, 40, "chancen"), "p0");
  must(open, ops::create_cluster("c1", "Verkehr", {"n1", "n2"}), "p0");
  must(open, ops::lock_area("loesungsansaetze", true), "p0");

  board::Board collect = base;
  must(collect, ops::go_to("ankommen"), "p0");  // phases go forward one at a time
  must(collect, ops::go_to("sammeln", true), "p0");
  must(collect, ops::create_note("n1", "geheim 1", 10, 10, "herausforderungen"), "p1");
  must(collect, ops::create_note("n2", "geheim 2", 40, 10, "chancen"), "p2");
  must(collect, ops::create_note("n3", "geheim 3", 70, 10, "chancen"), "p2");

  board::Board vote = open;
  for (const char* phase : {"ankommen", "sammeln", "clustern", "bewerten"}) must(vote, ops::go_to(phase), "p0");
  must(vote, ops::open_round("r1", 5, 3, false), "p0");
  must(vote, ops::vote("n1"), "p1");
  must(vote, ops::vote("n2"), "p2");
  return {std::move(open), std::move(collect), std::move(vote)};
}

}  // namespace werkstatt::fuzz
