// The operator's endpoints: /livez, /readyz (starting, ready, read-only,
// draining), /metrics in the Prometheus text format (checked by Debian's
// promtool against the real binary), and reserved paths that never fall
// through to the web client.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.hpp"
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
