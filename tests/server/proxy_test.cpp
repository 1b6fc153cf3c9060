// Behind a reverse proxy: which peers are believed (--trusted-proxy), the
// real client address from Forwarded / X-Forwarded-For / PROXY headers, and
// that it — not the proxy's address — drives the per-address limits and the
// loopback rule. The HAProxy end-to-end tests are in tests/proxy/.
#include <catch2/catch.hpp>

#include <boost/asio/ip/address.hpp>

#include <array>

#include "harness.hpp"
#include "admission.hpp"
#include "werkstatt/net/client_address.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ip = boost::asio::ip;

namespace {

net::ClientOrigin resolve(const std::string& peer, const net::ForwardingHeaders& headers,
                          const std::vector<std::string>& trusted) {
  return net::resolve_client(ip::make_address(peer), std::nullopt, headers, net::TrustedProxies(trusted));
}

std::string proxy_v2_tcp4(const std::array<std::uint8_t, 4>& src, bool local = false) {
  std::string h = std::string("\r\n\r\n\0\r\nQUIT\n", 12);
  h += static_cast<char>(local ? 0x20 : 0x21);
  h += static_cast<char>(0x11);
  h += '\0';
  h += static_cast<char>(12);
  for (auto b : src) h += static_cast<char>(b);
  h += std::string("\x7f\x00\x00\x01", 4);   // destination
  h += std::string("\x30\x39\x1f\x90", 4);   // ports 12345 → 8080
  return h;
}

bool upgrade_ok(std::uint16_t port, const ConnectOptions& o) { return WsClient::upgrade_status(port, o) == 101; }

}  // namespace

TEST_CASE("trusted proxies: addresses and CIDR networks in IPv4 and IPv6", "[units][proxy]") {
  const net::TrustedProxies t({"127.0.0.1", "10.0.0.0/8", "fd00::/8", "::1"});
  CHECK(t.contains(ip::make_address("127.0.0.1")));
  CHECK_FALSE(t.contains(ip::make_address("127.0.0.2")));
  CHECK(t.contains(ip::make_address("10.200.3.4")));
  CHECK_FALSE(t.contains(ip::make_address("11.0.0.1")));
  CHECK(t.contains(ip::make_address("fd12::7")));
  CHECK(t.contains(ip::make_address("::1")));
  CHECK(t.contains(ip::make_address("::ffff:10.1.2.3")));  // a dual-stack socket's IPv4 peer
  CHECK_FALSE(t.contains(ip::make_address("2001:db8::1")));
  CHECK_FALSE(net::TrustedProxies::parse("10.0.0.0/33"));
  CHECK_FALSE(net::TrustedProxies::parse("proxy.example.org"));
  CHECK_FALSE(net::TrustedProxies::parse("10.0.0.0/"));
  CHECK_THROWS_AS(net::TrustedProxies({"10.0.0.0/abc"}), std::invalid_argument);
  CHECK(net::TrustedProxies().empty());
}

TEST_CASE("client address: headers count only from trusted peers - the rightmost untrusted hop wins", "[units][proxy]") {
  const std::vector<std::string> trusted{"127.0.0.1", "10.0.0.0/8"};
  SECTION("an untrusted peer's headers are ignored") {
    const auto c = resolve("192.0.2.10", {"for=198.51.100.1", "198.51.100.2", "https"}, trusted);
    CHECK(c.address == "192.0.2.10");
    CHECK_FALSE(c.proxied);
    CHECK(c.scheme.empty());
    CHECK_FALSE(resolve("127.0.0.2", {"", "198.51.100.2", ""}, trusted).proxied);
    CHECK(resolve("127.0.0.2", {"", "198.51.100.2", ""}, trusted).loopback);  // loopback, but not via a proxy
  }
  SECTION("X-Forwarded-For: what the client sent itself is not believed") {
    // The client sent "6.6.6.6" (spoofed), the proxy appended the real 203.0.113.9.
    const auto c = resolve("127.0.0.1", {"", "6.6.6.6, 203.0.113.9", "https"}, trusted);
    CHECK(c.address == "203.0.113.9");
    CHECK(c.proxied);
    CHECK_FALSE(c.loopback);
    CHECK(c.scheme == "https");
    // Two proxies in a row (an edge proxy in 10/8, then the local one).
    CHECK(resolve("127.0.0.1", {"", "6.6.6.6, 203.0.113.9, 10.1.1.1", ""}, trusted).address == "203.0.113.9");
    CHECK(resolve("127.0.0.1", {"", "203.0.113.9:5555", ""}, trusted).address == "203.0.113.9");
  }
  SECTION("Forwarded wins over X-Forwarded-For; quotes, brackets and ports are taken off") {
    const auto c = resolve("10.0.0.1", {R"(for=6.6.6.6, for="[2001:db8::7]:4711";proto=https)", "192.0.2.1", "http"},
                           trusted);
    CHECK(c.address == "2001:db8::7");
    CHECK(c.scheme == "https");
    CHECK(net::forwarded_for_chain("for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http") ==
          std::vector<std::string>{"192.0.2.43", "198.51.100.17"});
  }
  SECTION("a trusted proxy without headers, or with an unusable one, is the client (and proxied)") {
    const auto c = resolve("127.0.0.1", {}, trusted);
    CHECK(c.address == "127.0.0.1");
    CHECK(c.proxied);
    CHECK_FALSE(c.loopback);  // never admin through a proxy
    CHECK(resolve("127.0.0.1", {"for=unknown", "", ""}, trusted).address == "127.0.0.1");
  }
}

TEST_CASE("PROXY protocol: v1 and v2 headers parse - partial ones wait - bad ones are refused", "[units][proxy]") {
  using S = net::ProxyHeader::Status;
  auto h = net::parse_proxy_header("PROXY TCP4 192.0.2.7 127.0.0.1 56324 8080\r\nGET / HTTP/1.1\r\n");
  REQUIRE(h.status == S::complete);
  CHECK(h.length == 43);
  CHECK(h.source->to_string() == "192.0.2.7");
  h = net::parse_proxy_header("PROXY TCP6 2001:db8::1 ::1 56324 8080\r\n");
  REQUIRE(h.status == S::complete);
  CHECK(h.source->to_string() == "2001:db8::1");
  h = net::parse_proxy_header("PROXY UNKNOWN\r\n");
  CHECK(h.status == S::complete);
  CHECK_FALSE(h.source);
  CHECK(net::parse_proxy_header("PROXY TCP4 192.0.2.7 127.0").status == S::incomplete);
  CHECK(net::parse_proxy_header("PRO").status == S::incomplete);
  CHECK(net::parse_proxy_header("GET / HTTP/1.1\r\n").status == S::invalid);
  CHECK(net::parse_proxy_header("PROXY TCP4 not-an-ip 127.0.0.1 1 2\r\n").status == S::invalid);
  CHECK(net::parse_proxy_header("PROXY TCP4 " + std::string(120, '1')).status == S::invalid);

  const std::string v2 = proxy_v2_tcp4({198, 51, 100, 23});
  h = net::parse_proxy_header(v2 + "GET");
  REQUIRE(h.status == S::complete);
  CHECK(h.length == 28);
  CHECK(h.source->to_string() == "198.51.100.23");
  CHECK(net::parse_proxy_header(v2.substr(0, 20)).status == S::incomplete);
  CHECK(net::parse_proxy_header(v2.substr(0, 5)).status == S::incomplete);
  h = net::parse_proxy_header(proxy_v2_tcp4({1, 2, 3, 4}, true));  // LOCAL: a health check
  CHECK(h.status == S::complete);
  CHECK_FALSE(h.source);
  std::string bad = v2;
  bad[12] = 0x31;  // version 3
  CHECK(net::parse_proxy_header(bad).status == S::invalid);
}

TEST_CASE("behind a trusted proxy the per-address limit counts each real client", "[http][proxy][limits]") {
  TestServerOptions options;
  options.limits.max_connections_per_ip = 2;
  options.trusted_proxies = {"127.0.0.1"};
  TestServer server(options);
  const auto port = server.port();
  // Four clients behind the proxy (all from 127.0.0.1): all get in.
  std::vector<std::unique_ptr<WsClient>> clients;
  for (int i = 1; i <= 4; ++i) {
    ConnectOptions o;
    o.headers["X-Forwarded-For"] = "198.51.100." + std::to_string(i);
    REQUIRE_NOTHROW(clients.push_back(std::make_unique<WsClient>(port, o)));
  }
  // One real client is still limited to two.
  ConnectOptions same;
  same.headers["X-Forwarded-For"] = "198.51.100.77";
  WsClient a(port, same), b(port, same);
  CHECK(WsClient::upgrade_status(port, same) == 503);
}

TEST_CASE("forwarded headers from an untrusted peer are ignored", "[http][proxy]") {
  TestServerOptions options;
  options.limits.max_connections_per_ip = 2;
  options.trusted_proxies = {"127.0.0.2"};  // the tests connect from 127.0.0.1 unless they bind otherwise
  TestServer server(options);
  const auto port = server.port();
  ConnectOptions spoof;
  spoof.headers["X-Forwarded-For"] = "198.51.100.1";
  WsClient a(port, spoof);
  spoof.headers["X-Forwarded-For"] = "198.51.100.2";
  WsClient b(port, spoof);
  spoof.headers["X-Forwarded-For"] = "198.51.100.3";
  CHECK_THROWS(WsClient(port, spoof));  // all three are 127.0.0.1: the limit holds

  // Through the trusted peer (127.0.0.2) a request is never "from loopback":
  // creating a workshop there needs the admin token.
  const auto via_proxy = http_request_from("127.0.0.2", "", port, "POST", "/api/workshops", "{}",
                                           {{"Content-Type", "application/json"}, {"X-Forwarded-For", "127.0.0.1"}});
  CHECK(via_proxy.status == 403);
  const auto direct = http_request_from("127.0.0.3", "", port, "POST", "/api/workshops", "{}",
                                        {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.1"}});
  CHECK(direct.status == 201);  // loopback itself, the header ignored
}

TEST_CASE("PROXY protocol from a trusted proxy names the client - without the header the connection ends",
          "[http][proxy]") {
  TestServerOptions options;
  options.limits.max_connections_per_ip = 1;
  options.trusted_proxies = {"127.0.0.1"};
  options.proxy_protocol = true;
  TestServer server(options);
  const auto port = server.port();
  ConnectOptions o;
  o.preamble = proxy_v2_tcp4({198, 51, 100, 23});
  WsClient first(port, o);
  CHECK(WsClient::upgrade_status(port, o) == 503);  // the same client again: over its limit of one
  o.preamble = "PROXY TCP4 198.51.100.24 127.0.0.1 40000 8080\r\n";
  CHECK(upgrade_ok(port, o));  // another client
  o.preamble = proxy_v2_tcp4({127, 0, 0, 1}, true);  // LOCAL: the proxy's own health check
  CHECK(http_request_from("", o.preamble, port, "GET", "/healthz").status == 200);
  // Through the proxy nobody is loopback, whatever the PROXY header says.
  CHECK(http_request_from("", "PROXY TCP4 127.0.0.1 127.0.0.1 40000 8080\r\n", port, "POST", "/api/workshops", "{}",
                          {{"Content-Type", "application/json"}})
            .status == 403);
  // No PROXY header from the trusted peer: closed without an answer.
  CHECK_THROWS(http_request(port, "GET", "/healthz"));
  // An untrusted peer is served as it is.
  CHECK(http_request_from("127.0.0.5", "", port, "GET", "/healthz").status == 200);
}

TEST_CASE("admission: wrong codes cost (address and workshop) and the workshop - never others' right codes",
          "[units][admission]") {
  net::AdmissionOptions o;
  o.codes_per_client = {3, 1, 1000};
  o.codes_per_workshop = {5, 1, 1000};
  o.identities_per_client = {2, 1, 1000};
  o.identities_per_workshop = {3, 1, 1000};
  net::Admission a(o);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(a.may_try_join_code("203.0.113.1", "w1"));
    a.wrong_join_code("203.0.113.1", "w1");
  }
  CHECK_FALSE(a.may_try_join_code("203.0.113.1", "w1"));  // its own budget for w1 is spent
  CHECK(a.retry_after_seconds("203.0.113.1", "w1") == 60);
  CHECK(a.may_try_join_code("203.0.113.1", "w2"));  // not for another workshop
  CHECK(a.may_try_join_code("203.0.113.2", "w1"));  // nor for another address
  // Two more addresses guess wrong once each: w1's overall budget (5) is spent.
  a.wrong_join_code("203.0.113.3", "w1");
  a.wrong_join_code("203.0.113.4", "w1");
  CHECK_FALSE(a.may_try_join_code("203.0.113.3", "w1"));  // guessed wrong before: held back now
  CHECK(a.may_try_join_code("203.0.113.9", "w1"));        // a clean address is never
  // New identities: per (address, workshop), then per workshop.
  CHECK(a.take_identity("198.51.100.1", "w1"));
  CHECK(a.take_identity("198.51.100.1", "w1"));
  CHECK_FALSE(a.take_identity("198.51.100.1", "w1"));
  CHECK(a.take_identity("198.51.100.1", "w2"));
  CHECK(a.take_identity("198.51.100.2", "w1"));
  CHECK_FALSE(a.take_identity("198.51.100.3", "w1"));  // w1 made 3 in all
}
