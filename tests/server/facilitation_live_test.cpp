// Facilitation over real sockets: what a raw client of another participant
// receives during a private phase (bytes, across welcome, events, resume and
// presence), and a full scripted Impuls-Werkstatt whose replay from the
// journal reproduces the live end state, with minutes naming each round's winners.
#include <catch2/catch.hpp>

#include <cstring>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/history/replay.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

// A participant's connection as raw bytes: everything it receives, serialized.
struct RawClient {
  std::unique_ptr<WsClient> ws;
  std::string bytes;
  std::string participant_id, secret;
  std::uint64_t last_seq = 0;

  void take(const v1::ServerMessage& m) {
    bytes += m.SerializeAsString();
    if (m.has_welcome()) {
      participant_id = m.welcome().participant_id();
      if (!m.welcome().participant_secret().empty()) secret = m.welcome().participant_secret();
      last_seq = m.welcome().seq();
    }
    if (m.has_event()) last_seq = m.event().seq();
  }
  bool connect(std::uint16_t port, const std::string& workshop, const std::string& code, bool resume) {
    ws = std::make_unique<WsClient>(port);
    ws->send(hello(workshop, join_code(code), "Ben", resume ? participant_id : "", resume ? secret : "",
                   resume ? last_seq : 0));
    const auto welcome = ws->wait_for([](const v1::ServerMessage& m) { return m.has_welcome(); },
                                      std::chrono::seconds(5), [&](const v1::ServerMessage& m) { take(m); });
    if (!welcome) return false;
    take(*welcome);
    return true;
  }
  // Everything that arrives within `quiet`.
  void drain(std::chrono::milliseconds quiet = std::chrono::milliseconds(300)) {
    while (auto m = ws->next(quiet)) take(*m);
  }
  [[nodiscard]] bool saw(std::string_view needle) const { return bytes.find(needle) != std::string::npos; }
};

std::string double_bytes(double v) {
  std::string s(sizeof v, '\0');
  std::memcpy(s.data(), &v, sizeof v);  // protobuf encodes doubles as little-endian 8 bytes
  return s;
}

}  // namespace

TEST_CASE("private phase: another participant's socket never carries an unrevealed note", "[live][views][private]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  RawClient ben;
  REQUIRE(ben.connect(server.port(), w.id, w.join_code, false));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("ankommen"))));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("sammeln"))));  // private collection

  const std::string text = "GEHEIM-4711 Ortsumfahrung";
  const double x = 1234.5625, y = -987.3125;
  v1::Op create = ops::create_note("private-note-7f", text, x, y, "herausforderungen");
  create.mutable_create_note()->set_color(v1::COLOR_PURPLE);
  REQUIRE(anna.wait_ack(anna.send(create)));
  // Anna types in it: presence names the note she is typing in, and her cursor is over it.
  v1::ClientMessage typing;
  typing.mutable_presence()->set_typing_note_id("private-note-7f");
  typing.mutable_presence()->mutable_cursor()->set_x(x + 0.5);
  typing.mutable_presence()->mutable_cursor()->set_y(y + 0.5);
  REQUIRE(anna.ws().send(typing));
  // The facilitator drags it (facilitators' cursors stay visible to all in a
  // private phase, their drags must not).
  v1::ClientMessage dragging;
  dragging.mutable_presence()->mutable_drag()->add_note_ids("private-note-7f");
  dragging.mutable_presence()->mutable_drag()->mutable_offset()->set_x(3.25);
  dragging.mutable_presence()->mutable_drag()->mutable_offset()->set_y(4.5);
  dragging.mutable_presence()->mutable_cursor()->set_x(77.25);
  REQUIRE(fac.ws().send(dragging));
  REQUIRE(fac.pump_until([&] {  // the facilitator's own presence went out (with his cursor) ...
    for (const auto& p : fac.presence())
      for (const auto& st : p.update.states())
        if (st.participant_id() == fac.id() && st.has_cursor() && st.cursor().x() == 77.25) {
          // ... without the note: it is one facilitators may not see in this phase.
          CHECK_FALSE(st.has_drag());
          return true;
        }
    return false;
  }));
  REQUIRE(anna.wait_ack(anna.send(ops::update_note_text("private-note-7f", "GEHEIM-4712 Ortsumfahrung"))));
  ben.drain();

  // Ben drops off; Anna moves the note; Ben resumes from his last seq.
  ben.ws->close();
  REQUIRE(anna.wait_ack(anna.send(ops::move(v1::OBJECT_KIND_NOTE, "private-note-7f", x + 100, y))));
  REQUIRE(ben.connect(server.port(), w.id, w.join_code, /*resume=*/true));
  ben.drain();
  // A newcomer's Welcome.
  RawClient late;
  REQUIRE(late.connect(server.port(), w.id, w.join_code, false));
  late.drain();

  for (const RawClient* c : {&ben, &late}) {
    INFO((c == &ben ? "ben" : "late") << " received " << c->bytes.size() << " bytes");
    CHECK(c->bytes.size() > 100);  // it did receive the session
    CHECK_FALSE(c->saw("GEHEIM"));
    CHECK_FALSE(c->saw("private-note-7f"));
    CHECK_FALSE(c->saw(double_bytes(x)));
    CHECK_FALSE(c->saw(double_bytes(y)));
    CHECK_FALSE(c->saw(double_bytes(x + 100)));
    CHECK_FALSE(c->saw(double_bytes(x + 0.5)));  // not her cursor either
  }

  // Revealed per participant: now it reaches everyone.
  REQUIRE(fac.wait_ack(fac.send(ops::reveal_participant(anna.id()))));
  ben.drain();
  CHECK(ben.saw("GEHEIM-4712 Ortsumfahrung"));
  CHECK(ben.saw("private-note-7f"));
}

TEST_CASE("a scripted Impuls-Werkstatt replays to the live end state - minutes name each round's winners",
          "[live][replay][facilitation]") {
  TempDir dir;
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  TestServer server(options);
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port), ben(port), cleo(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(cleo.join(w.id, join_code(w.join_code), "Cleo"));
  const auto run = [](Peer& p, const v1::Op& op) {
    const std::string id = p.send(op);
    INFO(op.ShortDebugString());
    REQUIRE(p.wait_ack(id));
  };

  // Ankommen → Sammeln (private) → Vorstellen & Clustern (reveal per participant) → Bewerten (two rounds) → Diskutieren → Abschluss.
  run(fac, ops::go_to("ankommen", true));
  run(fac, ops::go_to("sammeln", true));
  run(anna, ops::create_note("a1", "Leerstand in Ortskernen", -1700, -600, "herausforderungen"));
  run(anna, ops::create_note("a2", "Coworking im Bahnhof", -500, -600, "chancen"));
  run(ben, ops::create_note("b1", "Fachkräfte fehlen", -1500, -600, "herausforderungen"));
  run(ben, ops::create_note("b2", "Bürgerbus", 700, -600, "loesungsansaetze"));
  run(cleo, ops::create_note("c1", "Breitband auf dem Land", -1300, -600, "herausforderungen"));
  run(cleo, ops::create_note("c2", "Rufbus am Abend", 900, -600, "loesungsansaetze"));
  run(fac, ops::go_to("clustern"));
  for (Peer* p : {&anna, &ben, &cleo}) run(fac, ops::reveal_participant(p->id()));
  run(anna, ops::create_cluster("k1", "Mobilität", {"b2", "c2"}));
  run(ben, ops::create_cluster("k2", "Ortsentwicklung", {"a1", "c1"}));
  run(fac, ops::go_to("bewerten", true));
  run(fac, ops::open_round("r1", 3, 2));
  run(anna, ops::vote("b2"));
  run(anna, ops::vote("b2"));
  run(anna, ops::vote("a1"));
  run(ben, ops::vote("c2"));
  run(ben, ops::vote("b2"));
  run(cleo, ops::vote("b2"));
  run(cleo, ops::vote("a2"));
  run(fac, ops::close_round("r1"));
  run(fac, ops::open_round("r2", 2, 2, /*live=*/true, {"herausforderungen"}));
  run(anna, ops::vote("c1"));
  run(ben, ops::vote("c1"));
  run(cleo, ops::vote("b1"));
  run(fac, ops::close_round("r2"));
  run(fac, ops::go_to("diskutieren"));
  run(anna, ops::raise_hand());
  run(fac, ops::lower_hand(anna.id()));
  run(fac, ops::go_to("abschluss"));

  // The live end state, as a facilitator who joins now is welcomed with it.
  Peer late(port);
  REQUIRE(late.join(w.id, facilitator(w.facilitator_token), "Organiser"));
  const std::uint64_t head = late.seq();
  const auto r = http_request(port, "GET", "/api/workshops/" + w.id + "/state?seq=" + std::to_string(head), "",
                              {{"Authorization", "Bearer " + w.facilitator_token}});
  REQUIRE(r.status == 200);
  v1::ReplayState replayed;
  REQUIRE(replayed.ParseFromString(r.body));
  journal::Status status;
  auto board = history::rebuild(server.journal(), w.id, head, &status);
  INFO(status.message());
  REQUIRE(board);
  CHECK(board->seq() == head);
  CHECK(replayed.seq() == head);
  // Replayed from the journal, the view the late organiser gets is the live one, byte for byte.
  CHECK(board->view_for(late.id()).SerializeAsString() == late.welcome().state().SerializeAsString());
  // The replay API serves the record's view of that board (counts, no voters).
  CHECK(replayed.state().SerializeAsString() == board->record_view(board->record_policy()).SerializeAsString());
  for (const auto& b : replayed.state().ballots()) CHECK(b.voter_id().empty());
  // And everyone's live mirror agrees on the shared board.
  for (Peer* p : {&fac, &anna, &ben, &cleo}) {
    REQUIRE(p->wait_seq(head));
    CHECK(board->view_for(p->id()).notes_size() == p->board().state().notes_size());
  }
  const auto& rounds = replayed.state().rounds();
  REQUIRE(rounds.size() == 2);
  CHECK(rounds[0].results(0).note_id() == "b2");
  CHECK(rounds[0].results(0).dots() == 4);
  CHECK(rounds[1].results(0).note_id() == "c1");

  const auto md = http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=md&t=" + w.facilitator_token);
  REQUIRE(md.status == 200);
  INFO(md.body);
  CHECK_THAT(md.body, Catch::Contains("### Runde 1: Runde r1\n\n3 Punkte je Person, höchstens 2 je Karte"));
  CHECK_THAT(md.body, Catch::Contains("1. **4 Punkte** Bürgerbus"));
  CHECK_THAT(md.body, Catch::Contains("### Runde 2: Runde r2\n\n2 Punkte je Person, höchstens 2 je Karte"));
  CHECK_THAT(md.body, Catch::Contains("1. **2 Punkte** Breitband auf dem Land"));
  for (const char* phase : {"Ankommen", "Sammeln", "Vorstellen & Clustern", "Bewerten", "Diskutieren", "Abschluss"})
    CHECK_THAT(md.body, Catch::Contains(std::string(" ") + phase + "\n"));
}
