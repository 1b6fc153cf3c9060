// Issue 10 at the workshop's edges, over real sockets: identities survive a
// join-code rotation, join codes are unique among open workshops, and a
// closed workshop is frozen.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "support/ops.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

TEST_CASE("a joined identity resumes after the join code was rotated - new people need the current code",
          "[live][join-code][resume]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("annas", "Meine Karte"))));
  REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code("IGNORED"))));
  REQUIRE(anna.wait_seq(fac.seq()));
  anna.ws().close();

  // Anna's device reconnects with what it has: the old code, her id and secret.
  Peer again(port);
  again.adopt(anna);
  REQUIRE(again.join(w.id, join_code(w.join_code), "Anna", /*resume=*/true, anna.seq()));
  CHECK(again.id() == anna.id());
  CHECK(again.welcome().participant_secret().empty());  // the same identity, not a new one
  // She still owns her note.
  REQUIRE(again.wait_ack(again.send(ops::update_note_text("annas", "Immer noch meine"))));

  // Someone new with the old code is refused; with the current one admitted.
  WsClient stranger(port);
  stranger.send(hello(w.id, join_code(w.join_code), "Neu"));
  const auto m = stranger.next();
  REQUIRE(m);
  REQUIRE(m->has_error());
  CHECK(m->error().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
  Peer fresh(port);
  CHECK(fresh.join(w.id, join_code(fac.board().join_code()), "Neu"));
  // A secret that does not match is no identity at all.
  WsClient forger(port);
  forger.send(hello(w.id, join_code(w.join_code), "Anna", anna.id(), "not-her-secret"));
  const auto refused = forger.next();
  REQUIRE(refused);
  REQUIRE(refused->has_error());
  CHECK(refused->error().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
}

TEST_CASE("join codes are unique among the open workshops, at creation and rotation", "[live][join-code]") {
  // A code source that keeps offering codes already taken.
  auto offered = std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{"AAAAAA", "AAAAAA", "BBBBBB", "AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"});
  auto next = std::make_shared<std::size_t>(0);
  TestServerOptions options;
  options.workshop.join_codes = std::make_shared<workshop::JoinCodeBook>([offered, next] {
    const std::string code = (*offered)[std::min(*next, offered->size() - 1)];
    ++*next;
    return code;
  });
  TestServer server(options);
  const auto& first = server.workshop();
  CHECK(first.join_code == "AAAAAA");
  workshop::CreateError error;
  const auto second = server.registry().create("blank", "Zweiter", "de", &error);
  REQUIRE(second);
  CHECK(second->join_code == "BBBBBB");
  // Rotating the first: neither of the codes in use.
  Peer fac(server.port());
  REQUIRE(fac.join(first.id, facilitator(first.facilitator_token), "Fran"));
  REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code("X"))));
  CHECK(fac.board().join_code() == "CCCCCC");
  // Each code leads to exactly its workshop.
  CHECK(server.registry().id_by_join_code("BBBBBB") == second->id);
  CHECK(eventually([&] { return server.registry().id_by_join_code("CCCCCC").has_value(); }));
  CHECK(server.registry().id_by_join_code("CCCCCC") == first.id);
  // The old code is free again once the rotation is stored.
  CHECK(eventually([&] { return !options.workshop.join_codes->held("AAAAAA"); }));
}

TEST_CASE("a closed workshop is frozen: no joins, leaves or new people are recorded, the code admits nobody",
          "[live][close]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Vor dem Ende"))));
  REQUIRE(fac.wait_ack(fac.send(ops::close_workshop())));
  REQUIRE(anna.wait_seq(fac.seq()));
  const std::uint64_t closed_at = server.journal().head_seq(w.id).value();
  const auto minutes = [&] {
    return http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=md&t=" + w.facilitator_token).body;
  };
  const std::string before = minutes();

  // Anna leaves and comes back to read the board; an observer and a second facilitator look in.
  anna.ws().close();
  Peer again(port);
  again.adopt(anna);
  REQUIRE(again.join(w.id, join_code(w.join_code), "Anna", true, anna.seq()));
  Peer beamer(port), fac2(port);
  REQUIRE(beamer.join(w.id, observer(w.observer_token), "Beamer"));
  REQUIRE(fac2.join(w.id, facilitator(w.facilitator_token), "Fran 2"));
  CHECK(fac2.welcome().state().closed());
  CHECK(fac2.welcome().state().notes_size() == 1);
  v1::ClientMessage cursor;
  cursor.mutable_presence()->mutable_cursor()->set_x(5);
  fac2.ws().send(cursor);
  // Someone new with the code: refused, typed.
  WsClient stranger(port);
  stranger.send(hello(w.id, join_code(w.join_code), "Neu"));
  const auto m = stranger.next();
  REQUIRE(m);
  REQUIRE(m->has_error());
  CHECK(m->error().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
  CHECK(http_request(port, "GET", "/api/join/" + w.join_code).status == 404);
  again.ws().close();
  beamer.ws().close();
  fac.drain();

  // Nothing of that is journaled, and the minutes are what they were at the close.
  CHECK(server.journal().head_seq(w.id) == closed_at);
  CHECK(server.info().head_seq == closed_at);
  CHECK(minutes() == before);
  CHECK_THAT(before, Catch::Contains("Teilnehmende: 1 · Moderation: 1 · Beobachtend: 0"));
}
