// The operator's endpoints: /livez, /readyz (starting, ready, read-only,
// draining), /metrics in the Prometheus text format (checked by Debian's
// promtool against the real binary), and reserved paths that never fall
// through to the web client.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"
#include "log_format.hpp"
#include "probes.hpp"
#include "server_context.hpp"
#include "support/ops.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

// The value of one series in a text exposition (`name{labels} value`), -1 if absent.
double series(const std::string& text, const std::string& name_and_labels) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with(name_and_labels + " ")) return std::stod(line.substr(name_and_labels.size() + 1));
  }
  return -1;
}

// Runs a shell command; its exit status and combined output.
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  while (const std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A static folder with a web client, so a fall-through would answer 200 with index.html.
struct WebClient {
  TempDir dir;
  WebClient() { std::ofstream(dir.path() / "index.html") << "<!doctype html><title>werkstatt</title>"; }
};

}  // namespace

TEST_CASE("probes - /readyz is 503 while starting and read-only, 200 when ready - /livez is always 200",
          "[http][ops]") {
  WebClient client;
  TestServerOptions options;
  options.static_dir = client.dir.path();
  options.ready = false;
  options.workshop.retry_interval = std::chrono::milliseconds(20);
  TestServer server(options);
  const auto port = server.port();

  auto r = http_request(port, "GET", "/readyz");
  CHECK(r.status == 503);
  CHECK(r.headers["content-type"] == "application/json");
  CHECK(r.body == R"({"status":"starting"})");
  r = http_request(port, "GET", "/livez");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"status":"alive"})");

  server.set_ready();
  r = http_request(port, "GET", "/readyz");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"status":"ready"})");
  CHECK(http_request(port, "GET", "/healthz").body == R"({"status":"ok","workshops":1})");

  // The journal refuses writes: not ready (and /healthz says so) until it takes them again.
  Peer anna(port);
  REQUIRE(anna.join(server.workshop().id, join_code(server.workshop().join_code), "Anna"));
  server.memory_journal().fail_writes(true);
  anna.send(ops::create_note("n1", "lost"));
  REQUIRE(eventually([&] { return server.info().read_only; }));
  r = http_request(port, "GET", "/readyz");
  CHECK(r.status == 503);
  CHECK(r.body == R"({"status":"read-only"})");
  CHECK(http_request(port, "GET", "/healthz").status == 503);
  CHECK(http_request(port, "GET", "/livez").status == 200);
  server.memory_journal().fail_writes(false);
  REQUIRE(eventually([&] { return !server.info().read_only; }));
  CHECK(http_request(port, "GET", "/readyz").status == 200);
}

TEST_CASE("a journal that refuses writes is one state for every workshop - one retry loop, all resume", "[ops][read-only]") {
  TestServerOptions options;
  options.workshop.retry_interval = std::chrono::milliseconds(100);
  TestServer server(options);
  const auto port = server.port();
  // Nine workshops, a participant in each.
  std::vector<workshop::CreatedWorkshop> workshops{server.workshop()};
  for (int i = 0; i < 8; ++i) {
    workshop::CreateError error;
    auto created = server.registry().create("impuls-werkstatt", "W" + std::to_string(i), "de", &error);
    REQUIRE(created);
    workshops.push_back(*created);
  }
  std::vector<std::unique_ptr<Peer>> peers;
  for (const auto& w : workshops) {
    peers.push_back(std::make_unique<Peer>(port));
    REQUIRE(peers.back()->join(w.id, join_code(w.join_code), "Anna"));
  }
  const auto all_read_only = [&](bool value) {
    for (const auto& w : server.registry().all())
      if (w->info().read_only != value) return false;
    return true;
  };

  // The disk fills: every workshop turns read-only as it tries to write.
  server.memory_journal().fail_writes(true);
  for (auto& p : peers) p->send(ops::create_note("n1", "lost"));
  REQUIRE(eventually([&] { return all_read_only(true); }));
  CHECK(http_request(port, "GET", "/readyz").body == R"({"status":"read-only"})");

  // One loop retries the journal for all nine, once per interval (nine
  // timers of their own would ask nine times as often).
  const std::size_t before = server.memory_journal().retries();
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(eventually([&] { return server.memory_journal().retries() >= before + 4; }, std::chrono::seconds(20)));
  CHECK(std::chrono::steady_clock::now() - started >= 3 * options.workshop.retry_interval);
  CHECK(server.registry().journal_health().retries() == server.memory_journal().retries());

  // Space is freed: every workshop takes edits again, without a reconnect.
  server.memory_journal().fail_writes(false);
  REQUIRE(eventually([&] { return all_read_only(false); }));
  CHECK(http_request(port, "GET", "/readyz").status == 200);
  for (auto& p : peers) {
    const std::string id = p->send(ops::create_note("n2", "stored"));
    CHECK(p->wait_ack(id));
  }
}

TEST_CASE("a creation the journal refuses makes the server not ready until the journal recovers", "[ops][read-only]") {
  TestServerOptions options;
  options.workshop.retry_interval = std::chrono::milliseconds(50);
  options.create_workshop = false;
  TestServer server(options);
  const auto port = server.port();
  const std::map<std::string, std::string> json = {{"Content-Type", "application/json"}};
  REQUIRE(http_request(port, "GET", "/readyz").status == 200);

  // No workshop has written anything: the failed creation is what tells.
  server.memory_journal().fail_writes(true);
  auto r = http_request(port, "POST", "/api/workshops", R"({"title":"Klimarat"})", json);
  CHECK(r.status == 503);
  r = http_request(port, "GET", "/readyz");
  CHECK(r.status == 503);
  CHECK(r.body == R"({"status":"read-only"})");
  CHECK(server.registry().all().empty());  // nothing half-made is served

  server.memory_journal().fail_writes(false);
  REQUIRE(eventually([&] { return http_request(port, "GET", "/readyz").status == 200; }));
  CHECK(http_request(port, "POST", "/api/workshops", R"({"title":"Klimarat"})", json).status == 201);
}

TEST_CASE("probes - draining is not ready - probe paths take GET and HEAD only", "[http][ops]") {
  net::ProbeState state{.started = true, .draining = true, .read_only = false, .workshops_loaded = 0};
  auto r = net::handle_probe("GET", "/readyz", state);
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(r->body == R"({"status":"draining"})");
  state.draining = false;
  CHECK(net::handle_probe("GET", "/readyz?verbose=1", state)->status == 200);
  r = net::handle_probe("POST", "/metrics", state);
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK_FALSE(net::handle_probe("GET", "/index.html", state));
}

TEST_CASE("reserved paths answer JSON, never the web page", "[http][ops]") {
  WebClient client;
  TestServerOptions options;
  options.static_dir = client.dir.path();
  TestServer server(options);
  const auto port = server.port();
  // The web client still gets its routes (SPA fallback) ...
  CHECK(http_request(port, "GET", "/w/abc").body.find("<title>werkstatt") != std::string::npos);
  // ... but nothing reserved does.
  for (const char* path : {"/api/nope", "/api", "/api/workshops/x/nope/deeper", "/livez/x", "/readyz/", "/metrics/x",
                           "/healthz/x", "/ws/x"}) {
    INFO(path);
    auto r = http_request(port, "GET", path);
    CHECK(r.status == 404);
    CHECK(r.headers["content-type"] == "application/json");
    CHECK(r.body.find("<title>") == std::string::npos);
  }
  auto ws = http_request(port, "GET", "/ws");
  CHECK(ws.status == 426);
  CHECK(ws.headers["content-type"] == "application/json");
}

TEST_CASE("metrics - /metrics counts what happened and carries no workshop id", "[http][ops]") {
  TestServerOptions options;
  options.limits.ops_per_second = 1;
  options.limits.ops_burst = 2;
  TestServer server(options);
  const auto port = server.port();
  const auto scrape = [&] {
    auto r = http_request(port, "GET", "/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
    return r.body;
  };
  const std::string before = scrape();
  const double acked_before = series(before, R"(werkstatt_ops_total{result="acked"})");
  const double appends_before = series(before, "werkstatt_journal_append_seconds_count");
  const double limited_before = std::max(0.0, series(before, R"(werkstatt_rate_limited_total{limit="ops"})"));

  Peer anna(port);
  REQUIRE(anna.join(server.workshop().id, join_code(server.workshop().join_code), "Anna"));
  Peer fran(port);
  REQUIRE(fran.join(server.workshop().id, facilitator(server.workshop().facilitator_token), "Fran"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "eins"))));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n2", "zwei"))));
  const std::string over = anna.send(ops::create_note("n3", "drei"));  // over the burst of 2
  REQUIRE(anna.pump_until([&] { return anna.rejects().contains(over); }));

  const std::string after = scrape();
  CHECK(series(after, R"(werkstatt_ops_total{result="acked"})") >= acked_before + 2);
  CHECK(series(after, "werkstatt_journal_append_seconds_count") > appends_before);
  CHECK(series(after, R"(werkstatt_rate_limited_total{limit="ops"})") >= limited_before + 1);
  CHECK(series(after, R"(werkstatt_op_rejects_total{code="REJECT_CODE_RATE_LIMITED"})") >= 1);
  CHECK(series(after, R"(werkstatt_connections{role="participant"})") >= 1);
  CHECK(series(after, R"(werkstatt_connections{role="facilitator"})") >= 1);
  CHECK(series(after, "werkstatt_workshops_loaded") == 1);
  CHECK(series(after, "werkstatt_journal_read_only") == 0);
  CHECK(series(after, "process_resident_memory_bytes") > 0);
  CHECK(series(after, "process_open_fds") > 0);
  CHECK(series(after, R"(werkstatt_http_requests_total{route="/metrics",status="200"})") >= 1);
  CHECK(after.find(server.workshop().id) == std::string::npos);
}

TEST_CASE("metrics - the real binary's /metrics passes promtool check metrics", "[binary][ops]") {
  TempDir dir;
  Process server({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "memory", "--data", dir / "var",
                  "--threads", "2"});
  REQUIRE(server.read_until("observer:"));
  const Demo demo = parse_demo(server.output());
  {
    Peer anna(demo.port);
    REQUIRE(anna.join(demo.id, join_code(demo.code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Hallo"))));
    anna.ws().close();
  }
  CHECK(http_request(demo.port, "GET", "/readyz").status == 200);
  CHECK(http_request(demo.port, "GET", "/api/nope").status == 404);
  HttpResponse r;
  // The closed connection is counted once the server has let it go.
  CHECK(eventually([&] {
    r = http_request(demo.port, "GET", "/metrics");
    return series(r.body, R"(werkstatt_websocket_closes_total{by="client",code="1000"})") == 1;
  }));
  REQUIRE(r.status == 200);
  const std::string file = dir / "metrics.txt";
  std::ofstream(file) << r.body;
  const auto [status, output] = run(std::string(WERKSTATT_PROMTOOL) + " check metrics < " + file);
  INFO(output);
  CHECK(status == 0);
  CHECK(series(r.body, R"(werkstatt_build_info{version=")" WERKSTATT_VERSION R"("})") == 1);
  CHECK(series(r.body, "werkstatt_ready") == 1);
  CHECK(series(r.body, R"(werkstatt_ops_total{result="acked"})") >= 1);
  CHECK(series(r.body, "werkstatt_recovery_seconds") >= 0);
  CHECK(series(r.body, R"(werkstatt_http_requests_total{route="/api/other",status="404"})") == 1);
  CHECK(server.terminate() == 0);
}

TEST_CASE("shutdown - the server finishes once the last of several lingering sessions is gone", "[ops][shutdown]") {
  // Two or more sessions still open when shutdown asks to be told: the first
  // removal must not forget whom to tell (it used to, so every such
  // shutdown waited the full --shutdown-timeout).
  net::SessionSet sessions;
  sessions.add(1, {});
  sessions.add(2, {});
  sessions.add(3, {});
  bool done = false;
  sessions.when_empty([&] { done = true; });
  sessions.remove(2);
  CHECK_FALSE(done);
  sessions.remove(1);
  CHECK_FALSE(done);
  sessions.remove(3);
  CHECK(done);
}

TEST_CASE("shutdown - a client that stopped reading holds it for the close timeout only, then gets its goodbye",
          "[ops][shutdown]") {
  // Anna's laptop went to sleep with the page open: she answers no close
  // frame. The server used to wait Beast's 30 s closing handshake for her
  // (and for every such client) before a stop or an erasure could finish.
  TestServer server;
  const auto& w = server.workshop();
  Peer anna(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Vor dem Schlaf"))));
  REQUIRE(server.shutdown(std::chrono::seconds(20)));
  // She wakes up: the goodbye is there, typed.
  anna.drain();
  REQUIRE_FALSE(anna.errors().empty());
  CHECK(anna.errors().back().code() == v1::ERROR_CODE_SHUTTING_DOWN);
}

TEST_CASE("a Welcome over the queue limit on a busy board is delivered, not closed with 4008", "[ops][slow]") {
  // A board of 2000 long notes (~3 MiB of Welcome, over the default 1 MiB
  // queue limit) and a client on a slow link (tiny receive buffer, not
  // reading yet): events that arrive while the Welcome is still being
  // written must queue behind it. The frame in flight is not backlog.
  TestServerOptions options;
  options.limits.ops_per_second = 1e6;
  options.limits.ops_burst = 1e6;
  TestServer server(options);
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  std::string text;
  for (int i = 0; i < 499; ++i) text += "\xE2\x82\xAC";  // €: 1.5 KB of UTF-8
  std::string last;
  for (int i = 0; i < 2000; ++i) {
    last = fac.send(ops::create_note("n" + std::to_string(i), text, i % 50 * 200.0, i / 50 * 200.0));
    if (i % 200 == 199) REQUIRE(fac.wait_ack(last, std::chrono::seconds(60)));
  }
  REQUIRE(fac.wait_ack(last, std::chrono::seconds(60)));

  ConnectOptions slow_link;
  slow_link.receive_buffer_bytes = 4096;
  WsClient phone(port, slow_link);
  REQUIRE(phone.send(hello(w.id, join_code(w.join_code), "Phone")));
  // The phone's join is an event too: once the facilitator has it, the
  // Welcome is on its way; then the board stays busy.
  const auto phone_joined = [&] {
    for (const v1::Event& e : fac.events())
      if (e.op().has_participant_joined() && e.op().participant_joined().participant().display_name() == "Phone")
        return true;
    return false;
  };
  REQUIRE(fac.pump_until(phone_joined, std::chrono::seconds(30)));
  for (int i = 0; i < 5; ++i)
    REQUIRE(fac.wait_ack(fac.send(ops::move(v1::OBJECT_KIND_NOTE, "n" + std::to_string(i), 10.0 * i, 5))));
  const std::uint64_t head = server.info().head_seq;

  const auto welcome = phone.wait_for([](const v1::ServerMessage& m) { return m.has_welcome() || m.has_error(); },
                                      std::chrono::seconds(60));
  REQUIRE(welcome);
  REQUIRE(welcome->has_welcome());
  CHECK(welcome->welcome().state().notes_size() == 2000);
  std::uint64_t seen = welcome->welcome().seq();
  const auto at_head = phone.wait_for(
      [&](const v1::ServerMessage& m) {
        if (m.has_event()) seen = m.event().seq();
        return m.has_error() || seen >= head;
      },
      std::chrono::seconds(60));
  REQUIRE(at_head);
  CHECK_FALSE(at_head->has_error());
  CHECK(seen == head);
  CHECK_FALSE(phone.is_closed());
}

namespace {

// A MemoryJournal whose reads wait at a gate: an export or replay that takes
// as long as the test wants.
class GatedJournal final : public journal::Journal {
 public:
  void close_gate() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  [[nodiscard]] std::size_t waiting() const {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

  void append(std::vector<v1::EventRecord> records, journal::AppendDone done) override {
    inner_.append(std::move(records), std::move(done));
  }
  void store_workshop(v1::WorkshopMeta meta, journal::AppendDone done) override {
    // The first metadata write takes a while (a slow disk): a writer that
    // does not keep order lets a later one overtake it.
    if (slow_first_meta_.exchange(false)) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    inner_.store_workshop(std::move(meta), std::move(done));
  }
  void slow_first_meta() { slow_first_meta_ = true; }
  void store_snapshot(v1::Snapshot snapshot, journal::AppendDone done) override {
    inner_.store_snapshot(std::move(snapshot), std::move(done));
  }
  journal::Status write_failure() const override { return inner_.write_failure(); }
  journal::Status workshops(std::vector<v1::WorkshopMeta>* out,
                            std::vector<journal::DamagedWorkshop>* damaged) const override {
    return inner_.workshops(out, damaged);
  }
  journal::Status workshop(std::string_view id, v1::WorkshopMeta* out) const override {
    return inner_.workshop(id, out);
  }
  journal::Status read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq,
                              std::size_t limit, std::vector<v1::EventRecord>* out) const override {
    wait_at_gate();
    return inner_.read_events(workshop_id, from_seq, to_seq, limit, out);
  }
  journal::Status latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                  v1::Snapshot* out) const override {
    wait_at_gate();
    return inner_.latest_snapshot(workshop_id, at_or_before_seq, out);
  }
  journal::Status read_head(std::string_view workshop_id, std::uint64_t* out) const override {
    return inner_.read_head(workshop_id, out);
  }
  journal::Status client_ops(std::string_view workshop_id, std::vector<journal::ClientOp>* out) const override {
    return inner_.client_ops(workshop_id, out);
  }
  std::string incarnation() const override { return inner_.incarnation(); }
  journal::Status erase_workshop(std::string_view workshop_id) override { return inner_.erase_workshop(workshop_id); }
  journal::Status retry_writes() override { return inner_.retry_writes(); }

 private:
  void wait_at_gate() const {
    std::unique_lock lock(mutex_);
    ++waiting_;
    cv_.wait_for(lock, std::chrono::seconds(60), [&] { return open_; });  // bounded: a broken test cannot hang CI
    --waiting_;
  }
  journal::MemoryJournal inner_;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool open_ = true;
  mutable std::size_t waiting_ = 0;
  std::atomic<bool> slow_first_meta_ = false;
};

}  // namespace

TEST_CASE("a room joining a workshop that is not loaded takes one load job of the pool, not one each",
          "[ops][pool][on-demand]") {
  GatedJournal journal;
  boost::asio::io_context io;
  std::string id;
  {
    workshop::WorkshopRegistry before(io, journal, {});
    workshop::CreateError error;
    const auto created = before.create("impuls-werkstatt", "Regionalplan", "de", &error);
    REQUIRE(created);
    id = created->id;
  }
  workshop::WorkshopRegistry registry(io, journal, {});  // a restart: the board is not loaded
  REQUIRE(registry.recover_all().ok());
  REQUIRE_FALSE(registry.find_loaded(id));
  // A pool that takes two jobs at most; the replay waits at the gate while 100 join.
  workshop::WorkerPool pool({.threads = 1, .max_queued = 2, .idle_policy = false});
  journal.close_gate();
  std::mutex m;
  std::set<workshop::Workshop*> answers;
  std::size_t answered = 0;
  for (int i = 0; i < 100; ++i)
    REQUIRE(registry.find_async(id, pool, [&](std::shared_ptr<workshop::Workshop> w) {
      std::lock_guard lock(m);
      answers.insert(w.get());
      ++answered;
    }));
  CHECK(pool.queued() == 1);
  journal.open_gate();
  REQUIRE(eventually([&] {
    std::lock_guard lock(m);
    return answered == 100;
  }));
  REQUIRE(answers.size() == 1);
  CHECK(*answers.begin() == registry.find_loaded(id).get());
  CHECK(*answers.begin() != nullptr);
  // Loaded now: answered at once, no job.
  bool at_once = false;
  REQUIRE(registry.find_async(id, pool, [&](std::shared_ptr<workshop::Workshop> w) { at_once = w != nullptr; }));
  CHECK(at_once);
}

TEST_CASE("the live path never waits for history - an export in progress does not hold back acks", "[ops][pool]") {
  // One I/O thread: if the export ran on it, nothing else could.
  auto journal = std::make_shared<GatedJournal>();
  TestServerOptions options;
  options.threads = 1;
  options.journal = journal;
  TestServer server(options);
  const auto& w = server.workshop();
  Peer anna(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "vorher"))));

  journal->close_gate();
  HttpResponse exported;
  std::thread organiser([&] {
    exported = http_request(server.port(), "GET", "/api/workshops/" + w.id + "/export?format=md&t=" + w.facilitator_token);
  });
  REQUIRE(eventually([&] { return journal->waiting() > 0; }));  // the export is reading history now
  const std::string op = anna.send(ops::create_note("n2", "waehrenddessen"));
  CHECK(anna.wait_ack(op));
  // A probe answers meanwhile too.
  CHECK(http_request(server.port(), "GET", "/livez").status == 200);
  journal->open_gate();
  organiser.join();
  CHECK(exported.status == 200);
  CHECK(exported.body.find("vorher") != std::string::npos);
}

TEST_CASE("logs - --log-format json writes one object per line with workshop, connection and address",
          "[ops][logs]") {
  const long long ms = 1'764'583'200'123;  // 2025-12-01T10:00:00.123Z
  CHECK(app::json_log_line("info", "workshop k3x9: connection 12 joins as p1 (ROLE_PARTICIPANT, new identity)", ms) ==
        R"j({"time":"2025-12-01T10:00:00.123Z","level":"info","event":"connection 12 joins as p1 (ROLE_PARTICIPANT, new identity)","workshop":"k3x9","connection":12})j");
  CHECK(app::json_log_line("warning", "connection 7 from 2001:db8::1 keeps sending ops over the rate limit; closing it",
                           ms) ==
        R"j({"time":"2025-12-01T10:00:00.123Z","level":"warning","event":"connection 7 from 2001:db8::1 keeps sending ops over the rate limit; closing it","connection":7,"client_address":"2001:db8::1"})j");
  CHECK(app::json_log_line("error", "a \"quoted\"\nline\x01", ms) ==
        R"j({"time":"2025-12-01T10:00:00.123Z","level":"error","event":"a \"quoted\"\nline\u0001"})j");
}

TEST_CASE("two join-code rotations store their metadata in the order they were made", "[ops][journal]") {
  auto journal = std::make_shared<GatedJournal>();
  TestServerOptions options;
  options.threads = 2;  // the old code stored from whichever I/O thread came first
  options.journal = journal;
  TestServer server(options);
  const auto& w = server.workshop();
  Peer fac(server.port());
  v1::Credential facilitator;
  facilitator.set_facilitator_token(w.facilitator_token);
  REQUIRE(fac.join(w.id, facilitator, "Moderation"));
  journal->slow_first_meta();
  REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code(""))));
  REQUIRE(fac.wait_ack(fac.send(ops::rotate_join_code(""))));
  // The board's code now is the second rotation's; the stored metadata must
  // end with it too (a restart serves the stored one).
  const auto current = [&] { return std::string(fac.board().join_code()); };
  REQUIRE_FALSE(current().empty());
  CHECK(eventually([&] {
    v1::WorkshopMeta meta;
    return journal->workshop(w.id, &meta).ok() && meta.join_code() == current();
  }, std::chrono::seconds(3)));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // past the slow write: nothing overwrites it later
  v1::WorkshopMeta meta;
  REQUIRE(journal->workshop(w.id, &meta).ok());
  CHECK(meta.join_code() == current());
}
