// The board core's promises at the edges (issue 10): nobody but the voter
// learns who voted, hidden counts stay hidden until the round closes, and a
// note withdrawn during private collection never reaches anyone else.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/ops.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/permissions.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;

namespace {

struct Room {
  board::Board board;
  std::int64_t now = 1'764'158'400'000;

  Room() {
    for (auto [id, role] : {std::pair{"fac", v1::ROLE_FACILITATOR}, {"fac2", v1::ROLE_FACILITATOR},
                            {"anna", v1::ROLE_PARTICIPANT}, {"ben", v1::ROLE_PARTICIPANT},
                            {"beamer", v1::ROLE_OBSERVER}})
      ok(ops::join(id, id, role), board::kSystemAuthor);
    ok(ops::create_area("a1", "Herausforderungen"), "fac");
  }

  v1::Event ok(const v1::Op& op, std::string_view author) {
    auto r = board.apply(op, author, now);
    INFO(op.ShortDebugString() << " by " << author);
    if (!r.ok()) FAIL("rejected: " << r.rejection().reason);
    const auto broken = board.check_invariants();
    if (broken) FAIL("invariant: " << *broken);
    return r.event();
  }

  // Appends a phase of `kind` (default permissions) to the agenda and enters it.
  void enter(v1::PhaseKind kind, bool private_collection = false) {
    const std::string id = "s" + std::to_string(phases.size());
    phases.push_back(ops::phase(id, kind, board::to_proto(board::default_permissions(kind)), private_collection, false));
    ok(ops::set_agenda(phases), "fac");
    ok(ops::go_to(id), "fac");
  }
  std::vector<v1::Phase> phases;

  v1::Role role(const char* who) const { return board.participant(who)->role(); }
};

const std::initializer_list<const char*> kNotVoters = {"fac", "fac2", "ben", "beamer"};

}  // namespace

TEST_CASE("a vote reaches nobody but its voter with the voter's id - hidden counts reach nobody", "[board][secrecy][vote]") {
  Room r;
  r.ok(ops::create_note("x1", "Eins"), "fac");
  r.ok(ops::create_note("x2", "Zwei"), "fac");
  r.enter(v1::PHASE_KIND_VOTE);
  r.ok(ops::open_round("r1", 3, 3, /*live=*/false), "fac");
  for (const v1::Event& e : {r.ok(ops::vote("x1"), "anna"), r.ok(ops::vote("x2"), "anna"), r.ok(ops::retract("x2"), "anna")}) {
    const board::EventViews v = r.board.views_of(e);
    CHECK(v.for_viewer("anna", v1::ROLE_PARTICIPANT).author_id() == "anna");
    for (const char* other : kNotVoters) {
      INFO(other);
      const v1::Event& sent = v.for_viewer(other, r.role(other));
      CHECK(sent.seq() == e.seq());
      CHECK(sent.author_id().empty());  // not even the author of a Redacted
      REQUIRE(sent.op().has_redacted());
      // Hidden counts: not to participants, not to facilitators, until the close.
      CHECK_FALSE(sent.op().redacted().tallies_replaced());
      CHECK(sent.op().redacted().tallies_size() == 0);
      CHECK(sent.op().redacted().voters() == 0);
      CHECK(sent.SerializeAsString().find("anna") == std::string::npos);
    }
  }
  for (const char* other : kNotVoters) {
    INFO(other);
    const v1::BoardState view = r.board.view_for(other);
    CHECK(view.tallies_size() == 0);
    CHECK(view.open_round_voters() == 0);
    CHECK(view.ballots_size() == 0);
  }
  r.ok(ops::vote("x1"), "ben");
  // The close tells everyone the same: results and how many voted.
  const v1::Event closed = r.ok(ops::close_round("r1"), "fac");
  CHECK(r.board.views_of(closed).uniform());
  REQUIRE(closed.op().close_voting_round().results_size() == 1);
  CHECK(closed.op().close_voting_round().results(0).dots() == 2);
  CHECK(closed.op().close_voting_round().voters() == 2);
  CHECK(r.board.state().rounds(0).voters() == 2);
  CHECK(r.board.view_for("ben").rounds(0).voters() == 2);
}

TEST_CASE("live counts: every non-voter gets the same tallies and no author", "[board][secrecy][vote]") {
  Room r;
  r.ok(ops::create_note("x1", "Eins"), "fac");
  r.enter(v1::PHASE_KIND_VOTE);
  r.ok(ops::open_round("r1", 3, 3, /*live=*/true), "fac");
  const v1::Event e = r.ok(ops::vote("x1"), "anna");
  const board::EventViews v = r.board.views_of(e);
  const std::string bytes = v.for_viewer("ben", v1::ROLE_PARTICIPANT).SerializeAsString();
  for (const char* other : kNotVoters) {
    INFO(other);
    const v1::Event& sent = v.for_viewer(other, r.role(other));
    // Byte-identical for facilitators, participants and observers.
    CHECK(sent.SerializeAsString() == bytes);
    CHECK(sent.author_id().empty());
    REQUIRE(sent.op().redacted().tallies_replaced());
    REQUIRE(sent.op().redacted().tallies_size() == 1);
    CHECK(sent.op().redacted().tallies(0).dots() == 1);
    CHECK(sent.op().redacted().voters() == 1);
  }
  r.ok(ops::vote("x1"), "anna");
  const std::string fac_view_tallies = [&] {
    v1::BoardState s = r.board.view_for("fac");
    CHECK(s.open_round_voters() == 1);
    return s.tallies(0).SerializeAsString();
  }();
  for (const char* other : {"ben", "beamer"}) {
    const v1::BoardState s = r.board.view_for(other);
    REQUIRE(s.tallies_size() == 1);
    CHECK(s.tallies(0).SerializeAsString() == fac_view_tallies);
    CHECK(s.tallies(0).dots() == 2);
    CHECK(s.open_round_voters() == 1);
  }
}

TEST_CASE("a note withdrawn during private collection never reaches anyone else", "[board][secrecy][private]") {
  Room r;
  r.enter(v1::PHASE_KIND_COLLECT, /*private=*/true);
  r.ok(ops::create_note("kept", "Bleibt 1", 0, 0, "a1"), "anna");
  r.ok(ops::create_note("gone", "Zurueckgezogen 77", 5, 5, "a1"), "anna");
  r.ok(ops::update_note_text("gone", "Zurueckgezogen 78"), "anna");
  r.ok(ops::remove(v1::OBJECT_KIND_NOTE, "gone"), "anna");

  const v1::Event reveal = r.ok(ops::reveal_all(), "fac");
  CHECK(reveal.SerializeAsString().find("gone") == std::string::npos);
  CHECK(reveal.SerializeAsString().find("Zurueckgezogen") == std::string::npos);
  r.enter(v1::PHASE_KIND_CLUSTER);
  r.ok(ops::join("late", "Spaet", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  for (const char* other : {"fac", "ben", "beamer", "late"}) {
    INFO(other);
    const std::string view = r.board.view_for(other).SerializeAsString();
    CHECK(view.find("Zurueckgezogen") == std::string::npos);
    CHECK(view.find("gone") == std::string::npos);
    CHECK(view.find("Bleibt 1") != std::string::npos);
  }
  // Its author still has it, deleted, and may restore it: it comes back
  // unrevealed, so everyone else learns a count, exactly as a fresh Welcome says.
  CHECK(r.board.view_for("anna").SerializeAsString().find("Zurueckgezogen 78") != std::string::npos);
  const v1::Event restored = r.ok(ops::restore(v1::OBJECT_KIND_NOTE, "gone"), "anna");
  const board::EventViews rv = r.board.views_of(restored);
  CHECK(rv.for_viewer("anna", v1::ROLE_PARTICIPANT).op().has_restore());
  for (const char* other : {"fac", "ben", "beamer", "late"}) {
    INFO(other);
    const v1::Event& sent = rv.for_viewer(other, r.role(other));
    REQUIRE(sent.op().has_redacted());
    CHECK(sent.SerializeAsString().find("gone") == std::string::npos);
    REQUIRE(sent.op().redacted().hidden_notes_size() == 1);
    CHECK(sent.op().redacted().hidden_notes(0).count() == 1);
    const v1::BoardState view = r.board.view_for(other);
    REQUIRE(view.hidden_notes_size() == 1);
    CHECK(view.hidden_notes(0).count() == 1);
    CHECK(view.SerializeAsString().find("gone") == std::string::npos);
  }
  // The next reveal brings it to everyone, with its text.
  const v1::Event again = r.ok(ops::reveal_participant("anna"), "fac");
  REQUIRE(again.op().reveal().notes_size() == 1);
  CHECK(again.op().reveal().notes(0).text() == "Zurueckgezogen 78");
  CHECK(r.board.view_for("late").SerializeAsString().find("Zurueckgezogen 78") != std::string::npos);
}
