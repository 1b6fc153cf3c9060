// The replay API over real HTTP: access control, timeline, state at a seq and
// at a time, event pages, and exports at a moment.
#include <catch2/catch.hpp>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/history/session_cache.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

std::map<std::string, std::string> bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

}  // namespace

TEST_CASE("replay: timeline, state at a seq and a time, event pages, exports", "[http][replay]") {
  TempDir dir;
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  TestServer server(options);
  const auto& w = server.workshop();
  const auto port = server.port();

  // A short session: the facilitator opens the agenda; Anna writes privately; reveal; Anna edits.
  Peer fac(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  Peer anna(port);
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(fac.wait_ack(fac.send(ops::go_to("ankommen"))));
  const std::string to_collect = fac.send(ops::go_to("sammeln"));
  REQUIRE(fac.wait_ack(to_collect));
  // Every phase change is a snapshot, so replay can step through phases cheaply.
  const std::uint64_t phase_seq = fac.acks().at(to_collect);
  v1::Snapshot snapshot;
  CHECK(eventually([&] { return server.journal().latest_snapshot(w.id, phase_seq, &snapshot).ok() && snapshot.seq() == phase_seq; }));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Radwege im Umland", 0, 0, "herausforderungen"))));
  REQUIRE(fac.wait_ack(fac.send(ops::reveal_all())));
  const std::uint64_t before_edit = fac.seq();
  REQUIRE(anna.wait_ack(anna.send(ops::update_note_text("n1", "Radwege im Umland ausbauen"))));
  REQUIRE(fac.wait_seq(anna.seq()));
  const std::uint64_t head = fac.seq();

  SECTION("only the facilitator token opens it") {
    CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/timeline").status == 401);
    CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/timeline", "", bearer(w.observer_token)).status == 403);
    CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/timeline?t=" + w.join_code).status == 403);
    CHECK(http_request(port, "GET", "/api/workshops/nope/timeline", "", bearer(w.facilitator_token)).status == 404);
    CHECK(http_request(port, "POST", "/api/workshops/" + w.id + "/state", "", bearer(w.facilitator_token)).status == 405);
    CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/nope", "", bearer(w.facilitator_token)).status == 404);
  }

  SECTION("timeline") {
    const auto r = http_request(port, "GET", "/api/workshops/" + w.id + "/timeline", "", bearer(w.facilitator_token));
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("cache-control") == "no-store");
    CHECK_THAT(r.body, Catch::Contains("\"head_seq\":" + std::to_string(head)));
    CHECK_THAT(r.body, Catch::Contains(R"("kind":"phase")") && Catch::Contains(R"("label":"Sammeln")"));
    CHECK_THAT(r.body, Catch::Contains(R"("kind":"join")") && Catch::Contains(R"("label":"Anna")"));
    CHECK_THAT(r.body, Catch::Contains(R"("activity":[{"minute_start_ms":)"));
  }

  SECTION("state at a seq: the board as it was, private notes marked") {
    const auto r = http_request(port, "GET", "/api/workshops/" + w.id + "/state?seq=" + std::to_string(before_edit), "",
                                bearer(w.facilitator_token));
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("content-type") == "application/x-protobuf");
    v1::ReplayState st;
    REQUIRE(st.ParseFromString(r.body));
    CHECK(st.seq() == before_edit);
    CHECK(st.time_ms() > 0);
    REQUIRE(st.state().notes_size() == 1);
    CHECK(st.state().notes(0).text() == "Radwege im Umland");  // before the last edit

    // Before the reveal the note is there for the organiser, marked hidden.
    const auto early = http_request(port, "GET", "/api/workshops/" + w.id + "/state?seq=" + std::to_string(before_edit - 1),
                                    "", bearer(w.facilitator_token));
    v1::ReplayState private_state;
    REQUIRE(private_state.ParseFromString(early.body));
    REQUIRE(private_state.state().notes_size() == 1);
    CHECK(private_state.state().notes(0).hidden());

    // At a wall-clock time: the last event at or before it.
    const auto at = http_request(port, "GET", "/api/workshops/" + w.id + "/state?at=" + std::to_string(st.time_ms()),
                                 "", bearer(w.facilitator_token));
    v1::ReplayState by_time;
    REQUIRE(by_time.ParseFromString(at.body));
    CHECK(by_time.seq() >= before_edit);
    CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/state?seq=abc", "", bearer(w.facilitator_token)).status ==
          400);
  }

  SECTION("event pages") {
    const auto r = http_request(port, "GET", "/api/workshops/" + w.id + "/events?from=2&limit=3", "",
                                bearer(w.facilitator_token));
    REQUIRE(r.status == 200);
    v1::EventPage page;
    REQUIRE(page.ParseFromString(r.body));
    REQUIRE(page.events_size() == 3);
    CHECK(page.events(0).seq() == 2);
    CHECK(page.next_from() == 5);
    CHECK(page.head_seq() == head);
    const auto last = http_request(port, "GET", "/api/workshops/" + w.id + "/events?from=" + std::to_string(head), "",
                                   bearer(w.facilitator_token));
    v1::EventPage tail;
    REQUIRE(tail.ParseFromString(last.body));
    REQUIRE(tail.events_size() == 1);
    CHECK(tail.events(0).op().has_update_note());
    CHECK(tail.next_from() == 0);
  }

  SECTION("exports at head and at a moment, as downloads") {
    const auto md = http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=md&t=" + w.facilitator_token);
    REQUIRE(md.status == 200);
    CHECK(md.headers.at("content-type") == "text/markdown; charset=utf-8");
    CHECK_THAT(md.headers.at("content-disposition"), Catch::StartsWith("attachment; filename=\"werkstatt-" + w.id));
    CHECK_THAT(md.body, Catch::Contains("Radwege im Umland ausbauen"));
    const auto csv = http_request(port, "GET",
                                  "/api/workshops/" + w.id + "/export?format=csv&seq=" + std::to_string(before_edit), "",
                                  bearer(w.facilitator_token));
    REQUIRE(csv.status == 200);
    CHECK_THAT(csv.body, Catch::Contains("Radwege im Umland,") && !Catch::Contains("ausbauen"));
    CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=gif", "", bearer(w.facilitator_token))
              .status == 400);
    // A malformed query is a typed 400, even with a token in it: "%zz" was once passed on as
    // the token's own text and refused as a wrong credential (403).
    const auto malformed = http_request(port, "GET", "/api/workshops/" + w.id + "/export?format=md&t=%zz");
    CHECK(malformed.status == 400);
    CHECK_THAT(malformed.body, Catch::Contains("query string is malformed"));
  }
}

TEST_CASE("an export loop replays a workshop once per head, not once per request", "[http][replay]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer anna(port);
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "erste Idee"))));
  auto& cache = history::SessionCache::shared();
  const std::string url = "/api/workshops/" + w.id + "/export?format=md";
  const auto auth = bearer(w.facilitator_token);

  const std::uint64_t misses = cache.misses();
  const auto first = http_request(port, "GET", url, "", auth);
  REQUIRE(first.status == 200);
  CHECK(cache.misses() == misses + 1);
  const std::uint64_t hits = cache.hits();
  for (int i = 0; i < 5; ++i) CHECK(http_request(port, "GET", url, "", auth).body == first.body);
  CHECK(http_request(port, "GET", "/api/workshops/" + w.id + "/timeline", "", auth).status == 200);
  CHECK(cache.hits() == hits + 6);
  CHECK(cache.misses() == misses + 1);

  // A new event is a new head: replayed again, and it shows.
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n2", "zweite Idee"))));
  const auto second = http_request(port, "GET", url, "", auth);
  CHECK(cache.misses() == misses + 2);
  CHECK(second.body.find("zweite Idee") != std::string::npos);
  CHECK(first.body.find("zweite Idee") == std::string::npos);

  // Erasing a person: what was read before (and cached) never comes back.
  CHECK(second.body.find("Anna") != std::string::npos);
  const auto erased = http_request(port, "DELETE", "/api/workshops/" + w.id + "/participants/" + anna.id(), "", auth);
  REQUIRE(erased.status == 200);
  const auto after = http_request(port, "GET", url, "", auth);
  REQUIRE(after.status == 200);
  CHECK(after.body.find("Anna") == std::string::npos);
}

TEST_CASE("event pages and states at a moment replay nothing - the head's policy is decided once per head",
          "[http][replay]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer anna(port);
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  for (int i = 0; i < 4; ++i) REQUIRE(anna.wait_ack(anna.send(ops::create_note("n" + std::to_string(i), "Idee"))));
  auto& cache = history::SessionCache::shared();
  const auto auth = bearer(w.facilitator_token);
  const std::string base = "/api/workshops/" + w.id;

  const std::uint64_t misses = cache.misses();
  for (int from = 1; from <= 5; ++from)
    CHECK(http_request(port, "GET", base + "/events?limit=1&from=" + std::to_string(from), "", auth).status == 200);
  CHECK(cache.misses() == misses + 1);  // one policy for five pages
  // A moment in the past: found by the stored times, rebuilt from a snapshot, the head's policy reused.
  const auto at = http_request(port, "GET", base + "/state?at=1", "", auth);
  REQUIRE(at.status == 200);
  v1::ReplayState state;
  REQUIRE(state.ParseFromString(at.body));
  CHECK(state.seq() == 0);
  CHECK(cache.misses() == misses + 1);

  // A new event is a new head: decided again.
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n9", "neu"))));
  CHECK(http_request(port, "GET", base + "/events?limit=1", "", auth).status == 200);
  CHECK(cache.misses() == misses + 2);
}

TEST_CASE("a typed join code resolves to its workshop, until it is rotated", "[http][join]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  auto r = http_request(port, "GET", "/api/join/" + w.join_code);
  REQUIRE(r.status == 200);
  CHECK(r.body == R"({"workshop_id":")" + w.id + R"("})");
  std::string typed = w.join_code;  // as people type it: lower case
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CHECK(http_request(port, "GET", "/api/join/" + typed).status == 200);
  CHECK(http_request(port, "GET", "/api/join/ZZZZZZ").status == 404);
  CHECK(http_request(port, "POST", "/api/join/" + w.join_code).status == 405);

  Peer fac(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code("ABCDEF"))));  // the server makes the code
  const std::string fresh = fac.board().join_code();
  REQUIRE_FALSE(fresh.empty());
  CHECK(eventually([&] { return http_request(port, "GET", "/api/join/" + w.join_code).status == 404; }));
  CHECK(http_request(port, "GET", "/api/join/" + fresh).status == 200);
}
