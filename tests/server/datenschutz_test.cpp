// Data protection as an operator and a data-protection officer see it, over
// real HTTP and WebSockets against a server on a real RocksDB in a temp
// folder: retention periods erase workshops by themselves (with a test clock
// moved forward by days, never a wall-clock wait), also across restarts;
// one person's data is exported and erased (DSGVO Art. 15 and 17), and the
// erased name is searched for in every file of the data folder.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "harness.hpp"
#include "support/journal_files.hpp"
#include "support/json_fields.hpp"
#include "support/ops.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"
#include "werkstatt/workshop/secrets.hpp"

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

// A server without a demo workshop whose journal lives in `dir`/journal.
TestServerOptions journal_in(const TempDir& dir) {
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  options.create_workshop = false;
  return options;
}

// A server on RocksDB in `dir` whose retention sweep reads a clock the test
// moves, and looks often (the look is cheap; nothing waits on wall-clock days).
TestServerOptions retention_server(const TempDir& dir, std::shared_ptr<std::atomic<std::int64_t>> offset) {
  TestServerOptions options = journal_in(dir);
  options.audit_log = dir.path() / "audit.jsonl";
  options.workshop.retention_sweep_interval = std::chrono::milliseconds(20);
  options.workshop.retention_clock = [offset] { return wall_ms() + offset->load(); };
  return options;
}

// A workshop created from `body` in which `name` joined and wrote note c1,
// with the server stopped again: what the offline CLI finds.
std::pair<Created, std::string> stopped_after_a_note(const TestServerOptions& options, const std::string& body,
                                                     const std::string& name) {
  TestServer server(options);
  Created w = create(server.port(), body);
  Peer c(server.port());
  REQUIRE(c.join(w.id, join_code(w.join_code), name));
  REQUIRE(c.wait_ack(c.send(ops::create_note("c1", "Notiz bleibt"))));
  const std::string pid = c.id();
  REQUIRE(server.shutdown(std::chrono::seconds(30)));
  return {std::move(w), pid};
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
    closed3 = create(port, R"({"title":"Kvqzwj-4b1d","retention_days":3})");
    open5 = create(port, R"({"title":"Qfxjy-77c2","retention_days":5})");
    keep = create(port, R"({"title":"Dqzwyx-90aa","retention_days":0})");
    fallback = create(port, R"({"title":"Sxkqjv-51e0"})");  // the server's default: 90 days

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
    REQUIRE(fac.wait_ack(fac.send(ops::create_note("n1", "Notiz-Kvqzwj-4b1d"))));
    REQUIRE(fac.wait_ack(fac.send(ops::close_workshop())));
    REQUIRE(anna.join(open5.id, join_code(open5.join_code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Notiz-Qfxjy-77c2"))));
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
  CHECK(files_containing(dir.path(), "Kvqzwj-4b1d") == std::vector<std::string>{});
  CHECK_FALSE(files_containing(dir.path() / "journal", "Qfxjy-77c2").empty());

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
  for (const char* gone : {"Kvqzwj-4b1d", "Qfxjy-77c2", "Sxkqjv-51e0"}) {
    INFO(gone);
    CHECK(files_containing(dir.path(), gone) == std::vector<std::string>{});
  }
  CHECK_FALSE(files_containing(dir.path() / "journal", "Dqzwyx-90aa").empty());

  // One audit line per erasure: the id, the reason, never a title.
  const std::string audit = file_bytes(dir.path() / "audit.jsonl");
  for (const auto* w : {&closed3, &open5, &fallback}) {
    INFO(audit);
    CHECK(audit.find(R"("event":"workshop_erased","client":"server","workshop":")" + w->id +
                     R"(","reason":"retention")") != std::string::npos);
  }
  CHECK(audit.find(keep.id + R"(","reason":"retention")") == std::string::npos);
  CHECK(audit.find("Kvqzwj") == std::string::npos);
}

TEST_CASE("participant export and erasure: the name leaves every file, notes stay under a pseudonym, the old "
          "secret no longer resumes, replay and exports agree, the other workshop is untouched",
          "[live][participant][binary]") {
  TempDir dir;
  TestServerOptions options = journal_in(dir);
  options.audit_log = dir.path() / "audit.jsonl";
  options.admin_token = "admin-token-for-the-test-0123";
  options.workshop.snapshot_every = 5;  // snapshots carry the participants list: some must hold her name
  // Needles share no 4 bytes with anything else stored: SST blocks are
  // Snappy-compressed, and a copy of a shorter match would split a needle
  // so that a byte search misses it ("Bertold" after a "Bert" did).
  const std::string kName = "Jqzvwk Xyplor";  // only in the first workshop
  const std::string kOther = "Bvqzkj Wmyrtu";  // the same person's name in the second one
  auto server = std::make_unique<TestServer>(options);
  auto port = server->port();
  const Created w1 = create(port, R"({"title":"Erste Werkstatt"})");
  const Created w2 = create(port, R"({"title":"Zweite Werkstatt"})");
  const std::map<std::string, std::string> as_fac = {{"Authorization", "Bearer " + w1.facilitator_token}};
  const std::map<std::string, std::string> as_admin = {{"Authorization", "Bearer " + options.admin_token}};

  Peer fac(port), anna(port), bert(port), anna2(port);
  REQUIRE(fac.join(w1.id, facilitator(w1.facilitator_token), "Fran"));
  REQUIRE(anna.join(w1.id, join_code(w1.join_code), kName + " Mustermann"));
  REQUIRE(bert.join(w1.id, join_code(w1.join_code), "Bert"));
  REQUIRE(anna2.join(w2.id, join_code(w2.join_code), kOther));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("a1", "Radweg an der B27"))));
  REQUIRE(anna.wait_ack(anna.send(ops::update_note_text("a1", "Radweg an der B27 bis Sued"))));
  REQUIRE(anna.wait_ack(anna.send(ops::rename(anna.id(), kName + " M."))));
  REQUIRE(bert.wait_ack(bert.send(ops::create_note("b1", "Bus alle 20 Minuten"))));
  REQUIRE(fac.wait_ack(fac.send(ops::open_round("r1", 5, 3, false))));
  REQUIRE(anna.wait_ack(anna.send(ops::vote("b1"))));
  REQUIRE(fac.wait_ack(fac.send(ops::close_round("r1"))));
  REQUIRE(anna2.wait_ack(anna2.send(ops::create_note("z1", "Zweite Notiz"))));
  const std::uint64_t before_erasure = fac.seq();
  const std::string secret_digest = workshop::sha256(anna.secret());
  REQUIRE(eventually([&] { return !files_containing(dir.path() / "journal", kName).empty(); }));

  // Access (Art. 15): the facilitator gets what the record shows, the admin everything stored.
  const std::string export_path = "/api/workshops/" + w1.id + "/participants/" + anna.id() + "/export";
  CHECK(http_request(port, "GET", export_path).status == 403);
  CHECK(http_request(port, "GET", export_path, "", {{"Authorization", "Bearer " + w2.facilitator_token}}).status == 403);
  CHECK(http_request(port, "GET", "/api/workshops/" + w1.id + "/participants/pnobody00000000/export", "", as_fac)
            .status == 404);
  const auto by_fac = http_request(port, "GET", export_path, "", as_fac);
  INFO(by_fac.body);
  REQUIRE(by_fac.status == 200);
  CHECK_THAT(by_fac.body, Catch::Contains(kName + " Mustermann") && Catch::Contains(kName + " M.") &&
                              Catch::Contains("Radweg an der B27 bis Sued") && Catch::Contains("\"scope\": \"facilitator\""));
  CHECK_THAT(by_fac.body, !Catch::Contains("cast_vote") && !Catch::Contains("\"voter_id\""));
  CHECK_THAT(by_fac.body, !Catch::Contains(secret_digest.substr(0, 8)));
  const auto by_admin = http_request(port, "GET", export_path, "", as_admin);
  REQUIRE(by_admin.status == 200);
  CHECK_THAT(by_admin.body, Catch::Contains("\"scope\": \"operator\"") && Catch::Contains("\"cast_vote\"") &&
                                Catch::Contains("\"note_id\": \"b1\"") && Catch::Contains("\"resume_secret_stored\": true"));
  // The CLI, on the server itself (a read-only view of the running journal).
  const Run cli_export = run_shell(std::string(WERKSTATT_BINARY) + " export-participant --data " + dir.path().string() +
                                   " --workshop " + w1.id + " --participant " + anna.id());
  CHECK(cli_export.exit_code == 0);
  CHECK_THAT(cli_export.output, Catch::Contains(kName + " M.") && Catch::Contains("\"cast_vote\""));

  // Erasure (Art. 17) through the running server.
  const std::string erase_path = "/api/workshops/" + w1.id + "/participants/" + anna.id();
  CHECK(http_request(port, "DELETE", erase_path, "", {{"Authorization", "Bearer " + w2.facilitator_token}}).status ==
        403);
  const auto erased = http_request(port, "DELETE", erase_path, "", as_fac);
  INFO(erased.body);
  REQUIRE(erased.status == 200);
  const std::string pseudonym = json_string(erased.body, "display_name");
  CHECK_THAT(pseudonym, Catch::StartsWith("Gelöschte Person "));

  // Her own connection is closed with a typed error; the others see the pseudonym.
  anna.pump_until([&] { return anna.ws().is_closed(); });
  REQUIRE_FALSE(anna.errors().empty());
  CHECK(anna.errors().back().code() == v1::ERROR_CODE_PARTICIPANT_ERASED);
  CHECK(anna.errors().back().fatal());
  REQUIRE(fac.pump_until([&] {
    const auto* p = fac.board().participant(anna.id());
    return p && p->erased();
  }));
  CHECK(fac.board().participant(anna.id())->display_name() == pseudonym);
  REQUIRE(fac.board().note("a1"));
  CHECK(fac.board().note("a1")->author_id() == anna.id());
  CHECK(fac.board().note("a1")->text() == "Radweg an der B27 bis Sued");
  // Her old id and secret no longer resume.
  Peer again(port);
  again.adopt(anna);
  CHECK_FALSE(again.join(w1.id, join_code(w1.join_code), kName, true, anna.seq()));
  // A resume from before the erasure gets the whole (erased) board, not the old events.
  Peer bert_again(port);
  bert_again.adopt(bert);
  REQUIRE(bert_again.join(w1.id, join_code(w1.join_code), "Bert", true, before_erasure - 3));
  CHECK_FALSE(bert_again.welcome().resumed());
  CHECK(bert_again.welcome().state().ShortDebugString().find(kName) == std::string::npos);

  // Replay and exports, also of moments before the erasure, show the pseudonym.
  const auto state_before =
      http_request(port, "GET", "/api/workshops/" + w1.id + "/state?seq=" + std::to_string(before_erasure), "", as_fac);
  REQUIRE(state_before.status == 200);
  CHECK(state_before.body.find(kName) == std::string::npos);
  CHECK(state_before.body.find(pseudonym) != std::string::npos);
  for (const char* format : {"md", "csv", "json"}) {
    const auto exported = http_request(
        port, "GET", "/api/workshops/" + w1.id + "/export?format=" + std::string(format) + "&seq=" + std::to_string(before_erasure),
        "", as_fac);
    INFO(format);
    REQUIRE(exported.status == 200);
    CHECK(exported.body.find(kName) == std::string::npos);
  }
  const auto events = http_request(port, "GET", "/api/workshops/" + w1.id + "/events?from=1", "", as_fac);
  REQUIRE(events.status == 200);
  CHECK(events.body.find(kName) == std::string::npos);
  const auto after = http_request(port, "GET", export_path, "", as_admin);
  REQUIRE(after.status == 200);
  CHECK(after.body.find(kName) == std::string::npos);
  CHECK_THAT(after.body, Catch::Contains("\"erased\": true") && Catch::Contains("\"resume_secret_stored\": false") &&
                             Catch::Contains("Radweg an der B27 bis Sued"));
  // The second workshop is untouched.
  const auto other = http_request(port, "GET", "/api/workshops/" + w2.id + "/participants/" + anna2.id() + "/export",
                                  "", {{"Authorization", "Bearer " + w2.facilitator_token}});
  CHECK_THAT(other.body, Catch::Contains(kOther));

  // No trace of the name or her secret's digest in any file of the data folder.
  CHECK(files_containing(dir.path(), kName) == std::vector<std::string>{});
  CHECK(files_containing(dir.path(), secret_digest) == std::vector<std::string>{});
  CHECK_FALSE(files_containing(dir.path() / "journal", kOther).empty());
  REQUIRE(server->shutdown(std::chrono::seconds(30)));
  server.reset();
  CHECK(files_containing(dir.path(), kName) == std::vector<std::string>{});
  CHECK(files_containing(dir.path(), secret_digest) == std::vector<std::string>{});
  CHECK_FALSE(files_containing(dir.path() / "journal", kOther).empty());

  // The audit log names ids, never the name or a note's text.
  const std::string audit = file_bytes(dir.path() / "audit.jsonl");
  CHECK_THAT(audit, Catch::Contains(R"("event":"participant_erased")") && Catch::Contains(anna.id()));
  CHECK(audit.find("Radweg") == std::string::npos);

  // After a restart: the pseudonym, her note, and still no resume.
  server = std::make_unique<TestServer>(options);
  port = server->port();
  Peer late(port);
  REQUIRE(late.join(w1.id, facilitator(w1.facilitator_token), "Fran"));
  REQUIRE(late.board().participant(anna.id()));
  CHECK(late.board().participant(anna.id())->display_name() == pseudonym);
  CHECK(late.board().note("a1"));
  Peer again2(port);
  again2.adopt(anna);
  CHECK_FALSE(again2.join(w1.id, join_code(w1.join_code), kName, true, anna.seq()));
  REQUIRE(server->shutdown(std::chrono::seconds(30)));
}

TEST_CASE("erase-participant with the server stopped: the CLI journals the erasure and leaves no trace",
          "[participant][binary]") {
  TempDir dir;
  const TestServerOptions options = journal_in(dir);
  const std::string kName = "Cvxqjz Wwyk";
  const auto [w, pid] = stopped_after_a_note(options, R"({"title":"Offline"})", kName);
  // A copy like the one `restore` keeps aside holds her too.
  REQUIRE(journal::RocksJournal::backup((dir.path() / "journal").string(),
                                        (dir.path() / "journal.replaced-1764000000").string())
              .ok());
  REQUIRE_FALSE(files_containing(dir.path() / "journal.replaced-1764000000", kName).empty());
  const std::string base = std::string(WERKSTATT_BINARY) + " erase-participant --data " + dir.path().string() +
                           " --workshop " + w.id + " --participant " + pid;
  CHECK(run_shell(base).exit_code != 0);  // without --yes nothing happens
  CHECK_FALSE(files_containing(dir.path(), kName).empty());
  const Run erased = run_shell(base + " --yes");
  INFO(erased.output);
  REQUIRE(erased.exit_code == 0);
  CHECK_THAT(erased.output, Catch::Contains("journal.replaced-1764000000"));
  CHECK(files_containing(dir.path(), kName) == std::vector<std::string>{});
  TestServer server(options);
  Peer f(server.port());
  REQUIRE(f.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(f.board().participant(pid));
  CHECK(f.board().participant(pid)->erased());
  CHECK(f.board().note("c1"));
  REQUIRE(server.shutdown(std::chrono::seconds(30)));
}

TEST_CASE("erase-participant killed halfway: the next open of the journal finishes it, no trace remains",
          "[participant][binary]") {
  TempDir dir;
  const TestServerOptions options = journal_in(dir);
  const std::string kName = "Kzqvjw Yxplmt";
  const auto [w, pid] = stopped_after_a_note(options, R"({"title":"Halb"})", kName);
  std::string step;
  SECTION("killed after its marker") { step = "participant marker"; }
  SECTION("killed after the rewrite, before the compaction") { step = "participant rewritten"; }
  const Run killed = run_shell("env WERKSTATT_TEST_KILL_ERASE='" + step + "' " + std::string(WERKSTATT_BINARY) +
                               " erase-participant --yes --data " + dir.path().string() + " --workshop " + w.id +
                               " --participant " + pid);
  CHECK(killed.exit_code != 0);
  REQUIRE_FALSE(files_containing(dir.path(), kName).empty());
  const Run inspect = run_shell(std::string(WERKSTATT_BINARY) + " inspect --data " + dir.path().string());
  CHECK(inspect.exit_code == 2);
  CHECK_THAT(inspect.output, Catch::Contains("the erasure of participant " + pid + " was interrupted"));
  {
    TestServer server(options);  // opening the journal finishes the erasure before anything is served
    Peer f(server.port());
    REQUIRE(f.join(w.id, facilitator(w.facilitator_token), "Fran"));
    REQUIRE(f.board().participant(pid));
    CHECK(f.board().participant(pid)->erased());
    CHECK(f.board().note("c1"));
    REQUIRE(server.shutdown(std::chrono::seconds(30)));
  }
  CHECK(files_containing(dir.path(), kName) == std::vector<std::string>{});
}
