// REST hardening: cross-site writes (CSRF), DNS rebinding (Host), wrong
// admin tokens from loopback, links from --public-url only, and the audit
// log line each refusal leaves.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;

namespace {

const std::map<std::string, std::string> kJson{{"Content-Type", "application/json"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> headers,
                                        const std::map<std::string, std::string>& more) {
  for (const auto& [k, v] : more) headers[k] = v;
  return headers;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_lines_with(const std::string& text, const std::vector<std::string>& needles) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& needle : needles) all = all && line.find(needle) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("CSRF: a cross-site write is refused with 415/403 and creates nothing", "[http][hardening]") {
  TempDir dir;
  TestServerOptions options;
  options.create_workshop = false;
  options.allowed_origins = {"https://intranet.example.org"};
  options.audit_log = dir.path() / "audit.jsonl";
  TestServer server(options);
  const auto port = server.port();
  const std::string self = "http://127.0.0.1:" + std::to_string(port);

  // What an HTML form on another site can send: text/plain (or form-encoded), its own Origin.
  auto r = http_request(port, "POST", "/api/workshops", R"({"title":"x"})",
                        {{"Content-Type", "text/plain"}, {"Origin", "https://evil.example"}});
  CHECK(r.status == 415);
  r = http_request(port, "POST", "/api/workshops", "title=x",
                   {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(r.status == 415);
  CHECK(http_request(port, "POST", "/api/workshops", "{}").status == 415);  // no Content-Type at all
  // JSON from a foreign origin (a page that got a preflight elsewhere, or a non-browser pretending).
  r = http_request(port, "POST", "/api/workshops", "{}", with(kJson, {{"Origin", "https://evil.example"}}));
  CHECK(r.status == 403);
  CHECK(http_request(port, "POST", "/api/workshops", "{}", with(kJson, {{"Origin", "null"}})).status == 403);
  CHECK(server.registry().all().empty());

  // The server's own page, an allowed origin, and a client without Origin (curl) may.
  CHECK(http_request(port, "POST", "/api/workshops", "{}", with(kJson, {{"Origin", self}})).status == 201);
  CHECK(http_request(port, "POST", "/api/workshops", "{}",
                     with(kJson, {{"Origin", "https://intranet.example.org"}, {"Content-Type", "application/json; charset=utf-8"}}))
            .status == 201);
  CHECK(http_request(port, "POST", "/api/workshops", "{}", kJson).status == 201);
  CHECK(server.registry().all().size() == 3);

  const std::string log = read_file(options.audit_log);
  CHECK(count_lines_with(log, {"\"event\":\"request_refused\"", "\"reason\":\"content_type\"", "\"client\":\"127.0.0.1\""}) == 3);
  CHECK(count_lines_with(log, {"\"event\":\"request_refused\"", "\"reason\":\"origin\""}) == 2);
  CHECK(count_lines_with(log, {"\"event\":\"workshop_created\""}) == 3);
}

TEST_CASE("DNS rebinding: a foreign Host gets 403 for REST and the WebSocket - links never use it", "[http][hardening]") {
  TempDir dir;
  TestServerOptions options;
  options.audit_log = dir.path() / "audit.jsonl";
  TestServer server(options);
  const auto port = server.port();
  const std::string evil = "rebind.evil.example:" + std::to_string(port);
  const auto before = server.registry().all().size();

  // The attacker's page: its own name resolves to 127.0.0.1, so Host and Origin are both the attacker's.
  const std::map<std::string, std::string> rebound = with(kJson, {{"Host", evil}, {"Origin", "http://" + evil}});
  auto r = http_request(port, "POST", "/api/workshops", "{}", rebound);
  CHECK(r.status == 403);
  CHECK(r.body.find("rebind") == std::string::npos);
  CHECK(http_request(port, "GET", "/api/join/" + server.workshop().join_code, "", rebound).status == 403);
  CHECK(http_request(port, "GET", "/api/workshops/" + server.workshop().id, "", rebound).status == 403);
  ConnectOptions ws;
  ws.headers = {{"Host", evil}, {"Origin", "http://" + evil}};
  CHECK(WsClient::upgrade_status(port, ws) == 403);
  CHECK(server.registry().all().size() == before);

  // IP literals and localhost are this server.
  CHECK(http_request(port, "GET", "/api/workshops/" + server.workshop().id, "", {{"Host", "localhost:" + std::to_string(port)}})
            .status == 200);
  const std::string log = read_file(options.audit_log);
  CHECK(count_lines_with(log, {"\"event\":\"request_refused\"", "\"reason\":\"host\"", "\"client\":\"127.0.0.1\""}) == 4);
}

TEST_CASE("public URL: its host is accepted and links are built from it - never from Host", "[http][hardening]") {
  TestServerOptions options;
  options.public_url = "https://werkstatt.example.org";
  options.allowed_hosts = {"werkstatt.intern"};
  TestServer server(options);
  const auto port = server.port();
  auto r = http_request(port, "POST", "/api/workshops", "{}",
                        with(kJson, {{"Host", "werkstatt.example.org"}, {"Origin", "https://werkstatt.example.org"}}));
  REQUIRE(r.status == 201);
  CHECK(r.body.find("\"participant_url\":\"https://werkstatt.example.org/?w=") != std::string::npos);
  CHECK(r.headers["content-security-policy"].find("connect-src 'self' ws://werkstatt.example.org wss://werkstatt.example.org;") !=
        std::string::npos);
  r = http_request(port, "POST", "/api/workshops", "{}", with(kJson, {{"Host", "werkstatt.intern:8080"}}));
  REQUIRE(r.status == 201);
  CHECK(r.body.find("\"facilitator_url\":\"https://werkstatt.example.org/#w=") != std::string::npos);
  CHECK(http_request(port, "POST", "/api/workshops", "{}", with(kJson, {{"Host", "werkstatt.example.org.evil.example"}}))
            .status == 403);
}

TEST_CASE("a wrong admin Bearer is refused even from loopback and logged without the token", "[http][hardening]") {
  TempDir dir;
  TestServerOptions options;
  options.create_workshop = false;
  options.admin_token = "the-right-admin-token-0123456789";
  options.audit_log = dir.path() / "audit.jsonl";
  TestServer server(options);
  const auto port = server.port();
  CHECK(http_request(port, "POST", "/api/workshops", "{}",
                     with(kJson, {{"Authorization", "Bearer guessed-admin-token-000000000"}}))
            .status == 403);
  CHECK(server.registry().all().empty());
  CHECK(http_request(port, "POST", "/api/workshops", "{}",
                     with(kJson, {{"Authorization", "Bearer the-right-admin-token-0123456789"}}))
            .status == 201);
  const std::string log = read_file(options.audit_log);
  CHECK(count_lines_with(log, {"\"event\":\"credential_refused\"", "\"reason\":\"wrong admin token\""}) == 1);
  CHECK(log.find("guessed-admin-token") == std::string::npos);
  CHECK(log.find("the-right-admin-token") == std::string::npos);
}
