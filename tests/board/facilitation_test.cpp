// Facilitation in the board core: the permission matrix, private collection
// and reveal, what each viewer is sent, the timer (injected clock), voting
// rounds, roles and control.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>

#include "support/board_fixture.hpp"
#include "support/ops.hpp"
#include "support/render.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/templates.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;

namespace {

constexpr std::int64_t kStart = 1'764'158'400'000;

// A board with a facilitator, two participants and an observer, plus an
// area and one note of each participant.
struct Room : test::BoardFixture {
  Room() : BoardFixture(kStart) {
    for (auto [id, role] : {std::pair{"fac", v1::ROLE_FACILITATOR}, {"anna", v1::ROLE_PARTICIPANT},
                            {"ben", v1::ROLE_PARTICIPANT}, {"beamer", v1::ROLE_OBSERVER}})
      ok(ops::join(id, id, role), board::kSystemAuthor);
    ok(ops::create_area("a1", "Herausforderungen"), "fac");
    ok(ops::create_area("a2", "Chancen"), "fac");
  }

  // An agenda with one phase of `kind` (default permissions) and it running.
  void enter(v1::PhaseKind kind, bool private_collection = false, bool facilitators_see = false) {
    static int n = 0;
    const std::string id = "p" + std::to_string(++n);
    ok(ops::set_agenda({ops::phase(id, kind, board::to_proto(board::default_permissions(kind)), private_collection,
                                   facilitators_see)}),
       "fac");
    ok(ops::go_to(id), "fac");
  }
};

// ---------------------------------------------------------------- the matrix

struct Action {
  const char* name;
  // Prepares what the action needs (as the facilitator), returns the op.
  std::function<v1::Op(Room&, const std::string& actor)> make;
};

const std::vector<Action>& actions() {
  static const std::vector<Action> list = {
      {"create note", [](Room&, const std::string&) { return ops::create_note("new", "neu", 0, 0, "a1"); }},
      {"edit own note", [](Room&, const std::string& actor) { return ops::update_note_text("own-" + actor, "y"); }},
      {"edit other's note", [](Room&, const std::string&) { return ops::update_note_text("facs", "y"); }},
      {"move note", [](Room&, const std::string&) { return ops::move(v1::OBJECT_KIND_NOTE, "facs", 50, 50); }},
      {"delete own note", [](Room&, const std::string& actor) { return ops::remove(v1::OBJECT_KIND_NOTE, "own-" + actor); }},
      {"delete other's note", [](Room&, const std::string&) { return ops::remove(v1::OBJECT_KIND_NOTE, "facs"); }},
      {"cluster", [](Room&, const std::string&) { return ops::create_cluster("cl", "Gruppe", {"facs"}); }},
      {"merge duplicates", [](Room&, const std::string& actor) { return ops::merge_notes("facs", "own-" + actor); }},
      {"vote",
       [](Room& r, const std::string&) {
         REQUIRE(r.board.apply(ops::open_round("rx"), "fac", r.now).ok());
         return ops::vote("facs");
       }},
      {"raise hand", [](Room&, const std::string&) { return ops::raise_hand(); }},
      {"change areas", [](Room&, const std::string&) { return ops::lock_area("a1", true); }},
      {"lock board", [](Room&, const std::string&) { return ops::lock(true); }},
      {"move to a phase",
       [](Room& r, const std::string&) { return ops::go_to(r.board.current_phase() ? "p-next" : "p-now"); }},
      {"reveal", [](Room&, const std::string&) { return ops::reveal_all(); }},
      {"start timer", [](Room&, const std::string&) { return ops::timer(v1::TimerControl::ACTION_START, 60'000); }},
      {"open voting round", [](Room&, const std::string&) { return ops::open_round("r-new"); }},
      {"promote", [](Room&, const std::string&) { return ops::set_role("ben", v1::ROLE_FACILITATOR); }},
      {"remove participant", [](Room&, const std::string&) { return ops::remove_participant("ben"); }},
      {"rotate join code", [](Room&, const std::string&) { return ops::rotate_join_code("NEU123"); }},
      {"follow me", [](Room&, const std::string&) { return ops::follow_me(true); }},
      {"close workshop", [](Room&, const std::string&) { return ops::close_workshop(); }},
      {"record phase notes", [](Room&, const std::string&) { return ops::set_phase_notes("p-now", "Beschluss"); }},
  };
  return list;
}

// What the product promises: for participants the phase's default set; the
// facilitator may do everything; observers nothing.
bool expected(v1::PhaseKind kind, const std::string& role, const std::string& action) {
  if (role == "facilitator") return true;
  if (role == "observer") return false;
  const board::PermissionSet p = kind == v1::PHASE_KIND_UNSPECIFIED ? board::kOpenBoardPermissions
                                                                    : board::default_permissions(kind);
  using board::Permission;
  if (action == "create note") return p.has(Permission::create_notes);
  if (action == "edit own note") return p.has(Permission::edit_own_notes);
  if (action == "edit other's note") return p.has(Permission::edit_others_notes);
  if (action == "move note") return p.has(Permission::move_notes);
  if (action == "delete own note") return p.has(Permission::delete_own_notes);
  if (action == "delete other's note") return p.has(Permission::delete_others_notes);
  if (action == "cluster" || action == "merge duplicates") return p.has(Permission::cluster);
  if (action == "vote") return p.has(Permission::vote);
  if (action == "raise hand") return true;
  return false;  // every facilitator action
}

const char* kind_name(v1::PhaseKind k) {
  switch (k) {
    case v1::PHASE_KIND_UNSPECIFIED: return "open board";
    case v1::PHASE_KIND_CHECK_IN: return "check-in";
    case v1::PHASE_KIND_COLLECT: return "collect";
    case v1::PHASE_KIND_CLUSTER: return "cluster";
    case v1::PHASE_KIND_VOTE: return "vote";
    case v1::PHASE_KIND_DISCUSS: return "discuss";
    case v1::PHASE_KIND_CLOSE: return "close";
    default: return "?";
  }
}

}  // namespace

TEST_CASE("the permission matrix: every phase kind x role x action", "[board][facilitation][matrix]") {
  const std::vector<v1::PhaseKind> kinds = {v1::PHASE_KIND_UNSPECIFIED, v1::PHASE_KIND_CHECK_IN, v1::PHASE_KIND_COLLECT,
                                            v1::PHASE_KIND_CLUSTER,     v1::PHASE_KIND_VOTE,     v1::PHASE_KIND_DISCUSS,
                                            v1::PHASE_KIND_CLOSE};
  const std::vector<std::pair<std::string, std::string>> roles = {
      {"facilitator", "fac"}, {"participant", "anna"}, {"observer", "beamer"}};
  std::string table = "| phase | role |";
  for (const auto& a : actions()) table += std::string(" ") + a.name + " |";
  table += "\n|---|---|";
  for (std::size_t i = 0; i < actions().size(); ++i) table += ":-:|";
  table += "\n";
  int cells = 0;
  for (const auto kind : kinds) {
    for (const auto& [role, actor] : roles) {
      table += std::string("| ") + kind_name(kind) + " | " + role + " |";
      for (const auto& action : actions()) {
        Room room;
        // Notes of their own for everyone who may write (made on the open board).
        // The observer wrote theirs as a participant and was then made an observer.
        REQUIRE(room.board.apply(ops::set_role("beamer", v1::ROLE_PARTICIPANT), "fac", room.now).ok());
        for (const char* who : {"fac", "anna", "beamer"})
          REQUIRE(room.board.apply(ops::create_note(std::string("own-") + who, "eigene"), who, room.now).ok());
        REQUIRE(room.board.apply(ops::set_role("beamer", v1::ROLE_OBSERVER), "fac", room.now).ok());
        REQUIRE(room.board.apply(ops::create_note("facs", "vom Moderator"), "fac", room.now).ok());
        REQUIRE(room.board.apply(ops::set_agenda({ops::phase("p-now", kind == v1::PHASE_KIND_UNSPECIFIED ? v1::PHASE_KIND_DISCUSS : kind,
                                                             board::to_proto(board::default_permissions(kind))),
                                                  ops::phase("p-next", v1::PHASE_KIND_DISCUSS, {})}),
                                 "fac", room.now).ok());
        if (kind != v1::PHASE_KIND_UNSPECIFIED) REQUIRE(room.board.apply(ops::go_to("p-now"), "fac", room.now).ok());
        const v1::Op op = action.make(room, actor);
        const auto result = room.board.apply(op, actor, room.now);
        // Permission is what the matrix is about: an op refused for another
        // reason (e.g. nothing to reveal) got past the permission check.
        const bool permitted = result.ok() || result.rejection().code != v1::REJECT_CODE_NOT_PERMITTED;
        INFO(kind_name(kind) << " / " << role << " / " << action.name << ": "
                             << (result.ok() ? std::string("ok") : result.rejection().reason));
        CHECK(permitted == expected(kind, role, action.name));
        // Where permitted, the op must really have gone through (reveal: nothing hidden here).
        if (permitted && std::string(action.name) != "reveal") CHECK(result.ok());
        table += permitted ? " yes |" : " – |";
        ++cells;
      }
      table += "\n";
    }
  }
  CHECK(cells == 7 * 3 * static_cast<int>(actions().size()));
  // The matrix as built, for the docs: WERKSTATT_MATRIX_OUT=file.md
  if (const char* out = std::getenv("WERKSTATT_MATRIX_OUT")) std::ofstream(out) << table;
}

// ---------------------------------------------------------------- private collection

TEST_CASE("private collection: others get counts, never text, colour or position", "[board][facilitation][private]") {
  Room r;
  r.enter(v1::PHASE_KIND_COLLECT, /*private=*/true, /*facilitators_see=*/false);
  CHECK(r.board.private_phase());
  const v1::Event created = r.ok(ops::create_note("secret", "Geheime Idee 4711", 123, 456, "a1"), "anna");
  r.ok(ops::create_note("s2", "Zweite", 0, 0, "a2"), "anna");
  r.ok(ops::create_note("b1", "Bens Idee", 0, 0, "a1"), "ben");
  const v1::Note* n = r.board.note("secret");
  REQUIRE(n);
  CHECK(n->hidden());
  CHECK(n->hidden_from_facilitators());

  // Welcome states: anna sees hers; ben, the facilitator and the beamer only counts.
  const auto serialized_view = [&](const char* viewer) { return r.board.view_for(viewer).SerializeAsString(); };
  CHECK(serialized_view("anna").find("Geheime Idee 4711") != std::string::npos);
  for (const char* other : {"ben", "fac", "beamer"}) {
    INFO(other);
    const v1::BoardState view = r.board.view_for(other);
    CHECK(view.SerializeAsString().find("Geheime Idee 4711") == std::string::npos);
    CHECK(std::none_of(view.notes().begin(), view.notes().end(), [](const auto& x) { return x.id() == "secret"; }));
    std::uint32_t annas = 0;
    for (const auto& h : view.hidden_notes())
      if (h.author_id() == "anna") annas += h.count();
    CHECK(annas == 2);
  }

  // Events: the same seq for everyone, the content only for the author.
  const board::EventViews views = r.board.views_of(created);
  CHECK_FALSE(views.uniform());
  CHECK(views.for_viewer("anna", v1::ROLE_PARTICIPANT).op().has_create_note());
  for (auto [viewer, role] : {std::pair{"ben", v1::ROLE_PARTICIPANT}, {"fac", v1::ROLE_FACILITATOR}, {"beamer", v1::ROLE_OBSERVER}}) {
    const v1::Event& e = views.for_viewer(viewer, role);
    INFO(viewer);
    CHECK(e.seq() == created.seq());
    CHECK(e.op().has_redacted());
    CHECK(e.SerializeAsString().find("Geheime") == std::string::npos);
    CHECK(e.SerializeAsString().find("secret") == std::string::npos);  // not even the id
    CHECK(e.op().redacted().hidden_author_id() == "anna");
  }
  // Moving it later is just as private.
  const v1::Event moved = r.ok(ops::move(v1::OBJECT_KIND_NOTE, "secret", 999, 999), "anna");
  const board::EventViews moved_views = r.board.views_of(moved);
  CHECK(moved_views.for_viewer("ben", v1::ROLE_PARTICIPANT).op().has_redacted());
  // Others cannot touch what they cannot see: it does not exist for them.
  CHECK(r.rejected(ops::update_note_text("secret", "x"), "ben") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(r.rejected(ops::move(v1::OBJECT_KIND_NOTE, "secret", 1, 1), "fac") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(r.rejected(ops::create_cluster("c", "x", {"secret"}), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  // Facilitators' own notes are not private: they are instructions to the room.
  r.ok(ops::create_note("hint", "Bitte je Karte eine Idee"), "fac");
  CHECK_FALSE(r.board.note("hint")->hidden());
}

TEST_CASE("private collection can let facilitators watch", "[board][facilitation][private]") {
  Room r;
  r.enter(v1::PHASE_KIND_COLLECT, true, /*facilitators_see=*/true);
  const v1::Event e = r.ok(ops::create_note("n", "Sichtbar für Moderation", 0, 0, "a1"), "anna");
  const board::EventViews views = r.board.views_of(e);
  CHECK(views.for_viewer("fac", v1::ROLE_FACILITATOR).op().has_create_note());
  CHECK(views.for_viewer("ben", v1::ROLE_PARTICIPANT).op().has_redacted());
  CHECK(r.board.view_for("fac").SerializeAsString().find("Sichtbar") != std::string::npos);
  CHECK(r.board.view_for("ben").SerializeAsString().find("Sichtbar") == std::string::npos);
  r.ok(ops::move(v1::OBJECT_KIND_NOTE, "n", 5, 5), "fac");  // and arrange it
}

TEST_CASE("unrevealed notes cannot be clustered or voted on, even by their author", "[board][facilitation][private]") {
  Room r;
  v1::PhasePermissions everything = board::to_proto(board::kOpenBoardPermissions);
  r.ok(ops::set_agenda({ops::phase("c", v1::PHASE_KIND_COLLECT, everything, /*private=*/true)}), "fac");
  r.ok(ops::go_to("c"), "fac");
  r.ok(ops::create_note("mine", "noch privat"), "anna");
  CHECK(r.rejected(ops::create_cluster("cl", "x", {"mine"}), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  r.ok(ops::open_round("r"), "fac");
  CHECK(r.rejected(ops::vote("mine"), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(r.rejected(ops::vote("mine"), "ben") == v1::REJECT_CODE_UNKNOWN_OBJECT);
}

TEST_CASE("reveal: per participant, per area, all - late joiners see revealed notes", "[board][facilitation][reveal]") {
  Room r;
  r.enter(v1::PHASE_KIND_COLLECT, true);
  r.ok(ops::create_note("a-1", "Anna eins", 0, 0, "a1"), "anna");
  r.ok(ops::create_note("a-2", "Anna zwei", 0, 0, "a2"), "anna");
  r.ok(ops::create_note("b-1", "Ben eins", 0, 0, "a1"), "ben");
  r.ok(ops::create_note("b-2", "Ben zwei", 0, 0, "a2"), "ben");
  CHECK(r.rejected(ops::reveal_all(), "anna") == v1::REJECT_CODE_NOT_PERMITTED);

  // Anna presents her notes: the event carries them, so everyone receives them.
  const v1::Event presented = r.ok(ops::reveal_participant("anna"), "fac");
  REQUIRE(presented.op().reveal().notes_size() == 2);
  CHECK(r.board.views_of(presented).uniform());
  CHECK(r.board.view_for("ben").SerializeAsString().find("Anna zwei") != std::string::npos);
  CHECK(r.board.view_for("ben").SerializeAsString().find("Ben eins") != std::string::npos);  // his own
  CHECK(r.board.view_for("anna").SerializeAsString().find("Ben eins") == std::string::npos);

  const v1::Event area = r.ok(ops::reveal_area("a1"), "fac");
  REQUIRE(area.op().reveal().notes_size() == 1);
  CHECK(area.op().reveal().notes(0).id() == "b-1");
  CHECK(r.board.view_for("anna").SerializeAsString().find("Ben zwei") == std::string::npos);
  r.ok(ops::reveal_all(), "fac");
  CHECK(r.rejected(ops::reveal_all(), "fac") == v1::REJECT_CODE_INVALID_FIELD);  // nothing left

  // A late joiner gets everything revealed in its welcome.
  r.ok(ops::join("late", "Spät", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  const std::string late = r.board.view_for("late").SerializeAsString();
  for (const char* text : {"Anna eins", "Anna zwei", "Ben eins", "Ben zwei"}) CHECK(late.find(text) != std::string::npos);
  CHECK(r.board.view_for("late").hidden_notes_size() == 0);
}

// ---------------------------------------------------------------- timer

TEST_CASE("timer: start, pause, resume, adjust, expire with an injected clock", "[board][facilitation][timer]") {
  Room r;
  r.ok(ops::timer(v1::TimerControl::ACTION_START, 5 * 60'000, 0, /*lock_on_expiry=*/true), "fac");
  CHECK(r.board.timer().deadline_ms() == kStart + 5 * 60'000);
  r.now += 60'000;
  r.ok(ops::timer(v1::TimerControl::ACTION_PAUSE), "fac");
  CHECK(r.board.timer().remaining_ms() == 4 * 60'000);
  r.now += 10 * 60'000;  // a long pause costs no time
  r.ok(ops::timer(v1::TimerControl::ACTION_ADJUST, 0, 30'000), "fac");
  CHECK(r.board.timer().remaining_ms() == 4 * 60'000 + 30'000);
  r.ok(ops::timer(v1::TimerControl::ACTION_RESUME), "fac");
  CHECK(r.board.timer().deadline_ms() == r.now + 4 * 60'000 + 30'000);
  r.ok(ops::timer(v1::TimerControl::ACTION_ADJUST, 0, -60'000), "fac");
  const std::int64_t deadline = r.board.timer().deadline_ms();
  CHECK(deadline == r.now + 3 * 60'000 + 30'000);

  // Only the server's clock expires it, and only when the time is up.
  CHECK(r.rejected(ops::timer(v1::TimerControl::ACTION_EXPIRE), "fac") == v1::REJECT_CODE_NOT_PERMITTED);
  r.now = deadline - 1;
  CHECK(r.rejected(ops::timer(v1::TimerControl::ACTION_EXPIRE), board::kSystemAuthor) == v1::REJECT_CODE_INVALID_FIELD);
  r.now = deadline;
  r.ok(ops::timer(v1::TimerControl::ACTION_EXPIRE), board::kSystemAuthor);
  CHECK(r.board.timer().state() == v1::Timer::STATE_EXPIRED);
  CHECK(r.board.settings().locked());  // lock when time is up
  CHECK(r.rejected(ops::create_note("late", "x"), "anna") == v1::REJECT_CODE_BOARD_LOCKED);

  CHECK(r.rejected(ops::timer(v1::TimerControl::ACTION_PAUSE), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(r.rejected(ops::timer(v1::TimerControl::ACTION_START, 0), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(r.rejected(ops::timer(v1::TimerControl::ACTION_START, 60'000), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  r.ok(ops::timer(v1::TimerControl::ACTION_STOP), "fac");
  CHECK(r.board.timer().state() == v1::Timer::STATE_STOPPED);
  // Taking away more than is left ends it at once, never in the past.
  r.ok(ops::timer(v1::TimerControl::ACTION_START, 60'000), "fac");
  r.ok(ops::timer(v1::TimerControl::ACTION_ADJUST, 0, -10 * 60'000), "fac");
  CHECK(r.board.timer().deadline_ms() == r.now);
}

TEST_CASE("phases: forward one at a time or back to any - the phase starts its timer", "[board][facilitation][phases]") {
  Room r;
  board::Board b;
  // The template's agenda.
  for (const auto& op : board::template_ops(board::kImpulsWerkstattTemplate, "de", "Test")) REQUIRE(b.apply(op, "", 0).ok());
  REQUIRE(b.agenda().phases_size() == 6);
  CHECK(b.agenda().phases(1).name() == "Sammeln");
  CHECK(b.agenda().phases(1).private_collection());
  CHECK(b.agenda().phases(3).permissions().vote());
  CHECK_FALSE(b.agenda().phases(3).permissions().create_notes());

  std::vector<v1::Phase> phases;
  for (const char* id : {"one", "two", "three"})
    phases.push_back(ops::phase(id, v1::PHASE_KIND_DISCUSS, {}));
  r.ok(ops::set_agenda(phases), "fac");
  CHECK(r.rejected(ops::go_to("two"), "fac") == v1::REJECT_CODE_WRONG_PHASE);
  r.ok(ops::go_to("one", /*start_timer=*/true), "fac");
  CHECK(r.board.timer().state() == v1::Timer::STATE_RUNNING);
  CHECK(r.board.timer().duration_ms() == 600'000);
  CHECK(r.rejected(ops::go_to("one"), "fac") == v1::REJECT_CODE_WRONG_PHASE);
  CHECK(r.rejected(ops::go_to("three"), "fac") == v1::REJECT_CODE_WRONG_PHASE);
  r.ok(ops::go_to("two"), "fac");
  r.ok(ops::go_to("three"), "fac");
  r.ok(ops::go_to("one"), "fac");  // back to any earlier phase
  CHECK(r.board.agenda().current_phase_id() == "one");
  CHECK(r.rejected(ops::go_to("nope"), "fac") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(r.rejected(ops::go_to("two"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  // The running phase cannot be dropped from the agenda.
  CHECK(r.rejected(ops::set_agenda({ops::phase("x", v1::PHASE_KIND_VOTE, {})}), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(r.rejected(ops::set_agenda({ops::phase("x", v1::PHASE_KIND_VOTE, {}, /*private=*/true)}), "fac") ==
        v1::REJECT_CODE_INVALID_FIELD);
}

// ---------------------------------------------------------------- voting rounds

TEST_CASE("voting rounds: budget, per-note max, scope, retract, close, several rounds", "[board][facilitation][vote]") {
  Room r;
  r.ok(ops::create_note("x1", "Eins", 0, 0, "a1"), "fac");
  r.ok(ops::create_note("x2", "Zwei", 0, 0, "a2"), "fac");
  r.ok(ops::create_note("x3", "Drei", 0, 0, "a2"), "fac");
  r.enter(v1::PHASE_KIND_VOTE);
  CHECK(r.rejected(ops::vote("x1"), "anna") == v1::REJECT_CODE_VOTING_CLOSED);
  CHECK(r.rejected(ops::open_round("r1", 3, 4), "fac") == v1::REJECT_CODE_INVALID_FIELD);  // per note > budget
  r.ok(ops::open_round("r1", 3, 2), "fac");
  CHECK(r.rejected(ops::open_round("r2"), "fac") == v1::REJECT_CODE_INVALID_FIELD);  // one at a time
  r.ok(ops::vote("x1"), "anna");
  r.ok(ops::vote("x1"), "anna");
  CHECK(r.rejected(ops::vote("x1"), "anna") == v1::REJECT_CODE_LIMIT_REACHED);  // per note
  r.ok(ops::vote("x2"), "anna");
  CHECK(r.rejected(ops::vote("x3"), "anna") == v1::REJECT_CODE_LIMIT_REACHED);  // budget
  r.ok(ops::retract("x1"), "anna");
  r.ok(ops::vote("x3"), "anna");
  r.ok(ops::vote("x2"), "ben");
  CHECK(r.rejected(ops::vote("x2"), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  const v1::Event closed = r.ok(ops::close_round("r1"), "fac");
  // Results frozen, most dots first, and in the event for everyone.
  REQUIRE(closed.op().close_voting_round().results_size() == 3);
  CHECK(closed.op().close_voting_round().results(0).note_id() == "x2");
  CHECK(closed.op().close_voting_round().results(0).dots() == 2);
  CHECK(r.board.views_of(closed).uniform());
  CHECK(r.rejected(ops::retract("x3"), "anna") == v1::REJECT_CODE_VOTING_CLOSED);
  CHECK(r.rejected(ops::close_round("r1"), "fac") == v1::REJECT_CODE_VOTING_CLOSED);

  // Round two, scoped to area a2; everyone has a full budget again, late joiners too.
  r.ok(ops::open_round("r2", 2, 2, false, {"a2"}), "fac");
  CHECK(r.rejected(ops::vote("x1"), "anna") == v1::REJECT_CODE_OUT_OF_SCOPE);
  r.ok(ops::vote("x3"), "anna");
  r.ok(ops::join("late", "Spät", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  r.ok(ops::vote("x3"), "late");
  r.ok(ops::vote("x2"), "late");
  CHECK(r.board.dots_of("late") == 2);
  r.ok(ops::close_round("r2"), "fac");
  const v1::BoardState st = r.board.state();
  REQUIRE(st.rounds_size() == 2);
  CHECK(st.rounds(1).results(0).note_id() == "x3");
  CHECK(st.rounds(1).results(0).dots() == 2);
  // The first round's ballots are kept for audit.
  CHECK(std::count_if(st.ballots().begin(), st.ballots().end(), [](const auto& b) { return b.round_id() == "r1"; }) == 4);
}

TEST_CASE("voting is anonymous: nobody else learns who voted for what", "[board][facilitation][vote]") {
  Room r;
  r.ok(ops::create_note("x1", "Eins"), "fac");
  r.enter(v1::PHASE_KIND_VOTE);
  SECTION("hidden counts") {
    r.ok(ops::open_round("r1", 3, 3, /*live=*/false), "fac");
    const v1::Event e = r.ok(ops::vote("x1"), "anna");
    const board::EventViews v = r.board.views_of(e);
    CHECK(v.for_viewer("anna", v1::ROLE_PARTICIPANT).op().has_cast_vote());
    const v1::Event& to_ben = v.for_viewer("ben", v1::ROLE_PARTICIPANT);
    CHECK(to_ben.op().has_redacted());
    CHECK(to_ben.op().redacted().tallies_size() == 0);  // not even counts until the round closes
    CHECK_FALSE(to_ben.op().redacted().tallies_replaced());
    const v1::Event& to_fac = v.for_viewer("fac", v1::ROLE_FACILITATOR);
    CHECK(to_fac.op().has_redacted());
    // Hidden means hidden from facilitators too: counts come with the close.
    CHECK(to_fac.op().redacted().tallies_size() == 0);
    CHECK_FALSE(to_fac.op().redacted().tallies_replaced());
    CHECK(r.board.view_for("ben").ballots_size() == 0);
    CHECK(r.board.view_for("ben").tallies_size() == 0);
    CHECK(r.board.view_for("fac").ballots_size() == 0);
    CHECK(r.board.view_for("fac").tallies_size() == 0);
    CHECK(r.board.view_for("anna").ballots_size() == 1);
  }
  SECTION("live counts") {
    r.ok(ops::open_round("r1", 3, 3, /*live=*/true), "fac");
    const v1::Event e = r.ok(ops::vote("x1"), "anna");
    const board::EventViews views = r.board.views_of(e);
    const v1::Event& to_ben = views.for_viewer("ben", v1::ROLE_PARTICIPANT);
    REQUIRE(to_ben.op().redacted().tallies_size() == 1);
    CHECK(to_ben.op().redacted().tallies(0).dots() == 1);
    CHECK(r.board.view_for("ben").tallies_size() == 1);
    CHECK(r.board.view_for("ben").ballots_size() == 0);
    // Taking the last dot back empties the counts: unambiguous, not just "nothing".
    const v1::Event back = r.ok(ops::retract("x1"), "anna");
    const board::EventViews back_views = r.board.views_of(back);
    const v1::Event& empty = back_views.for_viewer("fac", v1::ROLE_FACILITATOR);
    CHECK(empty.op().redacted().tallies_replaced());
    CHECK(empty.op().redacted().tallies_size() == 0);
  }
}

// ---------------------------------------------------------------- people and control

TEST_CASE("roles: promote, demote, rename, remove - never without a facilitator", "[board][facilitation][roles]") {
  Room r;
  CHECK(r.rejected(ops::set_role("fac", v1::ROLE_PARTICIPANT), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  r.ok(ops::set_role("ben", v1::ROLE_FACILITATOR), "fac");
  r.ok(ops::lock(true), "ben");  // co-facilitator
  r.ok(ops::set_role("fac", v1::ROLE_PARTICIPANT), "ben");
  CHECK(r.rejected(ops::lock(false), "fac") == v1::REJECT_CODE_NOT_PERMITTED);
  r.ok(ops::rename("anna", "Anna M."), "anna");  // oneself
  CHECK(r.rejected(ops::rename("ben", "Boss"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  r.ok(ops::rename("anna", "Anna Müller"), "ben");
  CHECK(r.board.participant("anna")->display_name() == "Anna Müller");

  r.ok(ops::raise_hand(), "anna");
  r.ok(ops::remove_participant("anna"), "ben");
  CHECK(r.board.participant("anna")->removed());
  CHECK(r.board.state().raised_hands_size() == 0);
  CHECK(r.rejected(ops::create_note("x", "x"), "anna") == v1::REJECT_CODE_REMOVED);
  // A removed identity cannot come back.
  CHECK(r.rejected(ops::join("anna", "Anna", v1::ROLE_PARTICIPANT), board::kSystemAuthor) == v1::REJECT_CODE_REMOVED);
  CHECK(r.rejected(ops::remove_participant("ben"), "ben") == v1::REJECT_CODE_INVALID_FIELD);
}

TEST_CASE("join code rotation reaches facilitators only", "[board][facilitation][roles]") {
  Room r;
  const v1::Event e = r.ok(ops::rotate_join_code("K7Q2XP"), "fac");
  CHECK(r.board.join_code() == "K7Q2XP");
  const board::EventViews v = r.board.views_of(e);
  CHECK(v.for_viewer("fac", v1::ROLE_FACILITATOR).op().rotate_join_code().join_code() == "K7Q2XP");
  CHECK(v.for_viewer("anna", v1::ROLE_PARTICIPANT).SerializeAsString().find("K7Q2XP") == std::string::npos);
  CHECK(r.board.view_for("anna").join_code().empty());
  CHECK(r.board.view_for("fac").join_code() == "K7Q2XP");
  CHECK(r.rejected(ops::rotate_join_code("lower"), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(r.rejected(ops::rotate_join_code("ABCD12"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
}

TEST_CASE("pseudonymous boards show participants as Person N, facilitators the names", "[board][facilitation][roles]") {
  Room r;
  r.ok(ops::pseudonymous(true), "fac");
  const v1::Event joined = r.ok(ops::join("cleo", "Cleo Schmidt", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  const board::EventViews v = r.board.views_of(joined);
  CHECK(v.for_viewer("anna", v1::ROLE_PARTICIPANT).SerializeAsString().find("Cleo") == std::string::npos);
  CHECK(v.for_viewer("cleo", v1::ROLE_PARTICIPANT).op().participant_joined().participant().display_name() == "Cleo Schmidt");
  CHECK(v.for_viewer("fac", v1::ROLE_FACILITATOR).op().participant_joined().participant().display_name() == "Cleo Schmidt");
  CHECK(r.board.visible_name("cleo", "anna") == "Person 5");
  CHECK(r.board.visible_name("cleo", "fac") == "Cleo Schmidt");
  CHECK(r.board.view_for("anna").SerializeAsString().find("Cleo") == std::string::npos);
}

TEST_CASE("control: area lock, follow-me, hands, closing", "[board][facilitation][control]") {
  Room r;
  r.ok(ops::create_note("n", "x", 0, 0, "a1"), "anna");
  r.ok(ops::lock_area("a1", true), "fac");
  CHECK(r.rejected(ops::create_note("m", "y", 0, 0, "a1"), "anna") == v1::REJECT_CODE_BOARD_LOCKED);
  CHECK(r.rejected(ops::update_note_text("n", "y"), "anna") == v1::REJECT_CODE_BOARD_LOCKED);
  v1::Op out = ops::move(v1::OBJECT_KIND_NOTE, "n", 0, 0);
  out.mutable_move()->set_area_id("a2");
  CHECK(r.rejected(out, "anna") == v1::REJECT_CODE_BOARD_LOCKED);
  r.ok(ops::create_note("m", "y", 0, 0, "a2"), "anna");  // other areas stay open
  r.ok(ops::create_note("f", "Moderation", 0, 0, "a1"), "fac");
  r.ok(ops::lock_area("a1", false), "fac");
  r.ok(ops::update_note_text("n", "y"), "anna");

  r.ok(ops::follow_me(true), "fac");
  CHECK(r.board.state().follow_me().facilitator_id() == "fac");
  CHECK(r.rejected(ops::follow_me(true), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  r.ok(ops::raise_hand(), "ben");
  r.ok(ops::raise_hand(), "anna");
  CHECK(r.rejected(ops::raise_hand(), "ben") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(r.rejected(ops::raise_hand(), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(r.rejected(ops::lower_hand("ben"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  r.ok(ops::lower_hand("ben"), "fac");
  CHECK(r.board.state().raised_hands(0) == "anna");

  r.ok(ops::open_round("r1"), "fac");
  r.ok(ops::vote("n"), "anna");
  r.ok(ops::close_workshop(), "fac");
  CHECK(r.board.closed());
  CHECK(r.board.state().rounds(0).results_size() == 1);  // the open round was counted
  CHECK(r.rejected(ops::create_note("z", "z"), "fac") == v1::REJECT_CODE_WORKSHOP_CLOSED);
  CHECK(r.rejected(ops::lock(false), "fac") == v1::REJECT_CODE_WORKSHOP_CLOSED);
  r.ok(ops::join("reader", "Nachleser", v1::ROLE_OBSERVER), board::kSystemAuthor);  // viewing stays possible
}
