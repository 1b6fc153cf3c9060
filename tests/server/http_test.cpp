// HTTP on the WebSocket port: the web client's files with their headers, the
// REST API, the Origin check and the per-address connection limit.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/board/templates.hpp"

using namespace werkstatt;
using namespace werkstatt::test;

namespace {

constexpr const char* kCsp =
    "default-src 'self'; connect-src 'self' ws://127.0.0.1:PORT wss://127.0.0.1:PORT; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// The policy names the server's own WebSocket origin, not any ws:/wss: host.
std::string csp_for(std::uint16_t port) {
  std::string csp = kCsp;
  for (auto at = csp.find("PORT"); at != std::string::npos; at = csp.find("PORT")) csp.replace(at, 4, std::to_string(port));
  return csp;
}

const std::map<std::string, std::string> kJson{{"Content-Type", "application/json"}};

struct StaticSite {
  TempDir dir;
  StaticSite() {
    std::filesystem::create_directories(dir.path() / "dist" / "assets");
    std::ofstream(dir.path() / "dist" / "index.html") << "<!doctype html><title>werkstatt</title>";
    std::ofstream(dir.path() / "dist" / "assets" / "index-4f3a2b.js") << "console.log('hi')";
    std::ofstream(dir.path() / "secret.txt") << "outside the static folder";
  }
  [[nodiscard]] std::filesystem::path root() const { return std::filesystem::canonical(dir.path() / "dist"); }
};

}  // namespace

TEST_CASE("the web client is served with strict security headers and the right caching", "[http][static]") {
  StaticSite site;
  TestServerOptions options;
  options.static_dir = site.root();
  TestServer server(options);
  const auto port = server.port();

  auto r = http_request(port, "GET", "/");
  CHECK(r.status == 200);
  CHECK(r.body == "<!doctype html><title>werkstatt</title>");
  CHECK(r.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(r.headers["cache-control"] == "no-cache");
  CHECK(r.headers["content-security-policy"] == csp_for(port));
  CHECK(r.headers["x-content-type-options"] == "nosniff");
  CHECK(r.headers["referrer-policy"] == "no-referrer");

  r = http_request(port, "GET", "/assets/index-4f3a2b.js");
  CHECK(r.status == 200);
  CHECK(r.headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(r.headers["cache-control"] == "public, max-age=31536000, immutable");
  CHECK(r.headers["content-security-policy"] == csp_for(port));

  r = http_request(port, "HEAD", "/assets/index-4f3a2b.js");
  CHECK(r.status == 200);
  CHECK(r.headers["content-length"] == "17");
  CHECK(r.body.empty());

  // Client-side routes fall back to index.html; a missing asset does not.
  r = http_request(port, "GET", "/w/abc?code=XYZ");
  CHECK(r.status == 200);
  CHECK(r.body.starts_with("<!doctype html>"));
  CHECK(http_request(port, "GET", "/assets/missing-123.js").status == 404);

  // No way out of the folder.
  for (const char* path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/.env"}) {
    INFO(path);
    r = http_request(port, "GET", path);
    CHECK(r.status == 400);
    CHECK(r.body.find("outside") == std::string::npos);
  }
  CHECK(http_request(port, "POST", "/index.html").status == 405);
}

TEST_CASE("REST: create a workshop from loopback, read its info, never its secrets", "[http][rest]") {
  TestServerOptions options;
  options.create_workshop = false;
  TestServer server(options);
  const auto port = server.port();

  auto r = http_request(port, "GET", "/healthz");
  CHECK(r.status == 200);
  CHECK(r.body == R"({"status":"ok","workshops":0})");

  r = http_request(port, "POST", "/api/workshops", R"({"template":"impuls-werkstatt","title":"Region Süd","language":"de"})", kJson);
  REQUIRE(r.status == 201);
  CHECK(r.headers["cache-control"] == "no-store");
  CHECK(r.headers["content-type"] == "application/json");
  const auto field = [&](const std::string& name) {
    const std::string key = "\"" + name + "\":\"";
    const auto at = r.body.find(key);
    REQUIRE(at != std::string::npos);
    const auto from = at + key.size();
    return r.body.substr(from, r.body.find('"', from) - from);
  };
  const std::string id = field("id");
  const std::string code = field("join_code");
  const std::string token = field("facilitator_token");
  CHECK(code.size() == 6);
  CHECK(field("title") == "Region Süd");
  CHECK(field("participant_url") == "http://127.0.0.1:" + std::to_string(port) + "/?w=" + id + "&code=" + code);
  CHECK(field("facilitator_url") == "http://127.0.0.1:" + std::to_string(port) + "/#w=" + id + "&t=" + token);
  CHECK(r.headers["location"] == "/api/workshops/" + id);

  // The template (and the join code) was applied and journaled.
  const std::uint64_t setup = board::template_ops("impuls-werkstatt", "de", "Region Süd").size() + 1;
  REQUIRE(eventually([&] { return server.registry().find(id)->info().head_seq == setup; }));
  r = http_request(port, "GET", "/api/workshops/" + id);
  CHECK(r.status == 200);
  CHECK(r.body.find("\"title\":\"Region Süd\"") != std::string::npos);
  CHECK(r.body.find("\"head_seq\":" + std::to_string(setup)) != std::string::npos);
  CHECK(r.body.find("\"participants_online\":0") != std::string::npos);
  CHECK(r.body.find(token) == std::string::npos);
  CHECK(r.body.find(code) == std::string::npos);

  // The links work: the facilitator token joins as facilitator.
  Peer fac(port);
  REQUIRE(fac.join(id, facilitator(token), "Fran"));
  CHECK(fac.welcome().role() == v1::ROLE_FACILITATOR);
  CHECK(fac.board().settings().title() == "Region Süd");
  CHECK(fac.board().area("chancen") != nullptr);
  REQUIRE(eventually([&] { return server.registry().find(id)->info().participants_online == 1; }));

  CHECK(http_request(port, "GET", "/api/workshops/nosuch").status == 404);
  CHECK(http_request(port, "POST", "/api/workshops", "not json", kJson).status == 400);
  CHECK(http_request(port, "POST", "/api/workshops", R"({"template":"nosuch"})", kJson).status == 400);
  CHECK(http_request(port, "POST", "/api/workshops", R"({"language":"fr"})", kJson).status == 400);
  CHECK(http_request(port, "POST", "/api/workshops", R"({"title":1})", kJson).status == 400);
  CHECK(http_request(port, "POST", "/api/workshops", R"({"colour":"red"})", kJson).status == 400);
  CHECK(http_request(port, "GET", "/api/workshops").status == 200);  // the organiser's list, from loopback
  CHECK(http_request(port, "PUT", "/api/workshops", "{}", kJson).status == 405);
  CHECK(http_request(port, "GET", "/api/nothing").status == 404);
  CHECK(http_request(port, "POST", "/api/workshops", std::string(100 * 1024, ' '), kJson).status == 413);
  // Defaults: the Impuls-Werkstatt template in German.
  r = http_request(port, "POST", "/api/workshops", "", kJson);
  CHECK(r.status == 201);
  CHECK(r.body.find("\"title\":\"Impuls-Werkstatt\"") != std::string::npos);
}

TEST_CASE("a WebSocket upgrade needs this server's origin (or an allowed one) and the right path", "[http][origin]") {
  TestServerOptions options;
  options.allowed_origins = {"https://werkstatt.example.org"};
  TestServer server(options);
  const auto port = server.port();
  const std::string self = "http://127.0.0.1:" + std::to_string(port);
  const auto status = [&](std::map<std::string, std::string> headers, std::string path = "/ws") {
    ConnectOptions o;
    o.path = std::move(path);
    o.headers = std::move(headers);
    return WsClient::upgrade_status(port, o);
  };
  CHECK(status({}) == 101);  // no Origin: not a browser
  CHECK(status({{"Origin", self}}) == 101);
  CHECK(status({{"Origin", "https://werkstatt.example.org"}}) == 101);
  CHECK(status({{"Origin", "https://evil.example"}}) == 403);
  CHECK(status({{"Origin", "http://127.0.0.1:1"}}) == 403);
  CHECK(status({}, "/api/ws") == 101);
  CHECK(status({}, "/socket") == 404);
}

TEST_CASE("connections per address are limited", "[http][limits]") {
  TestServerOptions options;
  options.limits.max_connections_per_ip = 3;
  TestServer server(options);
  const auto port = server.port();
  auto a = std::make_unique<WsClient>(port);
  WsClient b(port), c(port);
  CHECK_THROWS(WsClient(port));
  a.reset();  // one slot free again once the server noticed
  CHECK(eventually([&] {
    try {
      WsClient d(port);
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }));
}
