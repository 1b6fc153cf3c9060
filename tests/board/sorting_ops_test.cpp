// The room's sorting and record ops in the board core: merging duplicate
// notes (text, dots in open and closed rounds, restore, permissions) and the
// agenda's texts for the room (phase instructions, the facilitator's phase
// notes kept across agenda edits).
#include <catch2/catch.hpp>

#include <map>

#include "support/board_fixture.hpp"
#include "support/ops.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/limits.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;
namespace limits = werkstatt::board::limits;

namespace {

constexpr std::int64_t kStart = 1'764'158'400'000;

struct Room : test::BoardFixture {
  Room() : BoardFixture(kStart, 1000) {
    for (auto [id, role] : {std::pair{"fac", v1::ROLE_FACILITATOR}, {"anna", v1::ROLE_PARTICIPANT},
                            {"ben", v1::ROLE_PARTICIPANT}, {"beamer", v1::ROLE_OBSERVER}})
      ok(ops::join(id, id, role));
    ok(ops::create_area("a1", "Herausforderungen"), "fac");
    ok(ops::create_note("n1", "ÖPNV ausbauen", 0, 0, "a1"), "anna");
    ok(ops::create_note("n2", "Bus öfter", 300, 0, "a1"), "ben");
    ok(ops::create_note("n3", "Radwege", 600, 0, "a1"), "ben");
  }

  // Dots per note, summed over every round and voter, from the full state.
  std::map<std::string, std::uint32_t> dots() const {
    std::map<std::string, std::uint32_t> d;
    const v1::BoardState s = board.state();
    for (const auto& b : s.ballots()) d[b.note_id()] += b.dots();
    return d;
  }
  const v1::Note& note(const std::string& id) const { return *board.note(id); }
};

}  // namespace

TEST_CASE("merging duplicates: the duplicate is deleted, its dots count for the note that absorbed it",
          "[board][merge]") {
  Room room;
  room.ok(ops::open_round("r1", 5, 3), "fac");
  room.ok(ops::vote("n1"), "anna");
  room.ok(ops::vote("n2"), "anna");
  room.ok(ops::vote("n2"), "ben");
  room.ok(ops::vote("n3"), "ben");

  const v1::Event e = room.ok(ops::merge_notes("n1", "n2", "ÖPNV ausbauen: Bus öfter"), "anna");
  CHECK(e.op().has_merge_notes());
  CHECK(room.note("n1").text() == "ÖPNV ausbauen: Bus öfter");
  CHECK(room.note("n2").deleted());
  CHECK(room.dots() == std::map<std::string, std::uint32_t>{{"n1", 3}, {"n3", 1}});
  CHECK(room.board.dots_of("anna") == 2);  // anna's two dots, now both on n1
  CHECK(room.board.dots_of("ben") == 2);

  SECTION("restored, the duplicate comes back without its dots") {
    room.ok(ops::restore(v1::OBJECT_KIND_NOTE, "n2"), "ben");
    CHECK_FALSE(room.note("n2").deleted());
    CHECK(room.dots() == std::map<std::string, std::uint32_t>{{"n1", 3}, {"n3", 1}});
  }
  SECTION("an empty text keeps the absorbing note's text") {
    room.ok(ops::merge_notes("n1", "n3"), "fac");
    CHECK(room.note("n1").text() == "ÖPNV ausbauen: Bus öfter");
    CHECK(room.dots() == std::map<std::string, std::uint32_t>{{"n1", 4}});
  }
}

TEST_CASE("merging duplicates in an open round keeps its per-note maximum: what is over goes back to the voter",
          "[board][merge]") {
  Room room;
  room.ok(ops::open_round("r1", 6, 2), "fac");
  for (int i = 0; i < 2; ++i) {
    room.ok(ops::vote("n1"), "anna");
    room.ok(ops::vote("n2"), "anna");
  }
  REQUIRE(room.board.dots_of("anna") == 4);
  const v1::Event e = room.ok(ops::merge_notes("n1", "n2"), "fac");
  CHECK(room.dots() == std::map<std::string, std::uint32_t>{{"n1", 2}});
  CHECK(room.board.dots_of("anna") == 2);  // two dots back in anna's budget
  CHECK(e.op().merge_notes().tallies_size() == 0);  // a hidden-count round tells nobody
}

TEST_CASE("merging duplicates in a live-count round carries the round's new tallies", "[board][merge]") {
  Room room;
  room.ok(ops::open_round("r1", 6, 2, true), "fac");
  for (int i = 0; i < 2; ++i) {
    room.ok(ops::vote("n1"), "anna");
    room.ok(ops::vote("n2"), "anna");
  }
  room.ok(ops::vote("n2"), "ben");
  v1::Op forged = ops::merge_notes("n1", "n2");
  forged.mutable_merge_notes()->add_tallies()->set_note_id("n3");  // a client cannot set them
  const v1::Event e = room.ok(forged, "fac");
  REQUIRE(e.op().merge_notes().tallies_size() == 1);
  CHECK(e.op().merge_notes().tallies(0).note_id() == "n1");
  CHECK(e.op().merge_notes().tallies(0).dots() == 3);  // anna's 2 (capped) + ben's 1
}

TEST_CASE("merging duplicates after a round closed moves that round's dots too (results as announced stay)",
          "[board][merge]") {
  Room room;
  room.ok(ops::open_round("r1", 5, 3), "fac");
  room.ok(ops::vote("n2"), "anna");
  room.ok(ops::vote("n2"), "ben");
  room.ok(ops::close_round("r1"), "fac");
  room.ok(ops::merge_notes("n1", "n2"), "fac");
  CHECK(room.dots() == std::map<std::string, std::uint32_t>{{"n1", 2}});
  const v1::BoardState s = room.board.state();
  REQUIRE(s.rounds_size() == 1);
  REQUIRE(s.rounds(0).results_size() == 1);
  CHECK(s.rounds(0).results(0).note_id() == "n2");  // the record of what was announced
}

TEST_CASE("merging duplicates is refused for bad targets and for whoever may not cluster", "[board][merge]") {
  Room room;
  CHECK(room.rejected(ops::merge_notes("n1", "n1"), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(room.rejected(ops::merge_notes("n1", "nope"), "fac") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(room.rejected(ops::merge_notes("n1", "n2", std::string(limits::kMaxNoteTextChars + 1, 'x')), "fac") ==
        v1::REJECT_CODE_TEXT_TOO_LONG);
  CHECK(room.rejected(ops::merge_notes("n1", "n2"), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  room.ok(ops::remove(v1::OBJECT_KIND_NOTE, "n3"), "ben");
  CHECK(room.rejected(ops::merge_notes("n1", "n3"), "fac") == v1::REJECT_CODE_OBJECT_DELETED);

  SECTION("a phase without clustering") {
    room.ok(ops::set_agenda({ops::phase("vote", v1::PHASE_KIND_VOTE, board::to_proto(board::default_permissions(v1::PHASE_KIND_VOTE)))}),
            "fac");
    room.ok(ops::go_to("vote"), "fac");
    CHECK(room.rejected(ops::merge_notes("n1", "n2"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
    room.ok(ops::merge_notes("n1", "n2"), "fac");
  }
  SECTION("notes still private to their authors") {
    room.ok(ops::set_agenda({ops::phase("collect", v1::PHASE_KIND_COLLECT,
                                        board::to_proto(board::default_permissions(v1::PHASE_KIND_COLLECT)), true, true)}),
            "fac");
    room.ok(ops::go_to("collect"), "fac");
    room.ok(ops::create_note("h1", "privat", 0, 0, "a1"), "anna");
    CHECK(room.rejected(ops::merge_notes("n1", "h1"), "fac") == v1::REJECT_CODE_INVALID_FIELD);
    // Another's private note does not exist for ben.
    CHECK(room.rejected(ops::merge_notes("n2", "h1"), "ben") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  }
}

TEST_CASE("phase instructions travel with the agenda and are bounded", "[board][agenda]") {
  Room room;
  v1::Phase collect = ops::phase("collect", v1::PHASE_KIND_COLLECT,
                                 board::to_proto(board::default_permissions(v1::PHASE_KIND_COLLECT)));
  collect.set_instructions("Bitte schreiben Sie je Karte einen Gedanken.\nSie haben 10 Minuten.");
  room.ok(ops::set_agenda({collect}), "fac");
  CHECK(room.board.state().agenda().phases(0).instructions() == collect.instructions());

  collect.set_instructions(std::string(limits::kMaxPhaseInstructionsChars + 1, 'x'));
  CHECK(room.rejected(ops::set_agenda({collect}), "fac") == v1::REJECT_CODE_TEXT_TOO_LONG);
  collect.set_instructions("mit \x01 Steuerzeichen");
  CHECK(room.rejected(ops::set_agenda({collect}), "fac") == v1::REJECT_CODE_INVALID_FIELD);
}

TEST_CASE("phase notes: only facilitators record them and editing the agenda keeps them", "[board][agenda]") {
  Room room;
  const auto perms = board::to_proto(board::default_permissions(v1::PHASE_KIND_DISCUSS));
  room.ok(ops::set_agenda({ops::phase("disc", v1::PHASE_KIND_DISCUSS, perms), ops::phase("end", v1::PHASE_KIND_CLOSE, perms)}),
          "fac");
  room.ok(ops::go_to("disc"), "fac");
  room.ok(ops::set_phase_notes("disc", "Beschluss: Rufbus wird geprüft.\nVerantwortlich: Amt 61"), "fac");
  CHECK(room.board.state().agenda().phases(0).notes() == "Beschluss: Rufbus wird geprüft.\nVerantwortlich: Amt 61");

  CHECK(room.rejected(ops::set_phase_notes("disc", "von mir"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(room.rejected(ops::set_phase_notes("nope", "x"), "fac") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(room.rejected(ops::set_phase_notes("disc", std::string(limits::kMaxPhaseNotesChars + 1, 'x')), "fac") ==
        v1::REJECT_CODE_TEXT_TOO_LONG);

  // An agenda edit from a client that never saw the notes (or tries to set
  // them) neither drops nor overwrites them; a new phase starts without.
  v1::Phase disc = ops::phase("disc", v1::PHASE_KIND_DISCUSS, perms);
  disc.set_name("Diskussion (verlängert)");
  disc.set_notes("überschrieben?");
  v1::Phase extra = ops::phase("extra", v1::PHASE_KIND_DISCUSS, perms);
  extra.set_notes("eingeschmuggelt");
  const v1::Event e = room.ok(ops::set_agenda({disc, extra}), "fac");
  const v1::BoardState s = room.board.state();
  REQUIRE(s.agenda().phases_size() == 2);
  CHECK(s.agenda().phases(0).name() == "Diskussion (verlängert)");
  CHECK(s.agenda().phases(0).notes() == "Beschluss: Rufbus wird geprüft.\nVerantwortlich: Amt 61");
  CHECK(s.agenda().phases(1).notes().empty());
  // The journaled op says what the board did, so a replay needs no history.
  CHECK(e.op().set_agenda().phases(0).notes() == s.agenda().phases(0).notes());

  room.ok(ops::close_workshop(), "fac");
  CHECK(room.rejected(ops::set_phase_notes("disc", "zu spät"), "fac") == v1::REJECT_CODE_WORKSHOP_CLOSED);
}

TEST_CASE("a dot may go on a cluster: counted for the cluster, scoped and budgeted like a note's", "[board][vote]") {
  Room room;
  room.ok(ops::create_cluster("c1", "Mobilität", {"n1", "n2"}), "fac");
  room.ok(ops::open_round("r1", 3, 2, true), "fac");
  room.ok(ops::vote_cluster("c1"), "anna");
  room.ok(ops::vote_cluster("c1"), "anna");
  CHECK(room.rejected(ops::vote_cluster("c1"), "anna") == v1::REJECT_CODE_LIMIT_REACHED);  // 2 per object
  room.ok(ops::vote("n3"), "anna");
  CHECK(room.rejected(ops::vote("n1"), "anna") == v1::REJECT_CODE_LIMIT_REACHED);  // 3 in all
  CHECK(room.dots() == std::map<std::string, std::uint32_t>{{"c1", 2}, {"n3", 1}});
  room.ok(ops::retract_cluster("c1"), "anna");
  CHECK(room.rejected(ops::retract_cluster("c1"), "ben") == v1::REJECT_CODE_NO_VOTE);

  // Exactly one target; a cluster that is not there.
  v1::Op both = ops::vote("n1");
  both.mutable_cast_vote()->set_cluster_id("c1");
  CHECK(room.rejected(both, "ben") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(room.rejected(ops::vote_cluster(""), "ben") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(room.rejected(ops::vote_cluster("nope"), "ben") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(room.rejected(ops::vote_cluster("c1"), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);

  // Deleting the cluster gives its dots back; closing ranks clusters with notes.
  room.ok(ops::vote_cluster("c1"), "ben");
  room.ok(ops::remove(v1::OBJECT_KIND_CLUSTER, "c1"), "fac");
  CHECK(room.board.dots_of("ben") == 0);
  CHECK(room.board.dots_of("anna") == 1);  // her dot on the cluster came back, the one on n3 stays
  CHECK(room.rejected(ops::vote_cluster("c1"), "ben") == v1::REJECT_CODE_OBJECT_DELETED);
  room.ok(ops::restore(v1::OBJECT_KIND_CLUSTER, "c1"), "fac");
  room.ok(ops::vote_cluster("c1"), "ben");
  room.ok(ops::vote_cluster("c1"), "ben");
  const v1::Event closed = room.ok(ops::close_round("r1"), "fac");
  REQUIRE(closed.op().close_voting_round().results_size() >= 2);
  CHECK(closed.op().close_voting_round().results(0).note_id() == "c1");
  CHECK(closed.op().close_voting_round().results(0).dots() == 2);  // ben's two since the restore
}

TEST_CASE("a round about one area takes dots on that area's clusters only", "[board][vote]") {
  Room room;
  room.ok(ops::create_area("a2", "Chancen", 2000, 0), "fac");
  room.ok(ops::create_note("m1", "Tourismus", 2100, 0, "a2"), "anna");
  v1::Op c1 = ops::create_cluster("c1", "Mobilität", {"n1"});
  c1.mutable_create_cluster()->set_area_id("a1");
  v1::Op c2 = ops::create_cluster("c2", "Freizeit", {"m1"});
  c2.mutable_create_cluster()->set_area_id("a2");
  room.ok(c1, "fac");
  room.ok(c2, "fac");
  room.ok(ops::open_round("r1", 5, 3, false, {"a2"}), "fac");
  room.ok(ops::vote_cluster("c2"), "ben");
  CHECK(room.rejected(ops::vote_cluster("c1"), "ben") == v1::REJECT_CODE_OUT_OF_SCOPE);
}
