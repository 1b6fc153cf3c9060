// Identities at the workshop's limits: who holds one of the 500 places, which
// identities the server may forget at the identity cap (ForgetParticipants),
// and "Person N" numbers that are never handed out twice.
#include <catch2/catch.hpp>

#include "support/board_fixture.hpp"
#include "support/ops.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/limits.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;

namespace {

constexpr std::int64_t kNow = 1'764'158'400'000;

struct People : test::BoardFixture {
  People() : BoardFixture(kNow) {}

  void visit(const std::string& id, v1::Role role = v1::ROLE_PARTICIPANT) {  // joins and leaves again
    ok(ops::join(id, id, role));
    ok(ops::leave(id));
  }
  std::uint32_t number_of(const std::string& id) const { return board.participant(id)->pseudonym_number(); }
};

}  // namespace

TEST_CASE("forgetting: only offline identities nothing refers to, and only by the server", "[board][identities]") {
  People w;
  w.ok(ops::join("fac", "Moderation", v1::ROLE_FACILITATOR));
  w.visit("idle");                          // came and went: forgettable
  w.visit("idle-fac", v1::ROLE_FACILITATOR);  // a facilitator identity is kept
  w.visit("beamer", v1::ROLE_OBSERVER);     // an observer never acts: forgettable
  w.ok(ops::join("here", "here", v1::ROLE_PARTICIPANT));  // online
  w.ok(ops::join("wrote", "wrote", v1::ROLE_PARTICIPANT));
  w.ok(ops::create_note("n1", "Radwege"), "wrote");
  w.ok(ops::leave("wrote"));  // acted: its note names it
  w.ok(ops::join("voter", "voter", v1::ROLE_PARTICIPANT));
  w.ok(ops::open_round("r1"), "fac");
  w.ok(ops::close_round("r1"), "fac");
  w.ok(ops::leave("voter"));  // online while a round was open: it may have voted unseen
  w.visit("late");            // after the round: forgettable

  CHECK(w.board.forgettable_participants(100) == std::vector<std::string>{"idle", "beamer", "late"});
  CHECK(w.board.forgettable_participants(2) == std::vector<std::string>{"idle", "beamer"});

  CHECK(w.rejected(ops::forget({"idle"}), "fac") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(w.rejected(ops::forget({})) == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(w.rejected(ops::forget({"idle", "idle"})) == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(w.rejected(ops::forget({"nobody"})) == v1::REJECT_CODE_UNKNOWN_OBJECT);
  for (const char* kept : {"fac", "idle-fac", "here", "wrote", "voter"}) {
    INFO(kept);
    CHECK(w.rejected(ops::forget({"idle", kept})) == v1::REJECT_CODE_INVALID_FIELD);  // all or none
  }

  const v1::Event e = w.ok(ops::forget({"late", "beamer", "idle"}));
  CHECK(e.op().forget_participants().participant_ids().size() == 3);
  CHECK(e.op().forget_participants().participant_ids()[0] == "beamer");  // journaled sorted
  for (const char* gone : {"idle", "beamer", "late"}) CHECK(w.board.participant(gone) == nullptr);
  for (const char* kept : {"fac", "idle-fac", "here", "wrote", "voter"}) CHECK(w.board.participant(kept) != nullptr);
  CHECK(w.board.forgettable_participants(100).empty());
}

TEST_CASE("forgetting: Person N numbers are never handed out twice, across snapshots", "[board][identities]") {
  People w;
  w.ok(ops::join("fac", "Moderation", v1::ROLE_FACILITATOR));
  w.visit("a");
  w.visit("b");
  CHECK(w.number_of("b") == 3);
  w.ok(ops::forget({"a", "b"}));
  w.ok(ops::join("c", "c", v1::ROLE_PARTICIPANT));
  CHECK(w.number_of("c") == 4);  // not 2, which participants_.size() + 1 would give

  // The count survives a snapshot, also when the highest number was forgotten.
  w.visit("d");
  w.ok(ops::forget({"d"}));
  std::string error;
  auto restored = board::Board::restore(w.board.state(), &error);
  REQUIRE(restored);
  REQUIRE(restored->apply(ops::join("e", "e", v1::ROLE_PARTICIPANT), board::kSystemAuthor, kNow).ok());
  CHECK(restored->participant("e")->pseudonym_number() == 6);

  // A snapshot from before the counter existed: its highest number is the count.
  v1::BoardState old = w.board.state();
  old.clear_pseudonyms_issued();
  auto upgraded = board::Board::restore(old, &error);
  REQUIRE(upgraded);
  REQUIRE(upgraded->apply(ops::join("e", "e", v1::ROLE_PARTICIPANT), board::kSystemAuthor, kNow).ok());
  CHECK(upgraded->participant("e")->pseudonym_number() == 5);  // "d" (5) was forgotten: the state cannot know
  CHECK_FALSE(upgraded->check_invariants());

  // Views never carry the counter or the server-side flags.
  const v1::BoardState view = w.board.view_for("fac");
  CHECK(view.pseudonyms_issued() == 0);
  for (const auto& p : view.participants()) {
    CHECK_FALSE(p.has_acted());
    CHECK_FALSE(p.has_saw_open_round());
  }
}

TEST_CASE("places: a full room never locks out facilitators or observers", "[board][identities]") {
  People w;
  w.ok(ops::join("fac", "Moderation", v1::ROLE_FACILITATOR));
  w.visit("fac2", v1::ROLE_FACILITATOR);  // a facilitator identity that never acted
  for (std::size_t i = 0; i < board::limits::kMaxParticipants; ++i) {
    const std::string id = "p" + std::to_string(i);
    REQUIRE(w.apply(ops::join(id, id, v1::ROLE_PARTICIPANT), board::kSystemAuthor).ok());
  }
  CHECK(w.board.holding_participants() == board::limits::kMaxParticipants);
  CHECK(w.rejected(ops::join("one-more", "x", v1::ROLE_PARTICIPANT)) == v1::REJECT_CODE_LIMIT_REACHED);
  w.ok(ops::join("fac2", "fac2", v1::ROLE_FACILITATOR));    // rejoins
  w.ok(ops::join("fac3", "fac3", v1::ROLE_FACILITATOR));    // a new one
  w.ok(ops::join("beamer", "beamer", v1::ROLE_OBSERVER));
  CHECK(w.board.holding_participants() == board::limits::kMaxParticipants);

  // Demoting a facilitator into the participant role needs a free place.
  CHECK(w.rejected(ops::set_role("fac3", v1::ROLE_PARTICIPANT), "fac") == v1::REJECT_CODE_LIMIT_REACHED);
  w.ok(ops::leave("p0"));  // never acted: its place is free
  w.ok(ops::set_role("fac3", v1::ROLE_PARTICIPANT), "fac");
  CHECK(w.board.holding_participants() == board::limits::kMaxParticipants);
}
