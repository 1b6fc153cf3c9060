// Workshops loaded on demand and unloaded when idle (WorkshopRegistry), on a
// real RocksDB journal in a temporary folder and real sockets on loopback:
// a restart loads no board, the first Hello or REST call loads one, an idle
// one leaves memory and comes back as it was, and what the organiser sees
// of a workshop that is not loaded comes from its stored summary.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"
#include "support/json_fields.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

TestServerOptions on_disk(const TempDir& dir, std::chrono::milliseconds idle_unload) {
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  options.create_workshop = false;
  options.workshop.idle_unload = idle_unload;
  return options;
}

std::size_t loaded(TestServer& server) { return server.registry().all().size(); }

}  // namespace

TEST_CASE("workshops load on their first use and leave memory when idle, and come back as they were",
          "[on-demand]") {
  TempDir dir;
  std::vector<workshop::CreatedWorkshop> made;
  {
    TestServer server(on_disk(dir, std::chrono::hours(1)));
    for (const char* title : {"Eins", "Zwei", "Drei"}) {
      workshop::CreateError error;
      auto w = server.registry().create("impuls-werkstatt", title, "de", &error);
      REQUIRE(w);
      made.push_back(*w);
    }
    Peer anna(server.port());
    REQUIRE(anna.join(made[0].id, join_code(made[0].join_code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "vor dem Neustart"))));
  }

  TestServer server(on_disk(dir, std::chrono::milliseconds(300)));
  const auto port = server.port();
  // A start reads the catalog and builds no board.
  CHECK(loaded(server) == 0);
  CHECK(server.registry().stored_count() == 3);
  CHECK(http_request(port, "GET", "/metrics").body.find("werkstatt_workshops_loaded 0") != std::string::npos);

  // The organiser's list shows all three from their summaries, loading none.
  auto list = http_request(port, "GET", "/api/workshops");
  REQUIRE(list.status == 200);
  for (const char* title : {"Eins", "Zwei", "Drei"}) CHECK(list.body.find(title) != std::string::npos);
  CHECK(loaded(server) == 0);

  // The join code finds a workshop that is not loaded; the Hello loads it.
  auto join = http_request(port, "GET", "/api/join/" + made[0].join_code);
  REQUIRE(join.status == 200);
  CHECK(json_string(join.body, "workshop_id") == made[0].id);
  CHECK(loaded(server) == 0);
  std::uint64_t seq_before = 0;
  {
    Peer ben(server.port());
    REQUIRE(ben.join(made[0].id, join_code(made[0].join_code), "Ben"));
    CHECK(loaded(server) == 1);
    REQUIRE(ben.board().note("n1"));
    CHECK(ben.board().note("n1")->text() == "vor dem Neustart");
    // Held while someone is connected, however long.
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    CHECK(server.registry().unload_idle() == 0);
    CHECK(loaded(server) == 1);
    REQUIRE(ben.wait_ack(ben.send(ops::create_note("n2", "geladen"))));
    seq_before = ben.seq();
  }
  // Nobody there: unloaded after the idle time, by the registry's own timer.
  REQUIRE(eventually([&] { return loaded(server) == 0; }, std::chrono::seconds(10)));

  // A REST call loads it again, with everything stored.
  auto info = http_request(port, "GET", "/api/workshops/" + made[0].id);
  REQUIRE(info.status == 200);
  CHECK(json_string(info.body, "title") == "Eins");
  CHECK(std::stoull(json_raw(info.body, "head_seq")) >= seq_before);
  REQUIRE(eventually([&] { return loaded(server) == 0; }, std::chrono::seconds(10)));

  // And a Hello again: the board continues where it was, seqs gapless.
  Peer ben(server.port());
  REQUIRE(ben.join(made[0].id, join_code(made[0].join_code), "Ben"));
  REQUIRE(ben.board().note("n2"));
  const std::string id = ben.send(ops::create_note("n3", "wieder da"));
  REQUIRE(ben.wait_ack(id));
  CHECK(ben.board().note("n3"));
  CHECK(ben.seq() > seq_before);
}

TEST_CASE("an unloaded workshop keeps its rotated join code and its closing", "[on-demand]") {
  TempDir dir;
  TestServer server(on_disk(dir, std::chrono::milliseconds(200)));
  const auto port = server.port();
  workshop::CreateError error;
  auto open = server.registry().create("impuls-werkstatt", "Offen", "de", &error);
  auto done = server.registry().create("impuls-werkstatt", "Beendet", "de", &error);
  REQUIRE(open);
  REQUIRE(done);
  std::string rotated;
  {
    Peer fac(port);
    v1::Credential facilitator;
    facilitator.set_facilitator_token(open->facilitator_token);
    REQUIRE(fac.join(open->id, facilitator, "Moderation"));
    REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code(""))));
    rotated = fac.board().join_code();
    REQUIRE(rotated != open->join_code);
  }
  {
    Peer fac(port);
    v1::Credential facilitator;
    facilitator.set_facilitator_token(done->facilitator_token);
    REQUIRE(fac.join(done->id, facilitator, "Moderation"));
    v1::Op close;
    close.mutable_close_workshop();
    REQUIRE(fac.wait_ack(fac.send(close)));
  }
  REQUIRE(eventually([&] { return server.registry().all().empty(); }, std::chrono::seconds(10)));

  // The new code finds it without loading it; the old one finds nothing.
  CHECK(json_string(http_request(port, "GET", "/api/join/" + rotated).body, "workshop_id") == open->id);
  CHECK(http_request(port, "GET", "/api/join/" + open->join_code).status == 404);
  // A closed workshop's code admits nobody, loaded or not.
  CHECK(http_request(port, "GET", "/api/join/" + done->join_code).status == 404);
  auto list = http_request(port, "GET", "/api/workshops");
  REQUIRE(list.status == 200);
  const auto at = list.body.find("\"title\":\"Beendet\"");
  REQUIRE(at != std::string::npos);
  const auto closed_field = list.body.find("\"closed\":", at);
  REQUIRE(closed_field != std::string::npos);
  CHECK(list.body.compare(closed_field, 13, "\"closed\":true") == 0);
  CHECK(server.registry().all().empty());
}
