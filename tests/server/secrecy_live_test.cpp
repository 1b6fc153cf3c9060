// Issue 10 over real sockets: what other connections and the replay API
// learn of a ballot (nothing that names the voter; nothing at all of a
// hidden-count round before it closes).
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

std::map<std::string, std::string> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

// The event with `seq` as `peer` received it.
const v1::Event* event_at(const Peer& peer, std::uint64_t seq) {
  for (const auto& e : peer.events())
    if (e.seq() == seq) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("ballots on the live path: no other connection learns the voter", "[live][secrecy][vote]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port), ben(port), beamer(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(beamer.join(w.id, observer(w.observer_token), "Beamer"));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("x1", "Eins"))));
  const bool live = GENERATE(false, true);
  INFO((live ? "live counts" : "hidden counts"));
  REQUIRE(fac.wait_ack(fac.send(ops::open_round("r1", 3, 3, live))));

  const std::string vote = anna.send(ops::vote("x1"));
  REQUIRE(anna.wait_ack(vote));
  const std::uint64_t seq = anna.acks().at(vote);
  std::string bytes;
  for (Peer* other : {&fac, &ben, &beamer}) {
    REQUIRE(other->wait_seq(seq));
    const v1::Event* e = event_at(*other, seq);
    REQUIRE(e);
    CHECK(e->author_id().empty());
    REQUIRE(e->op().has_redacted());
    CHECK(e->SerializeAsString().find(anna.id()) == std::string::npos);
    if (live) {
      CHECK(e->op().redacted().tallies_size() == 1);
      CHECK(e->op().redacted().voters() == 1);
    } else {
      CHECK_FALSE(e->op().redacted().tallies_replaced());
      CHECK(e->op().redacted().tallies_size() == 0);
    }
    // Every other connection, whatever its role, receives the same bytes.
    if (bytes.empty()) bytes = e->SerializeAsString();
    CHECK(e->SerializeAsString() == bytes);
  }
  // A joiner's Welcome: counts only with live counts, for the facilitator too.
  Peer late_fac(port);
  REQUIRE(late_fac.join(w.id, facilitator(w.facilitator_token), "Fran 2"));
  CHECK(late_fac.welcome().state().tallies_size() == (live ? 1 : 0));
  CHECK(late_fac.welcome().state().ballots_size() == 0);
}

TEST_CASE("replay API: counts per note and round, never a voter - a hidden round stays hidden until it closes",
          "[http][replay][secrecy]") {
  TempDir dir;
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  TestServer server(options);
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("x1", "Eins"))));
  REQUIRE(fac.wait_ack(fac.send(ops::open_round("r1", 3, 3, /*live=*/false))));
  REQUIRE(anna.wait_ack(anna.send(ops::vote("x1"))));
  REQUIRE(anna.wait_ack(anna.send(ops::vote("x1"))));
  const auto get = [&](const std::string& what) {
    const auto r = http_request(port, "GET", "/api/workshops/" + w.id + "/" + what, "", bearer(w.facilitator_token));
    REQUIRE(r.status == 200);
    return r.body;
  };
  // While the hidden round is open: no counts, no votes.
  v1::ReplayState open_state;
  REQUIRE(open_state.ParseFromString(get("state")));
  CHECK(open_state.state().ballots_size() == 0);
  v1::EventPage open_page;
  REQUIRE(open_page.ParseFromString(get("events")));
  int votes = 0;
  for (const auto& e : open_page.events()) {
    CHECK_FALSE(e.op().has_cast_vote());
    if (e.op().has_redacted()) {
      CHECK(e.author_id().empty());
      ++votes;
    }
  }
  CHECK(votes == 2);
  CHECK(get("export?format=json").find(R"("voter_id": "p)") == std::string::npos);  // participant ids start with p

  // Closed: the record shows counts per note and round, still never the voter.
  REQUIRE(fac.wait_ack(fac.send(ops::close_round("r1"))));
  v1::ReplayState closed_state;
  REQUIRE(closed_state.ParseFromString(get("state")));
  REQUIRE(closed_state.state().ballots_size() == 1);
  CHECK(closed_state.state().ballots(0).voter_id().empty());
  CHECK(closed_state.state().ballots(0).dots() == 2);
  v1::EventPage page;
  REQUIRE(page.ParseFromString(get("events")));
  int casts = 0;
  for (const auto& e : page.events())
    if (e.op().has_cast_vote()) {
      CHECK(e.author_id().empty());
      CHECK(e.SerializeAsString().find(anna.id()) == std::string::npos);
      ++casts;
    }
  CHECK(casts == 2);
  const std::string json = get("export?format=json");
  CHECK(json.find(R"("voter_id": "p)") == std::string::npos);
  CHECK(json.find("\"voters\": 1") != std::string::npos);
}

namespace {

v1::ClientMessage presence(double x, const std::string& typing = {}, std::vector<std::string> dragged = {}) {
  v1::ClientMessage m;
  m.mutable_presence()->mutable_cursor()->set_x(x);
  m.mutable_presence()->mutable_cursor()->set_y(0);
  m.mutable_presence()->set_typing_note_id(typing);
  if (!dragged.empty()) {
    for (auto& id : dragged) m.mutable_presence()->mutable_drag()->add_note_ids(id);
    m.mutable_presence()->mutable_drag()->mutable_offset()->set_x(10);
  }
  return m;
}

// The latest presence state of `who` that `viewer` received with a cursor at `x`.
std::optional<v1::PresenceState> presence_at(const Peer& viewer, const std::string& who, double x) {
  for (auto it = viewer.presence().rbegin(); it != viewer.presence().rend(); ++it)
    for (const auto& st : it->update.states())
      if (st.participant_id() == who && st.has_cursor() && st.cursor().x() == x) return st;
  return std::nullopt;
}

}  // namespace

TEST_CASE("presence never names a note its recipient may not see", "[live][secrecy][presence]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("ankommen"))));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("sammeln"))));  // private; facilitators do not watch
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("public1", "Hinweis"))));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("secret1", "Geheim", 0, 0, "herausforderungen"))));
  REQUIRE(anna.wait_seq(fac.seq()));

  // Anna types into her unrevealed note: the facilitator sees her cursor, not the note's id.
  anna.ws().send(presence(11, "secret1"));
  REQUIRE(fac.pump_until([&] { return presence_at(fac, anna.id(), 11).has_value(); }));
  CHECK(presence_at(fac, anna.id(), 11)->typing_note_id().empty());
  // A drag of her own note and a revealed one: only the revealed one is named.
  anna.ws().send(presence(12, "", {"secret1", "public1"}));
  REQUIRE(fac.pump_until([&] { return presence_at(fac, anna.id(), 12).has_value(); }));
  const v1::PresenceState dragged = *presence_at(fac, anna.id(), 12);
  REQUIRE(dragged.has_drag());
  CHECK(dragged.drag().note_ids_size() == 1);
  CHECK(dragged.drag().note_ids(0) == "public1");
  // A note id that does not exist (yet) is no one's business either.
  anna.ws().send(presence(13, "future-note"));
  REQUIRE(fac.pump_until([&] { return presence_at(fac, anna.id(), 13).has_value(); }));
  CHECK(presence_at(fac, anna.id(), 13)->typing_note_id().empty());
  anna.ws().send(presence(14, "secret1"));
  REQUIRE(fac.pump_until([&] { return presence_at(fac, anna.id(), 14).has_value(); }));
  // A facilitator joining now: Welcome.online carries Anna's presence without the id.
  Peer fac2(port);
  REQUIRE(fac2.join(w.id, facilitator(w.facilitator_token), "Fran 2"));
  bool found = false;
  for (const auto& st : fac2.welcome().online())
    if (st.participant_id() == anna.id()) {
      found = true;
      CHECK(st.cursor().x() == 14);
      CHECK(st.typing_note_id().empty());
    }
  CHECK(found);
  CHECK(fac2.welcome().SerializeAsString().find("secret1") == std::string::npos);
}

TEST_CASE("while a voting round is open, participants' cursors reach nobody", "[live][secrecy][presence][vote]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), fac2(port), anna(port), ben(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(fac2.join(w.id, facilitator(w.facilitator_token), "Fran 2"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("x1", "Eins"))));
  REQUIRE(fac.wait_ack(fac.send(ops::open_round("r1", 3, 3, /*live=*/true))));
  REQUIRE(anna.wait_seq(fac.seq()));
  anna.ws().send(presence(21));
  // The same connection's next op is handled after its presence: once acked,
  // the presence is in, so the flush that carries the facilitator's cursor
  // below carries Anna's too, or came after it.
  REQUIRE(anna.wait_ack(anna.send(ops::vote("x1"))));
  fac.ws().send(presence(99));
  for (Peer* viewer : {&fac2, &ben}) {
    REQUIRE(viewer->pump_until([&] { return presence_at(*viewer, fac.id(), 99).has_value(); }));
    CHECK_FALSE(presence_at(*viewer, anna.id(), 21).has_value());
  }
}

TEST_CASE("a new role starts the connection's view over: a fresh Welcome for that role, right after the SetRole",
          "[live][secrecy][role]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port), bob(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(bob.join(w.id, join_code(w.join_code), "Bob"));
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("n1", "Radwege"))));
  REQUIRE(anna.wait_seq(fac.seq()));
  CHECK(anna.board().join_code().empty());  // participants are not shown the code
  CHECK(anna.welcomes() == 1);

  // Promoted: what she was sent as a participant is not a facilitator's view.
  const std::string promote = fac.send(ops::set_role(anna.id(), v1::ROLE_FACILITATOR));
  REQUIRE(fac.wait_ack(promote));
  const std::uint64_t promoted_at = fac.acks().at(promote);
  REQUIRE(anna.pump_until([&] { return anna.welcomes() == 2; }));
  CHECK(anna.welcome().role() == v1::ROLE_FACILITATOR);
  CHECK_FALSE(anna.welcome().resumed());
  CHECK(anna.welcome().seq() == promoted_at);  // right after the SetRole, never before it
  CHECK(anna.welcome().participant_secret().empty());  // a secret is never sent twice
  CHECK(anna.welcome().participant_id() == anna.id());
  CHECK(anna.board().join_code() == w.join_code);
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("n2", "Busse"))));
  REQUIRE(anna.wait_seq(fac.seq()));
  CHECK(anna.common_state() == fac.common_state());

  // Demoted again: the code and whatever else only facilitators see is gone from her board.
  REQUIRE(fac.wait_ack(fac.send(ops::set_role(anna.id(), v1::ROLE_PARTICIPANT))));
  REQUIRE(anna.pump_until([&] { return anna.welcomes() == 3; }));
  CHECK(anna.welcome().role() == v1::ROLE_PARTICIPANT);
  CHECK(anna.board().join_code().empty());
  REQUIRE(anna.wait_seq(fac.seq()));
  REQUIRE(bob.wait_seq(fac.seq()));
  CHECK(anna.common_state() == bob.common_state());

  // Bob's role never changed: one Welcome, every event exactly once.
  bob.drain();
  CHECK(bob.welcomes() == 1);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t s = bob.welcome().seq() + 1; s <= fac.seq(); ++s) expected.push_back(s);
  CHECK(bob.seqs() == expected);
}
