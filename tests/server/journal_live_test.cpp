// The journal's promises as a client and an operator see them, over real
// WebSockets and HTTP against a server on a real RocksDB in a temp folder:
// a damaged workshop is not served (the others are), a resend is answered
// with its original seq after 5,000 events and a restart, heads count only
// stored events, and a client that saw a replaced history is told so.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/journal_files.hpp"
#include "support/json_fields.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/board/templates.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;
namespace fs = std::filesystem;

namespace {



Run run_binary(const std::string& args) { return run_shell(std::string(WERKSTATT_BINARY) + " " + args); }

TestServerOptions fast_rocks(const TempDir& dir) {
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  options.limits.ops_per_second = 1e6;  // these tests send thousands of ops
  options.limits.ops_burst = 1e6;
  return options;
}

}  // namespace

TEST_CASE("a workshop whose newest or an old SST block is damaged is not served: typed Error, 503, the others serve",
          "[live][damage]") {
  TempDir dir;
  TestServerOptions options = fast_rocks(dir);
  options.create_workshop = false;
  // Which block of the damaged workshop's events gets the flipped byte. Keys
  // sort by workshop id: the damaged workshop sorts last when its newest
  // block is hit and first when its oldest is, so the damaged block holds
  // none of the healthy workshop's events.
  std::string marker = "NEWEST-Zq8x3v";
  bool damaged_sorts_last = true;
  SECTION("its newest block (the head cannot be read)") {}
  SECTION("an old block (the head reads; the board cannot be rebuilt at start)") {
    marker = "OLDEST-Kp2w9x";
    damaged_sorts_last = false;
  }
  workshop::CreatedWorkshop damaged, healthy;
  {
    TestServer server(options);
    workshop::CreateError failure;
    auto one = server.registry().create("blank", "Eins", "de", &failure);
    auto two = server.registry().create("blank", "Zwei", "de", &failure);
    REQUIRE(one);
    REQUIRE(two);
    // Keys sort by workshop id: the healthy one's events all come before the
    // damaged one's, so the damaged newest block holds only the damaged workshop.
    damaged = (one->id > two->id) == damaged_sorts_last ? *one : *two;
    healthy = (one->id > two->id) == damaged_sorts_last ? *two : *one;
    Peer anna(server.port());
    REQUIRE(anna.join(damaged.id, join_code(damaged.join_code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("first", "OLDEST-Kp2w9x"))));
    for (int i = 0; i < 200; ++i) anna.send(ops::create_note("n" + std::to_string(i), "Notiz " + std::to_string(i)));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("last", "NEWEST-Zq8x3v"))));
    anna.ws().close();
    REQUIRE(server.shutdown(std::chrono::seconds(60)));
  }
  flush_behind((dir.path() / "journal").string());
  int flipped = 0;
  for (const auto& e : fs::directory_iterator(dir.path() / "journal")) {
    if (e.path().extension() != ".sst") continue;
    const std::string bytes = file_bytes(e.path());
    const auto at = bytes.find(marker);
    if (at == std::string::npos) continue;
    std::fstream f(e.path(), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(at + 3));
    f.put('#');
    ++flipped;
  }
  REQUIRE(flipped == 1);

  options.create_workshop = false;
  TestServer server(options);
  CHECK_FALSE(server.registry().find(damaged.id));
  const auto damage = server.registry().damage(damaged.id);
  REQUIRE(damage);
  CHECK(damage->code() == journal::Status::Code::corruption);
  CHECK_THAT(damage->message(), Catch::Contains(damaged.id));

  // A client gets a typed, fatal error; nothing is written.
  Peer anna(server.port());
  CHECK_FALSE(anna.join(damaged.id, join_code(damaged.join_code), "Anna"));
  REQUIRE(anna.errors().size() == 1);
  CHECK(anna.errors().front().code() == v1::ERROR_CODE_WORKSHOP_DAMAGED);
  CHECK(anna.errors().front().fatal());
  // Its REST routes answer 503.
  CHECK(http_request(server.port(), "GET", "/api/workshops/" + damaged.id).status == 503);
  CHECK(http_request(server.port(), "GET",
                     "/api/workshops/" + damaged.id + "/events?t=" + damaged.facilitator_token)
            .status == 503);
  // The other workshop is served.
  Peer bert(server.port());
  REQUIRE(bert.join(healthy.id, join_code(healthy.join_code), "Bert"));
  REQUIRE(bert.wait_ack(bert.send(ops::create_note("b1", "weiter"))));
  CHECK(http_request(server.port(), "GET", "/api/workshops/" + healthy.id).status == 200);
}

TEST_CASE("a resend is answered with its original seq after 5,000 later events and a restart", "[live][idempotent]") {
  TempDir dir;
  TestServerOptions options = fast_rocks(dir);
  workshop::CreatedWorkshop w;
  std::string op_id;
  std::uint64_t original = 0, head = 0;
  std::unique_ptr<Peer> anna_before;
  {
    TestServer server(options);
    w = server.workshop();
    anna_before = std::make_unique<Peer>(server.port());
    REQUIRE(anna_before->join(w.id, join_code(w.join_code), "Anna"));
    op_id = anna_before->send(ops::create_note("dot-note", "einmal"));
    REQUIRE(anna_before->wait_ack(op_id));
    original = anna_before->acks().at(op_id);
    anna_before->ws().close();
    Peer fac(server.port());
    REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
    fac.keep_history(false);
    REQUIRE(fac.wait_ack(fac.send(ops::create_note("f", "x"))));
    for (int burst = 0; burst < 10; ++burst) {
      std::string last;
      for (int i = 0; i < 500; ++i) last = fac.send(ops::update_note_text("f", "x" + std::to_string(burst * 500 + i)));
      REQUIRE(fac.wait_ack(last, std::chrono::seconds(60)));
    }
    REQUIRE(eventually([&] { return server.info().head_seq == fac.seq(); }));
    head = server.info().head_seq;
    CHECK(head >= original + 5000);
    fac.ws().close();
    REQUIRE(server.shutdown(std::chrono::seconds(60)));
  }
  options.create_workshop = false;
  TestServer server(options);
  Peer anna(server.port());
  anna.adopt(*anna_before);
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna", true, original));
  anna.send(ops::create_note("dot-note", "einmal"), op_id);
  REQUIRE(anna.pump_until([&] { return anna.acks().contains(op_id) || anna.rejects().contains(op_id); }));
  CHECK_FALSE(anna.rejects().contains(op_id));
  REQUIRE(anna.acks().contains(op_id));
  CHECK(anna.acks().at(op_id) == original);
  anna.drain();
  // Applied once: nothing but Anna's rejoin was journaled.
  CHECK(server.registry().find(w.id)->info().head_seq <= head + 2);
  CHECK(anna.board().note("dot-note")->text() == "einmal");
}

TEST_CASE("creating a workshop answers once its template is stored: a GET right after shows the template's head",
          "[http][rest][durable]") {
  TempDir dir;
  TestServerOptions options = fast_rocks(dir);
  options.create_workshop = false;
  TestServer server(options);
  const std::uint64_t setup = board::template_ops("impuls-werkstatt", "de", "T").size() + 1;
  for (int i = 0; i < 40; ++i) {
    const auto created = http_request(server.port(), "POST", "/api/workshops", R"({"title":"T"})",
                                      {{"Content-Type", "application/json"}});
    REQUIRE(created.status == 201);
    const std::string id = json_string(created.body, "id");
    const std::string token = json_string(created.body, "facilitator_token");
    const auto info = http_request(server.port(), "GET", "/api/workshops/" + id);
    INFO("try " << i);
    CHECK_THAT(info.body, Catch::Contains("\"head_seq\":" + std::to_string(setup)));
    const auto page = http_request(server.port(), "GET", "/api/workshops/" + id + "/events?t=" + token);
    REQUIRE(page.status == 200);
    v1::EventPage events;
    REQUIRE(events.ParseFromString(page.body));
    CHECK(events.head_seq() == setup);
    CHECK(static_cast<std::uint64_t>(events.events_size()) == setup);
  }
}

TEST_CASE("after a restore, a client that saw more gets a history-reset Welcome with the full state, never a "
          "partial resume",
          "[live][history][binary]") {
  TempDir dir;
  TestServerOptions options = fast_rocks(dir);
  workshop::CreatedWorkshop w;
  std::unique_ptr<Peer> anna_before;
  std::uint64_t backup_head = 0, seen = 0;
  std::string history_before;
  {
    TestServer server(options);
    w = server.workshop();
    anna_before = std::make_unique<Peer>(server.port());
    REQUIRE(anna_before->join(w.id, join_code(w.join_code), "Anna"));
    REQUIRE(anna_before->wait_ack(anna_before->send(ops::create_note("kept", "vor dem Backup"))));
    backup_head = server.info().head_seq;
    // A backup while serving (a read-only copy).
    REQUIRE(journal::RocksJournal::backup((dir.path() / "journal").string(), (dir.path() / "backup").string()).ok());
    for (int i = 0; i < 3; ++i)
      REQUIRE(anna_before->wait_ack(anna_before->send(ops::create_note("lost" + std::to_string(i), "nach dem Backup"))));
    seen = anna_before->seq();
    history_before = anna_before->welcome().history_id();
    CHECK_FALSE(history_before.empty());
    anna_before->ws().close();
    REQUIRE(server.shutdown());
  }
  REQUIRE(seen > backup_head);
  // The operator restores the older backup with the real binary.
  const Run restored = run_binary("restore --data " + dir.path().string() + " --from " +
                                  (dir.path() / "backup").string() + " --replace");
  INFO(restored.output);
  REQUIRE(restored.exit_code == 0);

  options.create_workshop = false;
  TestServer server(options);
  SECTION("a client that saw seqs the restored history does not have") {
    Peer anna(server.port());
    anna.adopt(*anna_before);
    REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna", true, seen));
    CHECK(anna.welcome().history_reset());
    CHECK_FALSE(anna.welcome().resumed());
    CHECK(anna.welcome().has_state());
    CHECK(anna.welcome().history_id() != history_before);
    CHECK(anna.board().note("kept"));
    CHECK_FALSE(anna.board().note("lost0"));
  }
  SECTION("a client within the restored head but from the replaced history") {
    Peer anna(server.port());
    anna.adopt(*anna_before);
    // Its board is at `seen`; pretend it had only seen up to the backup's head.
    REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna", true, backup_head - 1));
    CHECK(anna.welcome().history_reset());
    CHECK_FALSE(anna.welcome().resumed());
    CHECK(anna.welcome().has_state());
  }
  SECTION("a client of the restored history resumes normally") {
    Peer bert(server.port());
    REQUIRE(bert.join(w.id, join_code(w.join_code), "Bert"));
    CHECK_FALSE(bert.welcome().history_reset());
    const std::uint64_t at = bert.seq();
    bert.ws().close();
    Peer again(server.port());
    again.adopt(bert);
    REQUIRE(again.join(w.id, join_code(w.join_code), "Bert", true, at));
    CHECK(again.welcome().resumed());
    CHECK_FALSE(again.welcome().history_reset());
  }
}


TEST_CASE("delete-workshop while serving: typed close, 404, no trace in any file under the data folder, kept "
          "copies erased too",
          "[live][erase][binary]") {
  TempDir dir;
  TestServerOptions options = fast_rocks(dir);
  TestServer server(options);
  const auto w = server.workshop();
  workshop::CreateError failure;
  const auto other = server.registry().create("blank", "Bleibt", "de", &failure);
  REQUIRE(other);
  Peer anna(server.port()), fac(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("secret", "Geheimnis-7f3a9c Vertraulich"))));
  for (int i = 0; i < 50; ++i) anna.send(ops::update_note_text("secret", "Geheimnis-7f3a9c Fassung " + std::to_string(i)));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n2", "Geheimnis-7f3a9c Ende"))));
  // A copy like the one `restore` keeps aside.
  REQUIRE(journal::RocksJournal::backup((dir.path() / "journal").string(),
                                        (dir.path() / "journal.replaced-1764000000").string())
              .ok());
  REQUIRE_FALSE(files_containing(dir.path(), "Geheimnis-7f3a9c").empty());

  // Strangers may not delete.
  CHECK(http_request(server.port(), "DELETE", "/api/workshops/" + w.id).status == 403);
  CHECK(http_request(server.port(), "DELETE", "/api/workshops/" + w.id, "",
                     {{"Authorization", "Bearer " + other->facilitator_token}})
            .status == 403);
  // The facilitator deletes it through the CLI talking to the running server.
  const Run deleted = run_binary("delete-workshop --data " + dir.path().string() + " --workshop " + w.id +
                                 " --yes --server http://127.0.0.1:" + std::to_string(server.port()) + " --token " +
                                 w.facilitator_token);
  INFO(deleted.output);
  REQUIRE(deleted.exit_code == 0);
  CHECK_THAT(deleted.output, Catch::Contains("journal.replaced-1764000000"));

  // Connected clients got a typed, fatal close.
  for (Peer* p : {&anna, &fac}) {
    p->pump_until([&] { return p->ws().is_closed(); });
    REQUIRE_FALSE(p->errors().empty());
    CHECK(p->errors().back().code() == v1::ERROR_CODE_WORKSHOP_DELETED);
    CHECK(p->errors().back().fatal());
  }
  CHECK(http_request(server.port(), "GET", "/api/workshops/" + w.id).status == 404);
  Peer late(server.port());
  CHECK_FALSE(late.join(w.id, join_code(w.join_code), "Spät"));
  // The other workshop is untouched.
  CHECK(http_request(server.port(), "GET", "/api/workshops/" + other->id).status == 200);
  REQUIRE(server.shutdown(std::chrono::seconds(60)));
  const auto traces = files_containing(dir.path(), "Geheimnis-7f3a9c");
  CHECK(traces == std::vector<std::string>{});
}

TEST_CASE("delete-workshop killed halfway leaves it erasable: the rerun finishes, no trace remains",
          "[erase][binary]") {
  TempDir dir;
  TestServerOptions options = fast_rocks(dir);
  workshop::CreatedWorkshop w;
  {
    TestServer server(options);
    w = server.workshop();
    Peer anna(server.port());
    REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("secret", "Geheimnis-9c2b1d Vertraulich"))));
    anna.ws().close();
    REQUIRE(server.shutdown());
  }
  const std::string args = "delete-workshop --data " + dir.path().string() + " --workshop " + w.id + " --yes";
  SECTION("killed after its marker") {
    const Run killed = run_shell("env WERKSTATT_TEST_KILL_ERASE=marker " + std::string(WERKSTATT_BINARY) + " " + args);
    CHECK(killed.exit_code != 0);
  }
  SECTION("killed after the tombstones, before the compaction") {
    const Run killed =
        run_shell("env WERKSTATT_TEST_KILL_ERASE=tombstones " + std::string(WERKSTATT_BINARY) + " " + args);
    CHECK(killed.exit_code != 0);
  }
  // Killed halfway: the text is still in the files.
  REQUIRE_FALSE(files_containing(dir.path(), "Geheimnis-9c2b1d").empty());
  const Run inspect = run_binary("inspect --data " + dir.path().string());
  CHECK_THAT(inspect.output, Catch::Contains("erasure was interrupted"));
  const Run rerun = run_binary(args);
  INFO(rerun.output);
  CHECK(rerun.exit_code == 0);
  CHECK(files_containing(dir.path(), "Geheimnis-9c2b1d") == std::vector<std::string>{});
  // And the server does not bring it back.
  options.create_workshop = false;
  TestServer server(options);
  CHECK_FALSE(server.registry().find(w.id));
}

TEST_CASE("delete while serving, the server killed halfway: the restart finishes the erasure, no trace remains",
          "[live][erase][binary]") {
  TempDir dir;
  const std::string data = dir / "var";
  const auto start = [&](const char* kill_after) {
    // The hook is read by the child only (the test itself never erases).
    if (kill_after) ::setenv("WERKSTATT_TEST_KILL_ERASE", kill_after, 1);
    auto server = std::make_unique<Process>(std::vector<std::string>{
        WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "rocksdb", "--data", data, "--threads", "2"});
    ::unsetenv("WERKSTATT_TEST_KILL_ERASE");
    REQUIRE(server->read_until("ready at"));
    return server;
  };
  const char* step = nullptr;
  SECTION("killed after its marker") { step = "marker"; }
  SECTION("killed after the tombstones, before the compaction") { step = "tombstones"; }
  Demo demo;
  {
    auto server = start(step);
    REQUIRE(server->read_until("observer:"));
    demo = parse_demo(server->output());
    Peer anna(demo.port);
    REQUIRE(anna.join(demo.id, join_code(demo.code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("secret", "Geheimnis-4e8d2a Vertraulich"))));
    const auto asked = http_request(demo.port, "DELETE", "/api/workshops/" + demo.id, "",
                                    {{"Authorization", "Bearer " + demo.token}});
    CHECK(asked.status == 202);
    // The workshop closes its connections first (typed), then erases.
    REQUIRE(anna.pump_until([&] { return anna.ws().is_closed(); }));
    REQUIRE_FALSE(anna.errors().empty());
    CHECK(anna.errors().back().code() == v1::ERROR_CODE_WORKSHOP_DELETED);
    // The erasure kills the server at that step (SIGKILL: no shutdown code runs).
    CHECK(server->wait(std::chrono::seconds(60)) == -1);
    CHECK(server->pid() == 0);  // it ended (by the signal), it did not time out
  }
  // Killed halfway: the text is still in the journal's files.
  REQUIRE_FALSE(files_containing(dir.path(), "Geheimnis-4e8d2a").empty());
  {
    // The next start finishes the erasure before it serves anything.
    auto server = start(nullptr);
    std::smatch m;
    REQUIRE(std::regex_search(server->output(), m, std::regex(R"(ready at http://127\.0\.0\.1:(\d+)/)")));
    const auto port = static_cast<std::uint16_t>(std::stoi(m[1]));
    CHECK(http_request(port, "GET", "/api/workshops/" + demo.id).status == 404);
    Peer anna(port);
    CHECK_FALSE(anna.join(demo.id, join_code(demo.code), "Anna"));
    CHECK(server->terminate() == 0);
  }
  CHECK(files_containing(dir.path(), "Geheimnis-4e8d2a") == std::vector<std::string>{});
}

TEST_CASE("a stopped server's WAL or MANIFEST damaged: the server does not start and says why, inspect too, "
          "nothing is changed",
          "[binary][damage]") {
  TempDir dir;
  const std::string data = dir / "var";
  const fs::path journal_dir = dir.path() / "var" / "journal";
  const auto files_ending = [&](const std::string& suffix) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(journal_dir))
      if (e.path().filename().string().ends_with(suffix) || e.path().filename().string().starts_with(suffix))
        out.push_back(e.path());
    return out;
  };
  bool crash = false;
  std::string damage;
  SECTION("a flipped byte in the WAL before its end (after a crash: the events live only there)") {
    crash = true;
    damage = "wal";
  }
  SECTION("the MANIFEST cut to half (after a clean stop)") { damage = "manifest"; }
  {
    Process server({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "rocksdb", "--data", data, "--threads",
                    "2"});
    REQUIRE(server.read_until("observer:"));
    const Demo demo = parse_demo(server.output());
    Peer anna(demo.port);
    REQUIRE(anna.join(demo.id, join_code(demo.code), "Anna"));
    std::string last;
    for (int i = 0; i < 40; ++i) last = anna.send(ops::create_note("n" + std::to_string(i), "Notiz " + std::to_string(i)));
    REQUIRE(anna.wait_ack(last));
    if (crash) {
      server.kill_now();
    } else {
      anna.ws().close();
      anna.drain();
      CHECK(server.terminate() == 0);
    }
  }
  if (damage == "wal") {
    std::vector<fs::path> logs = files_ending(".log");
    std::erase_if(logs, [](const fs::path& p) { return fs::file_size(p) < 4096; });
    REQUIRE(logs.size() == 1);
    std::fstream f(logs.front(), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(fs::file_size(logs.front()) / 3));
    f.put('\x5a');
  } else {
    const auto manifests = files_ending("MANIFEST-");
    REQUIRE(manifests.size() == 1);
    fs::resize_file(manifests.front(), fs::file_size(manifests.front()) / 2);
  }
  std::vector<std::pair<std::string, std::uintmax_t>> before;
  for (const auto& e : fs::directory_iterator(journal_dir)) before.emplace_back(e.path().filename(), e.file_size());
  std::sort(before.begin(), before.end());

  // `timeout`: a server that starts anyway would keep running (exit 124).
  const Run served = run_shell("timeout 30 " + std::string(WERKSTATT_BINARY) + " serve --port 0 --journal rocksdb --data " +
                               data);
  INFO(served.output);
  CHECK(served.exit_code == 1);
  CHECK_THAT(served.output, Catch::Contains("cannot open the journal") && Catch::Contains("damaged") &&
                                Catch::Contains("werkstatt restore --from <backup> --replace"));
  const Run inspected = run_binary("inspect --data " + data);
  INFO(inspected.output);
  CHECK(inspected.exit_code == 1);
  CHECK_THAT(inspected.output, Catch::Contains("Corruption") || Catch::Contains("not what it was at its last clean stop"));

  std::vector<std::pair<std::string, std::uintmax_t>> after;
  for (const auto& e : fs::directory_iterator(journal_dir)) after.emplace_back(e.path().filename(), e.file_size());
  std::sort(after.begin(), after.end());
  std::erase_if(before, [](const auto& f) { return f.first == "LOCK" || f.first.starts_with("LOG"); });
  std::erase_if(after, [](const auto& f) { return f.first == "LOCK" || f.first.starts_with("LOG"); });
  CHECK(after == before);
}
