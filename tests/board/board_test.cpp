// The board core: every op, every reject code, field masks, delete/restore,
// determinism and snapshots.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "support/board_fixture.hpp"
#include "support/ops.hpp"
#include "support/render.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/limits.hpp"
#include "werkstatt/board/templates.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;
using werkstatt::test::render;

namespace {

// A board with a facilitator ("fac"), two participants ("anna", "ben") and an
// observer ("beamer") who have joined.
struct Session : test::BoardFixture {
  Session() : BoardFixture(1'700'000'000'000, 1) {
    ok(ops::join("fac", "Fran", v1::ROLE_FACILITATOR), board::kSystemAuthor);
    ok(ops::join("anna", "Anna", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
    ok(ops::join("ben", "Ben", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
    ok(ops::join("beamer", "Beamer", v1::ROLE_OBSERVER), board::kSystemAuthor);
  }
};

}  // namespace

TEST_CASE("a created note carries its author, defaults and seqs", "[board][note]") {
  Session s;
  const v1::Event e = s.ok(ops::create_note("n1", "Fachkräftemangel im Handwerk", 10, 20), "anna");
  CHECK(e.seq() == 5);
  CHECK(e.author_id() == "anna");
  // The journaled op is normalised: default colour and size are explicit.
  CHECK(e.op().create_note().color() == v1::COLOR_YELLOW);
  CHECK(e.op().create_note().size().width() == board::limits::kDefaultNoteSide);

  const v1::Note* n = s.board.note("n1");
  REQUIRE(n);
  CHECK(n->text() == "Fachkräftemangel im Handwerk");
  CHECK(n->author_id() == "anna");
  CHECK(n->created_seq() == 5);
  CHECK(n->updated_seq() == 5);
  CHECK(n->position().x() == 10);
  CHECK(s.board.seq() == 5);
}

TEST_CASE("an update changes exactly the masked fields", "[board][note][mask]") {
  Session s;
  s.ok(ops::create_note("n1", "alt"), "anna");
  v1::Op op;
  auto* u = op.mutable_update_note();
  u->set_id("n1");
  u->add_mask(v1::NOTE_FIELD_COLOR);
  u->set_color(v1::COLOR_BLUE);
  u->set_text("must not be applied");  // not in the mask
  const v1::Event e = s.ok(op, "anna");
  CHECK(s.board.note("n1")->text() == "alt");
  CHECK(s.board.note("n1")->color() == v1::COLOR_BLUE);
  CHECK(s.board.note("n1")->updated_seq() == e.seq());
  // Unmasked fields are dropped from the journaled op.
  CHECK(e.op().update_note().text().empty());

  SECTION("several fields at once, duplicates in the mask are harmless") {
    v1::Op both;
    auto* b = both.mutable_update_note();
    b->set_id("n1");
    b->add_mask(v1::NOTE_FIELD_TEXT);
    b->add_mask(v1::NOTE_FIELD_SIZE);
    b->add_mask(v1::NOTE_FIELD_TEXT);
    b->set_text("neu");
    b->mutable_size()->set_width(200);
    b->mutable_size()->set_height(100);
    const v1::Event e2 = s.ok(both, "anna");
    CHECK(e2.op().update_note().mask_size() == 2);
    CHECK(s.board.note("n1")->text() == "neu");
    CHECK(s.board.note("n1")->size().width() == 200);
    CHECK(s.board.note("n1")->color() == v1::COLOR_BLUE);
  }
  SECTION("an empty mask is rejected") {
    v1::Op empty;
    empty.mutable_update_note()->set_id("n1");
    empty.mutable_update_note()->set_text("x");
    CHECK(s.rejected(empty, "anna") == v1::REJECT_CODE_INVALID_FIELD);
  }
  SECTION("an unknown mask field is rejected") {
    v1::Op bad = ops::update_note_text("n1", "x");
    bad.mutable_update_note()->add_mask(static_cast<v1::NoteField>(99));
    CHECK(s.rejected(bad, "anna") == v1::REJECT_CODE_INVALID_FIELD);
  }
}

TEST_CASE("concurrent edits of one field: the later seq wins", "[board][lww]") {
  Session s;
  s.ok(ops::create_note("n1", "start"), "fac");
  s.ok(ops::update_note_text("n1", "from anna"), "fac");
  s.ok(ops::update_note_text("n1", "from ben"), "fac");
  CHECK(s.board.note("n1")->text() == "from ben");
  s.ok(ops::update_note_color("n1", v1::COLOR_PINK), "fac");
  CHECK(s.board.note("n1")->text() == "from ben");  // other field untouched
}

TEST_CASE("participants edit their own notes - editing others' is for facilitators", "[board][permissions]") {
  Session s;
  s.ok(ops::create_note("n1", "Annas Idee"), "anna");
  CHECK(s.rejected(ops::update_note_text("n1", "Bens Version"), "ben") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::remove(v1::OBJECT_KIND_NOTE, "n1"), "ben") == v1::REJECT_CODE_NOT_PERMITTED);
  s.ok(ops::update_note_text("n1", "Annas bessere Idee"), "anna");
  s.ok(ops::update_note_text("n1", "moderiert"), "fac");
  // Moving and clustering others' notes is how a group sorts a board.
  s.ok(ops::move(v1::OBJECT_KIND_NOTE, "n1", 300, 300), "ben");
  CHECK(s.board.note("n1")->position().x() == 300);
}

TEST_CASE("observers and unknown authors cannot change anything", "[board][permissions]") {
  Session s;
  s.ok(ops::create_note("n1", "x"), "anna");
  CHECK(s.rejected(ops::create_note("n2", "x"), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_NOTE, "n1", 1, 1), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::vote("n1"), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::create_note("n2", "x"), "mallory") == v1::REJECT_CODE_NOT_PERMITTED);
  // Only the system announces joins: nobody can make themselves a facilitator.
  CHECK(s.rejected(ops::join("anna", "Anna", v1::ROLE_FACILITATOR), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::join("anna", "Anna", v1::ROLE_FACILITATOR), "fac") == v1::REJECT_CODE_NOT_PERMITTED);
  // The system writes notes only as a board's content (a copy of an earlier
  // date's): without an author, and it changes or votes on nobody's.
  s.ok(ops::create_note("n3", "vom letzten Termin"), board::kSystemAuthor);
  CHECK(s.board.note("n3")->author_id().empty());
  CHECK(s.rejected(ops::update_note_text("n1", "y"), board::kSystemAuthor) == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_NOTE, "n1", 1, 1), board::kSystemAuthor) == v1::REJECT_CODE_NOT_PERMITTED);
}

TEST_CASE("areas and settings belong to facilitators", "[board][area][permissions]") {
  Session s;
  CHECK(s.rejected(ops::create_area("a1", "Herausforderungen"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  s.ok(ops::create_area("a1", "Herausforderungen"), "fac");
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_AREA, "a1", 10, 10), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::remove(v1::OBJECT_KIND_AREA, "a1"), "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(ops::lock(true), "anna") == v1::REJECT_CODE_NOT_PERMITTED);

  v1::Op rename;
  auto* u = rename.mutable_update_area();
  u->set_id("a1");
  u->add_mask(v1::AREA_FIELD_TITLE);
  u->set_title("Chancen & Potenziale");
  u->mutable_rect()->set_width(5);  // unmasked: ignored even though invalid
  s.ok(rename, "fac");
  CHECK(s.board.area("a1")->title() == "Chancen & Potenziale");
  CHECK(s.board.area("a1")->rect().width() == 1000);

  s.ok(ops::move(v1::OBJECT_KIND_AREA, "a1", -500, 250), "fac");
  CHECK(s.board.area("a1")->rect().x() == -500);
  CHECK(s.board.area("a1")->rect().width() == 1000);  // a move keeps the size
  // Moving it so that it sticks out of the board is invalid.
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_AREA, "a1", board::limits::kBoardExtent - 10, 0), "fac") ==
        v1::REJECT_CODE_INVALID_FIELD);
}

TEST_CASE("notes live in areas - a deleted area takes no new notes", "[board][area]") {
  Session s;
  s.ok(ops::create_area("a1", "Lösungsansätze"), "fac");
  s.ok(ops::create_note("n1", "Radweg", 10, 10, "a1"), "anna");
  CHECK(s.board.note("n1")->area_id() == "a1");
  CHECK(s.rejected(ops::create_note("n2", "x", 0, 0, "a9"), "anna") == v1::REJECT_CODE_UNKNOWN_OBJECT);

  v1::Op rehome = ops::move(v1::OBJECT_KIND_NOTE, "n1", 50, 60);
  rehome.mutable_move()->set_area_id("");
  s.ok(rehome, "ben");
  CHECK(s.board.note("n1")->area_id().empty());

  s.ok(ops::remove(v1::OBJECT_KIND_AREA, "a1"), "fac");
  CHECK(s.rejected(ops::create_note("n2", "x", 0, 0, "a1"), "anna") == v1::REJECT_CODE_OBJECT_DELETED);
  v1::Op into = ops::move(v1::OBJECT_KIND_NOTE, "n1", 1, 1);
  into.mutable_move()->set_area_id("a1");
  CHECK(s.rejected(into, "anna") == v1::REJECT_CODE_OBJECT_DELETED);
  s.ok(ops::restore(v1::OBJECT_KIND_AREA, "a1"), "fac");
  s.ok(into, "anna");
  CHECK(s.board.note("n1")->area_id() == "a1");
}

TEST_CASE("delete and restore: edits of a deleted note are rejected, restore brings it back", "[board][delete]") {
  Session s;
  s.ok(ops::create_note("n1", "ÖPNV-Takt"), "anna");
  s.ok(ops::update_note_color("n1", v1::COLOR_GREEN), "anna");
  const std::string live = render(s.board.state());
  s.ok(ops::remove(v1::OBJECT_KIND_NOTE, "n1"), "anna");
  CHECK(s.board.note("n1")->deleted());

  CHECK(s.rejected(ops::update_note_text("n1", "x"), "anna") == v1::REJECT_CODE_OBJECT_DELETED);
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_NOTE, "n1", 1, 1), "anna") == v1::REJECT_CODE_OBJECT_DELETED);
  CHECK(s.rejected(ops::remove(v1::OBJECT_KIND_NOTE, "n1"), "anna") == v1::REJECT_CODE_OBJECT_DELETED);
  CHECK(s.rejected(ops::vote("n1"), "ben") == v1::REJECT_CODE_OBJECT_DELETED);
  CHECK(s.rejected(ops::restore(v1::OBJECT_KIND_NOTE, "n1"), "ben") == v1::REJECT_CODE_NOT_PERMITTED);

  s.ok(ops::restore(v1::OBJECT_KIND_NOTE, "n1"), "anna");
  const v1::Note* n = s.board.note("n1");
  CHECK_FALSE(n->deleted());
  CHECK(n->text() == "ÖPNV-Takt");
  CHECK(n->color() == v1::COLOR_GREEN);
  CHECK(s.rejected(ops::restore(v1::OBJECT_KIND_NOTE, "n1"), "anna") == v1::REJECT_CODE_NOT_DELETED);
  // Apart from seqs the restored note equals the live one.
  CHECK(render(s.board.state()).size() == live.size());
}

TEST_CASE("clusters group notes - deleting a cluster un-clusters them", "[board][cluster]") {
  Session s;
  s.ok(ops::create_note("n1", "Bus"), "anna");
  s.ok(ops::create_note("n2", "Bahn"), "ben");
  s.ok(ops::create_note("n3", "Rad"), "ben");
  // Dropping one note onto another makes a cluster of both in one op.
  s.ok(ops::create_cluster("c1", "Mobilität", {"n1", "n2"}), "anna");
  CHECK(s.board.note("n1")->cluster_id() == "c1");
  CHECK(s.board.note("n2")->cluster_id() == "c1");
  s.ok(ops::add_to_cluster("c1", "n3"), "anna");
  CHECK(s.board.note("n3")->cluster_id() == "c1");
  CHECK(s.rejected(ops::add_to_cluster("c1", "n3"), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  s.ok(ops::remove_from_cluster("n3"), "ben");
  CHECK(s.board.note("n3")->cluster_id().empty());
  CHECK(s.rejected(ops::remove_from_cluster("n3"), "ben") == v1::REJECT_CODE_INVALID_FIELD);

  v1::Op rename;
  rename.mutable_update_cluster()->set_id("c1");
  rename.mutable_update_cluster()->add_mask(v1::CLUSTER_FIELD_TITLE);
  rename.mutable_update_cluster()->set_title("ÖPNV & Rad");
  s.ok(rename, "ben");
  CHECK(s.board.cluster("c1")->title() == "ÖPNV & Rad");
  s.ok(ops::move(v1::OBJECT_KIND_CLUSTER, "c1", 400, -400), "ben");
  CHECK(s.board.cluster("c1")->position().y() == -400);

  CHECK(s.rejected(ops::create_cluster("c2", "x", {"n1", "n1"}), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::create_cluster("c2", "x", {"n9"}), "anna") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(s.rejected(ops::add_to_cluster("c9", "n1"), "anna") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(s.rejected(ops::create_cluster("c2", "x"), "beamer") == v1::REJECT_CODE_NOT_PERMITTED);

  s.ok(ops::remove(v1::OBJECT_KIND_CLUSTER, "c1"), "anna");
  CHECK(s.board.note("n1")->cluster_id().empty());
  CHECK(s.board.note("n2")->cluster_id().empty());
  CHECK(s.rejected(ops::add_to_cluster("c1", "n1"), "anna") == v1::REJECT_CODE_OBJECT_DELETED);
  s.ok(ops::restore(v1::OBJECT_KIND_CLUSTER, "c1"), "anna");
  CHECK(s.board.cluster("c1")->title() == "ÖPNV & Rad");
}

TEST_CASE("votes: budget, per-note maximum, retract, deleted notes refund", "[board][vote]") {
  Session s;
  s.ok(ops::create_note("n1", "A"), "anna");
  s.ok(ops::create_note("n2", "B"), "anna");
  s.ok(ops::create_note("n3", "C"), "anna");
  CHECK(s.rejected(ops::vote("n1"), "ben") == v1::REJECT_CODE_VOTING_CLOSED);
  s.ok(ops::open_round("r1", 5, 3), "fac");
  for (int i = 0; i < 3; ++i) s.ok(ops::vote("n1"), "ben");
  CHECK(s.rejected(ops::vote("n1"), "ben") == v1::REJECT_CODE_LIMIT_REACHED);
  s.ok(ops::vote("n2"), "ben");
  s.ok(ops::vote("n2"), "ben");
  CHECK(s.board.dots_of("ben") == 5);
  CHECK(s.rejected(ops::vote("n3"), "ben") == v1::REJECT_CODE_LIMIT_REACHED);
  s.ok(ops::retract("n1"), "ben");
  CHECK(s.board.dots_on("n1") == 2);
  s.ok(ops::vote("n3"), "ben");
  CHECK(s.rejected(ops::retract("n3"), "anna") == v1::REJECT_CODE_NO_VOTE);
  CHECK(s.rejected(ops::vote("n9"), "anna") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(s.rejected(ops::retract("n9"), "anna") == v1::REJECT_CODE_UNKNOWN_OBJECT);

  s.ok(ops::remove(v1::OBJECT_KIND_NOTE, "n2"), "anna");
  CHECK(s.board.dots_of("ben") == 3);  // the two dots on n2 are back in ben's budget
  CHECK(s.board.dots_on("n2") == 0);
}

TEST_CASE("settings: masks, language, pseudonymity", "[board][settings]") {
  Session s;
  v1::Op op;
  auto* u = op.mutable_update_settings();
  u->add_mask(v1::SETTINGS_FIELD_PSEUDONYMOUS);
  u->mutable_settings()->set_pseudonymous(true);
  u->mutable_settings()->set_title("ignored: not in the mask");
  const v1::Event e = s.ok(op, "fac");
  CHECK(s.board.settings().pseudonymous());
  CHECK(s.board.settings().title().empty());
  CHECK(e.op().update_settings().settings().title().empty());

  v1::Op lang;
  lang.mutable_update_settings()->add_mask(v1::SETTINGS_FIELD_LANGUAGE);
  lang.mutable_update_settings()->mutable_settings()->set_language("fr");
  CHECK(s.rejected(lang, "fac") == v1::REJECT_CODE_INVALID_FIELD);
  lang.mutable_update_settings()->mutable_settings()->set_language("en");
  s.ok(lang, "fac");
  CHECK(s.board.settings().language() == "en");
}

TEST_CASE("a locked board stops participants but not facilitators", "[board][lock]") {
  Session s;
  s.ok(ops::create_note("n1", "vorher"), "anna");
  s.ok(ops::lock(true), "fac");
  CHECK(s.rejected(ops::create_note("n2", "x"), "anna") == v1::REJECT_CODE_BOARD_LOCKED);
  CHECK(s.rejected(ops::update_note_text("n1", "x"), "anna") == v1::REJECT_CODE_BOARD_LOCKED);
  s.ok(ops::create_note("n2", "Moderation"), "fac");
  s.ok(ops::open_round("r1"), "fac");
  CHECK(s.rejected(ops::vote("n1"), "ben") == v1::REJECT_CODE_BOARD_LOCKED);
  s.ok(ops::lock(false), "fac");
  s.ok(ops::create_note("n3", "nachher"), "anna");
}

TEST_CASE("ids are validated and unique across kinds", "[board][ids]") {
  Session s;
  s.ok(ops::create_note("n1", "x"), "anna");
  CHECK(s.rejected(ops::create_note("n1", "y"), "ben") == v1::REJECT_CODE_DUPLICATE_ID);
  CHECK(s.rejected(ops::create_cluster("n1", "y"), "ben") == v1::REJECT_CODE_DUPLICATE_ID);
  CHECK(s.rejected(ops::create_area("n1", "y"), "fac") == v1::REJECT_CODE_DUPLICATE_ID);
  CHECK(s.rejected(ops::create_note("", "y"), "ben") == v1::REJECT_CODE_INVALID_ID);
  CHECK(s.rejected(ops::create_note("has space", "y"), "ben") == v1::REJECT_CODE_INVALID_ID);
  CHECK(s.rejected(ops::create_note("<script>", "y"), "ben") == v1::REJECT_CODE_INVALID_ID);
  CHECK(s.rejected(ops::create_note(std::string(65, 'a'), "y"), "ben") == v1::REJECT_CODE_INVALID_ID);
  s.ok(ops::create_note(std::string(64, 'a'), "y"), "ben");
  CHECK(s.rejected(ops::update_note_text("nope", "y"), "ben") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_CLUSTER, "n1", 0, 0), "ben") == v1::REJECT_CODE_UNKNOWN_OBJECT);
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_UNSPECIFIED, "n1", 0, 0), "ben") == v1::REJECT_CODE_INVALID_FIELD);
}

TEST_CASE("text: length in code points, valid UTF-8, no control characters", "[board][text]") {
  Session s;
  const std::string umlauts(board::limits::kMaxNoteTextChars, 'x');
  s.ok(ops::create_note("n1", umlauts), "anna");
  std::string max_umlauts;
  for (std::size_t i = 0; i < board::limits::kMaxNoteTextChars; ++i) max_umlauts += "ä";  // 2 bytes each
  s.ok(ops::create_note("n2", max_umlauts), "anna");
  CHECK(s.rejected(ops::create_note("n3", max_umlauts + "ä"), "anna") == v1::REJECT_CODE_TEXT_TOO_LONG);
  CHECK(s.rejected(ops::create_note("n3", "bad \xC3\x28 utf8"), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::create_note("n3", std::string("nul\0byte", 8)), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  s.ok(ops::create_note("n3", "zwei\nZeilen\tund Tab"), "anna");
  CHECK(s.rejected(ops::update_note_text("n3", "\x1b[31mrot"), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::create_area("a1", "Titel\nmit Umbruch"), "fac") == v1::REJECT_CODE_INVALID_FIELD);
}

TEST_CASE("coordinates and sizes must be finite and on the board", "[board][geometry]") {
  Session s;
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK(s.rejected(ops::create_note("n1", "x", nan, 0), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::create_note("n1", "x", 0, inf), "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::create_note("n1", "x", 2 * board::limits::kBoardExtent, 0), "anna") ==
        v1::REJECT_CODE_INVALID_FIELD);
  s.ok(ops::create_note("n1", "x", -board::limits::kBoardExtent, board::limits::kBoardExtent), "anna");
  CHECK(s.rejected(ops::move(v1::OBJECT_KIND_NOTE, "n1", 0, -inf), "anna") == v1::REJECT_CODE_INVALID_FIELD);

  v1::Op tiny;
  tiny.mutable_update_note()->set_id("n1");
  tiny.mutable_update_note()->add_mask(v1::NOTE_FIELD_SIZE);
  tiny.mutable_update_note()->mutable_size()->set_width(1);
  tiny.mutable_update_note()->mutable_size()->set_height(100);
  CHECK(s.rejected(tiny, "anna") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::create_area("a1", "x", 0, 0, 10, 1000), "fac") == v1::REJECT_CODE_INVALID_FIELD);
  v1::Op bad_color = ops::update_note_color("n1", static_cast<v1::Color>(42));
  CHECK(s.rejected(bad_color, "anna") == v1::REJECT_CODE_INVALID_FIELD);
}

TEST_CASE("an op message without an op is rejected", "[board]") {
  Session s;
  CHECK(s.rejected(v1::Op{}, "anna") == v1::REJECT_CODE_EMPTY_OP);
}

TEST_CASE("limits: notes, areas and participants are bounded", "[board][limits]") {
  Session s;
  for (std::size_t i = 0; i < board::limits::kMaxAreas; ++i)
    s.ok(ops::create_area("a" + std::to_string(i), "Bereich"), "fac");
  CHECK(s.rejected(ops::create_area("one-more", "x"), "fac") == v1::REJECT_CODE_LIMIT_REACHED);

  // The participant role fills the places; the facilitator and the observer take none.
  for (std::size_t i = 0; s.board.holding_participants() < board::limits::kMaxParticipants; ++i)
    s.ok(ops::join("p" + std::to_string(i), "Gast", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  CHECK(s.board.state().participants_size() == board::limits::kMaxParticipants + 2);
  CHECK(s.rejected(ops::join("late", "Zu spät", v1::ROLE_PARTICIPANT), board::kSystemAuthor) ==
        v1::REJECT_CODE_LIMIT_REACHED);
  // A known identity can always come back.
  s.ok(ops::leave("anna"), board::kSystemAuthor);
  s.ok(ops::join("anna", "Anna", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  // Only active identities count: a removed one frees its place (and stays removed).
  v1::Op remove;
  remove.mutable_remove_participant()->set_participant_id("p10");
  s.ok(remove, "fac");
  s.ok(ops::join("late", "Zu spät", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  CHECK(s.rejected(ops::join("later", "Noch später", v1::ROLE_PARTICIPANT), board::kSystemAuthor) ==
        v1::REJECT_CODE_LIMIT_REACHED);
  CHECK(s.rejected(ops::join("p10", "Wieder da", v1::ROLE_PARTICIPANT), board::kSystemAuthor) == v1::REJECT_CODE_REMOVED);
  CHECK_FALSE(s.board.check_invariants());

  // Notes: fill directly up to the limit (deleted ones count: they stay restorable).
  for (std::size_t i = 0; i < board::limits::kMaxNotes; ++i) {
    auto r = s.board.apply(ops::create_note("n" + std::to_string(i), "x"), "anna", 0);
    REQUIRE(r.ok());
  }
  CHECK(s.rejected(ops::create_note("overflow", "x"), "anna") == v1::REJECT_CODE_LIMIT_REACHED);
}

TEST_CASE("joins and leaves track who is online - a rejoin keeps the identity", "[board][participants]") {
  Session s;
  s.ok(ops::leave("ben"), board::kSystemAuthor);
  CHECK_FALSE(s.board.participant("ben")->online());
  CHECK(s.rejected(ops::leave("ben"), board::kSystemAuthor) == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::leave("nobody"), board::kSystemAuthor) == v1::REJECT_CODE_UNKNOWN_OBJECT);
  const std::uint64_t first_join = s.board.participant("ben")->joined_seq();
  s.ok(ops::join("ben", "Benjamin", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  CHECK(s.board.participant("ben")->online());
  CHECK(s.board.participant("ben")->display_name() == "Benjamin");
  CHECK(s.board.participant("ben")->joined_seq() == first_join);
  // A rejoin keeps the role; only the facilitator token raises it.
  s.ok(ops::join("fac", "Fran", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  CHECK(s.board.participant("fac")->role() == v1::ROLE_FACILITATOR);
  s.ok(ops::join("ben", "Ben", v1::ROLE_FACILITATOR), board::kSystemAuthor);
  CHECK(s.board.participant("ben")->role() == v1::ROLE_FACILITATOR);
  CHECK(s.rejected(ops::join("ben", "Ben", v1::ROLE_SYSTEM), board::kSystemAuthor) == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.rejected(ops::join("x", std::string(61, 'x'), v1::ROLE_PARTICIPANT), board::kSystemAuthor) ==
        v1::REJECT_CODE_TEXT_TOO_LONG);
}

TEST_CASE("determinism: the same events give byte-identical state - snapshots round-trip", "[board][determinism]") {
  Session s;
  std::vector<v1::Event> events;
  // Re-create the Session's joins as events, then a small session.
  board::Board fresh;
  const v1::BoardState joined = s.board.state();
  for (const auto& p : joined.participants()) {
    auto r = fresh.apply(ops::join(p.id(), p.display_name(), p.role()), board::kSystemAuthor, 0);
    REQUIRE(r.ok());
    events.push_back(r.event());
  }
  const auto add = [&](const v1::Op& op, const char* who) {
    auto r = fresh.apply(op, who, 42);
    REQUIRE(r.ok());
    events.push_back(r.event());
  };
  add(ops::create_area("a1", "Herausforderungen"), "fac");
  add(ops::create_note("n1", "Leerstand in Ortskernen", 5, 5, "a1"), "anna");
  add(ops::create_note("n2", "Breitband", 15, 5, "a1"), "ben");
  add(ops::create_cluster("c1", "Infrastruktur", {"n1", "n2"}), "ben");
  add(ops::open_round("r1"), "fac");
  add(ops::vote("n1"), "anna");
  add(ops::update_note_color("n2", v1::COLOR_ORANGE), "ben");
  add(ops::remove(v1::OBJECT_KIND_NOTE, "n2"), "fac");

  board::Board replayed;
  for (const auto& e : events) REQUIRE_FALSE(replayed.replay(e));
  CHECK(replayed.serialize() == fresh.serialize());
  CHECK(render(replayed.state()) == render(fresh.state()));

  std::string error;
  auto restored = board::Board::restore(fresh.state(), &error);
  REQUIRE(restored);
  CHECK(restored->serialize() == fresh.serialize());
  // The restored board continues exactly like the original.
  auto a = fresh.apply(ops::create_note("n3", "weiter"), "anna", 1);
  auto b = restored->apply(ops::create_note("n3", "weiter"), "anna", 1);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.event().SerializeAsString() == b.event().SerializeAsString());
  CHECK(restored->serialize() == fresh.serialize());

  SECTION("replay refuses a gap in seqs") {
    board::Board gap;
    CHECK(gap.replay(events[1]));
  }
  SECTION("restore refuses a state that breaks an invariant") {
    v1::BoardState broken = fresh.state();
    broken.mutable_notes(0)->set_cluster_id("no-such-cluster");
    CHECK_FALSE(board::Board::restore(broken, &error));
    CHECK(error.find("cluster") != std::string::npos);
  }
}

TEST_CASE("the Impuls-Werkstatt template sets up three areas in the workshop language", "[board][template]") {
  REQUIRE(board::known_template(board::kImpulsWerkstattTemplate));
  CHECK_FALSE(board::known_template("nope"));
  for (const char* lang : {"de", "en"}) {
    board::Board b;
    for (const auto& op : board::template_ops(board::kImpulsWerkstattTemplate, lang, "Regionalplan 2035")) {
      auto r = b.apply(op, board::kSystemAuthor, 0);
      INFO(op.ShortDebugString());
      REQUIRE(r.ok());
    }
    REQUIRE_FALSE(b.check_invariants());
    const v1::BoardState st = b.state();
    CHECK(st.settings().title() == "Regionalplan 2035");
    CHECK(st.settings().language() == lang);
    REQUIRE(st.areas_size() == 3);
    if (std::string(lang) == "de") {
      CHECK(b.area("herausforderungen")->title() == "Herausforderungen");
      CHECK(b.area("chancen")->title() == "Chancen & Potenziale");
      CHECK(b.area("loesungsansaetze")->title() == "Lösungsansätze");
    } else {
      CHECK(b.area("herausforderungen")->title() == "Challenges");
      CHECK(b.area("chancen")->title() == "Opportunities & potentials");
      CHECK(b.area("loesungsansaetze")->title() == "Solution ideas");
    }
  }
}

TEST_CASE("settings: what the projector shows is journaled, facilitators only, valid values only", "[board][settings]") {
  Session s;
  v1::Op op;
  auto* u = op.mutable_update_settings();
  u->add_mask(v1::SETTINGS_FIELD_PROJECTOR);
  u->mutable_settings()->set_projector(v1::PROJECTOR_VIEW_RESULTS);
  CHECK(s.rejected(op, "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(op, "beamer") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.board.settings().projector() == v1::PROJECTOR_VIEW_BOARD);
  const v1::Event e = s.ok(op, "fac");
  CHECK(s.board.settings().projector() == v1::PROJECTOR_VIEW_RESULTS);
  CHECK(e.op().update_settings().settings().projector() == v1::PROJECTOR_VIEW_RESULTS);
  // A value this server does not know changes nothing.
  u->mutable_settings()->set_projector(static_cast<v1::ProjectorView>(77));
  CHECK(s.rejected(op, "fac") == v1::REJECT_CODE_INVALID_FIELD);
  CHECK(s.board.settings().projector() == v1::PROJECTOR_VIEW_RESULTS);
  // Other settings leave it alone.
  v1::Op title;
  title.mutable_update_settings()->add_mask(v1::SETTINGS_FIELD_TITLE);
  title.mutable_update_settings()->mutable_settings()->set_title("Neu");
  s.ok(title, "fac");
  CHECK(s.board.settings().projector() == v1::PROJECTOR_VIEW_RESULTS);
}

TEST_CASE("erasing a person: only the server, the name replaced, removed for good, notes kept, also when closed",
          "[board][erase]") {
  Session s;
  s.ok(ops::create_note("n1", "Idee von Anna"), "anna");
  s.ok(ops::raise_hand(), "anna");
  v1::Op erase;
  erase.mutable_erase_participant()->set_participant_id("anna");
  erase.mutable_erase_participant()->set_display_name("Gelöschte Person 2");
  CHECK(s.rejected(erase, "fac") == v1::REJECT_CODE_NOT_PERMITTED);
  CHECK(s.rejected(erase, "anna") == v1::REJECT_CODE_NOT_PERMITTED);
  s.ok(ops::close_workshop(), "fac");
  s.ok(erase, board::kSystemAuthor);  // a closed workshop too
  const v1::Participant* p = s.board.participant("anna");
  REQUIRE(p);
  CHECK(p->erased());
  CHECK(p->removed());
  CHECK(p->display_name() == "Gelöschte Person 2");
  CHECK(s.board.state().raised_hands_size() == 0);
  REQUIRE(s.board.note("n1"));
  CHECK(s.board.note("n1")->author_id() == "anna");
  CHECK(s.board.state().ShortDebugString().find("\"Anna\"") == std::string::npos);
  CHECK(s.rejected(erase, board::kSystemAuthor) == v1::REJECT_CODE_INVALID_FIELD);  // once
  erase.mutable_erase_participant()->set_participant_id("nobody");
  CHECK(s.rejected(erase, board::kSystemAuthor) == v1::REJECT_CODE_UNKNOWN_OBJECT);
  // A restored snapshot keeps it.
  auto restored = board::Board::restore(s.board.state(), nullptr);
  REQUIRE(restored);
  CHECK(restored->participant("anna")->erased());
}
