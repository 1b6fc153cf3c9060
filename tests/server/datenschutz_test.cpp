// Data protection as an operator and a data-protection officer see it, over
// real HTTP and WebSockets against a server on a real RocksDB in a temp
// folder: retention periods erase workshops by themselves (with a test clock
// moved forward by days, never a wall-clock wait), also across restarts.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "harness.hpp"
#include "support/journal_files.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDay = 86'400'000;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string json_string(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const auto at = body.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  return body.substr(from, body.find('"', from) - from);
}

// The raw JSON value of a top-level number/true/false/null field.
std::string json_raw(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  const auto at = body.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  return body.substr(from, body.find_first_of(",}", from) - from);
}

const std::map<std::string, std::string> kJson = {{"Content-Type", "application/json"}};

struct Created {
  std::string id, facilitator_token, join_code;
};

Created create(std::uint16_t port, const std::string& body) {
  const auto r = http_request(port, "POST", "/api/workshops", body, kJson);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return {json_string(r.body, "id"), json_string(r.body, "facilitator_token"), json_string(r.body, "join_code")};
}

unsigned status_of(std::uint16_t port, const std::string& id) {
  return http_request(port, "GET", "/api/workshops/" + id).status;
}

// A server on RocksDB in `dir` whose retention sweep reads a clock the test
// moves, and looks often (the look is cheap; nothing waits on wall-clock days).
TestServerOptions retention_server(const TempDir& dir, std::shared_ptr<std::atomic<std::int64_t>> offset) {
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  options.audit_log = dir.path() / "audit.jsonl";
  options.create_workshop = false;
  options.workshop.retention_sweep_interval = std::chrono::milliseconds(20);
  options.workshop.retention_clock = [offset] { return wall_ms() + offset->load(); };
  return options;
}

}  // namespace

TEST_CASE("retention: due workshops are erased by the server itself, counted from closing or the last activity, "
          "kept across restarts - 0 keeps, the others stay",
          "[live][retention]") {
  TempDir dir;
  auto offset = std::make_shared<std::atomic<std::int64_t>>(0);
  const TestServerOptions options = retention_server(dir, offset);
  Created closed3, open5, keep, fallback;
  {
    TestServer server(options);
    const auto port = server.port();
    closed3 = create(port, R"({"title":"Kurzfrist-4b1d","retention_days":3})");
    open5 = create(port, R"({"title":"Offen-77c2","retention_days":5})");
    keep = create(port, R"({"title":"Dauerhaft-90aa","retention_days":0})");
    fallback = create(port, R"({"title":"Standard-51e0"})");  // the server's default: 90 days

    // The organiser's view of the retention.
    const auto info = http_request(port, "GET", "/api/workshops/" + closed3.id);
    CHECK(json_raw(info.body, "retention_days") == "3");
    CHECK(json_raw(fallback.id.empty() ? "" : http_request(port, "GET", "/api/workshops/" + fallback.id).body,
                   "retention_days") == "90");
    CHECK(json_raw(http_request(port, "GET", "/api/workshops/" + keep.id).body, "erase_after_ms") == "null");

    // Bad values are refused and create nothing.
    for (const char* bad : {R"({"retention_days":-1})", R"({"retention_days":3.5})", R"({"retention_days":"3"})",
                            R"({"retention_days":36501})", R"({"retention_days":03})"}) {
      const auto r = http_request(port, "POST", "/api/workshops", bad, kJson);
      INFO(bad << " -> " << r.body);
      CHECK(r.status == 400);
    }
    CHECK(server.registry().all().size() == 4);

    // The facilitator closes the first one; someone is still connected to the
    // second when the server stops (its leave is journaled at the stop).
    Peer fac(port), anna(port);
    REQUIRE(fac.join(closed3.id, facilitator(closed3.facilitator_token), "Fran"));
    REQUIRE(fac.wait_ack(fac.send(ops::create_note("n1", "Notiz-Kurzfrist-4b1d"))));
    REQUIRE(fac.wait_ack(fac.send(ops::close_workshop())));
    REQUIRE(anna.join(open5.id, join_code(open5.join_code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Notiz-Offen-77c2"))));
    const std::string closed_info = http_request(port, "GET", "/api/workshops/" + closed3.id).body;
    CHECK(json_raw(closed_info, "closed") == "true");
    const std::int64_t closed_at = std::stoll(json_raw(closed_info, "last_activity_ms"));
    CHECK(std::stoll(json_raw(closed_info, "erase_after_ms")) == closed_at + 3 * kDay);

    // Two days on: nothing is due.
    offset->store(2 * kDay);
    server.registry().sweep_retention();
    CHECK(server.registry().all().size() == 4);
    REQUIRE(server.shutdown(std::chrono::seconds(30)));
  }

  // Four days on, after a restart: the stored 3 days count from the closing,
  // not from the restart; the never-closed workshop (5 days after its last
  // edit; the leave at the stop is no activity) is not due yet.
  offset->store(4 * kDay);
  {
    TestServer server(options);
    const auto port = server.port();
    REQUIRE(eventually([&] { return status_of(port, closed3.id) == 404; }, std::chrono::seconds(30)));
    server.registry().sweep_retention();
    CHECK(status_of(port, open5.id) == 200);
    CHECK(status_of(port, keep.id) == 200);
    CHECK(status_of(port, fallback.id) == 200);
    REQUIRE(server.shutdown(std::chrono::seconds(30)));
  }
  CHECK(files_containing(dir.path(), "Kurzfrist-4b1d") == std::vector<std::string>{});
  CHECK_FALSE(files_containing(dir.path() / "journal", "Offen-77c2").empty());

  // Restarted again a week on (twice: the clock never restarts) and then far
  // beyond the default: the 5-day and the 90-day workshops go, 0 stays.
  offset->store(7 * kDay);
  {
    TestServer server(options);
    const auto port = server.port();
    REQUIRE(eventually([&] { return status_of(port, open5.id) == 404; }, std::chrono::seconds(30)));
    CHECK(status_of(port, fallback.id) == 200);
    offset->store(91 * kDay);
    REQUIRE(eventually([&] { return status_of(port, fallback.id) == 404; }, std::chrono::seconds(30)));
    offset->store(36'000 * kDay);
    server.registry().sweep_retention();
    CHECK(status_of(port, keep.id) == 200);
    REQUIRE(server.shutdown(std::chrono::seconds(30)));
  }
  for (const char* gone : {"Kurzfrist-4b1d", "Offen-77c2", "Standard-51e0"}) {
    INFO(gone);
    CHECK(files_containing(dir.path(), gone) == std::vector<std::string>{});
  }
  CHECK_FALSE(files_containing(dir.path() / "journal", "Dauerhaft-90aa").empty());

  // One audit line per erasure: the id, the reason, never a title.
  const std::string audit = file_bytes(dir.path() / "audit.jsonl");
  for (const auto* w : {&closed3, &open5, &fallback}) {
    INFO(audit);
    CHECK(audit.find(R"("event":"workshop_erased","client":"server","workshop":")" + w->id +
                     R"(","reason":"retention")") != std::string::npos);
  }
  CHECK(audit.find(keep.id + R"(","reason":"retention")") == std::string::npos);
  CHECK(audit.find("Kurzfrist") == std::string::npos);
}
