// werkstatt behind the shipped HAProxy configuration (deploy/haproxy/
// werkstatt.cfg, unchanged; its settings come from the environment), with a
// self-signed certificate made here by openssl: real processes on ephemeral
// loopback ports, clients over TLS (wss:// and https://) from several
// loopback source addresses (127.0.1.x) so that each one is a different
// "real client" behind the proxy.
#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "support/ports.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "tls_client.hpp"
#include "werkstatt/v1/protocol.pb.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using werkstatt::test::Process;
using werkstatt::test::TempDir;
using werkstatt::test::Wss;
using werkstatt::test::facilitator;
using werkstatt::test::join_code;
namespace v1 = werkstatt::v1;

struct Workshop {
  std::string id, code, token, observer;
};

// werkstatt + HAProxy with the shipped config. The proxy listens on
// https://localhost:<port>; werkstatt trusts only 127.0.0.1 (the proxy) and
// expects the PROXY protocol from it.
class Stack {
 public:
  explicit Stack(std::vector<std::string> extra_args = {}) {
    tls_.cert = werkstatt::test::make_localhost_certificate(dir_.path().string());
    {
      std::ofstream token(dir_ / "admin-token");
      token << kAdminToken << "\n";
    }
    audit_ = dir_ / "audit.jsonl";
    tls_.port = werkstatt::test::free_loopback_port();
    std::vector<std::string> args{WERKSTATT_BINARY, "serve", "--bind", "127.0.0.1", "--port", "0", "--journal", "memory",
                                  "--data", dir_ / "data", "--threads", "2", "--trusted-proxy", "127.0.0.1",
                                  "--proxy-protocol", "--public-url", "https://localhost:" + std::to_string(tls_.port),
                                  "--admin-token-file", dir_ / "admin-token", "--audit-log", audit_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    server_ = std::make_unique<Process>(args);
    REQUIRE(server_->read_until("observer:"));
    std::smatch m;
    const std::string out = server_->output();
    REQUIRE(std::regex_search(out, m, std::regex(R"(listening on http://127\.0\.0\.1:(\d+)/)")));
    server_port_ = static_cast<std::uint16_t>(std::stoi(m[1]));
    REQUIRE(std::regex_search(out, m, std::regex(R"(participants: https://\S+/\?w=([a-z2-7]+)&code=([A-Z2-9]{6}))")));
    demo_.id = m[1];
    demo_.code = m[2];
    REQUIRE(std::regex_search(out, m, std::regex(R"(facilitator:  https://\S+&t=([A-Za-z0-9_-]{43}))")));
    demo_.token = m[1];

    ::setenv("WERKSTATT_UNPRIVILEGED", "1", 1);
    ::setenv("WERKSTATT_BIND", ("127.0.0.1:" + std::to_string(tls_.port)).c_str(), 1);
    ::setenv("WERKSTATT_CERT", (dir_ / "haproxy.pem").c_str(), 1);
    ::setenv("WERKSTATT_SERVER", ("127.0.0.1:" + std::to_string(server_port_)).c_str(), 1);
    proxy_ = std::make_unique<Process>(std::vector<std::string>{
        WERKSTATT_HAPROXY, "-db", "-f", std::string(WERKSTATT_SOURCE_DIR) + "/deploy/haproxy/werkstatt.cfg"});
    // Up when a health check through the proxy answers.
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    for (;;) {
      try {
        if (https("127.0.1.1", "GET", "/healthz").status == 200) break;
      } catch (const std::exception&) {
      }
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(100ms);
    }
  }
  ~Stack() {
    if (proxy_) proxy_->terminate(10s);
    if (server_) server_->terminate(10s);
  }

  using Response = werkstatt::test::HttpsResponse;
  // One HTTPS request through the proxy from `source`.
  Response https(const std::string& source, const std::string& method, const std::string& target,
                 const std::string& body = "", const std::map<std::string, std::string>& headers = {}) const {
    return werkstatt::test::https(tls_, source, method, target, body, headers);
  }

  // Plain HTTP straight to werkstatt (not through the proxy) from `source`.
  unsigned direct(const std::string& source, const std::string& method, const std::string& target,
                  const std::string& body, const std::map<std::string, std::string>& headers) const {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.socket().open(tcp::v4());
    stream.socket().bind(tcp::endpoint(asio::ip::make_address(source), 0));
    stream.socket().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_port_));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(server_port_));
    req.set(http::field::connection, "close");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return res.result_int();
  }

  [[nodiscard]] const werkstatt::test::TlsEndpoint& tls() const { return tls_; }
  [[nodiscard]] std::uint16_t proxy_port() const { return tls_.port; }
  [[nodiscard]] const Workshop& demo() const { return demo_; }
  [[nodiscard]] std::string origin() const { return tls_.origin(); }
  [[nodiscard]] std::string audit() const {
    std::ifstream in(audit_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  static constexpr const char* kAdminToken = "proxy-test-admin-token-0123456789abcdef";

 private:
  TempDir dir_;
  werkstatt::test::TlsEndpoint tls_;
  std::string audit_;
  std::uint16_t server_port_ = 0;
  std::unique_ptr<Process> server_, proxy_;
  Workshop demo_;
};

std::size_t lines_with(const std::string& text, const std::vector<std::string>& needles) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    bool all = true;
    for (const auto& s : needles) all = all && line.find(s) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("wss:// through HAProxy - TLS and the WebSocket tunnel work and the real client address is seen", "[proxy][haproxy]") {
  Stack stack;
  const auto& w = stack.demo();
  Wss fac(stack.tls(), "127.0.1.1");
  REQUIRE(fac.join(w.id, facilitator(w.token)));
  CHECK(fac.welcome.role() == v1::ROLE_FACILITATOR);
  Wss anna(stack.tls(), "127.0.1.2");
  REQUIRE(anna.join(w.id, join_code(w.code)));
  // An op goes through the tunnel and comes back as its Ack.
  v1::ClientMessage op;
  op.mutable_op()->set_client_op_id("n1");
  auto* note = op.mutable_op()->mutable_op()->mutable_create_note();
  note->set_id("n1");
  note->set_area_id("herausforderungen");
  note->set_text("Busse fahren zu selten");
  note->mutable_position()->set_x(10);
  note->mutable_position()->set_y(10);
  anna.send(op);
  bool answered = false;
  while (auto m = anna.next()) {
    if (m->has_ack() || m->has_reject()) {
      answered = true;
      break;
    }
  }
  CHECK(answered);
  // The health check and a workshop created with the admin token (file) over https.
  CHECK(stack.https("127.0.1.3", "GET", "/healthz").status == 200);
  auto created = stack.https("127.0.1.3", "POST", "/api/workshops", R"({"title":"Region Nord"})",
                                   {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + Stack::kAdminToken}});
  CHECK(created.status == 201);
  CHECK(created.body.find("\"participant_url\":\"" + stack.origin() + "/?w=") != std::string::npos);
  CHECK(created.headers["content-security-policy"].find("wss://localhost:" + std::to_string(stack.proxy_port())) !=
        std::string::npos);
  // The audit log names the real client, not the proxy (127.0.0.1).
  const std::string audit = stack.audit();
  CHECK(lines_with(audit, {"\"event\":\"workshop_created\"", "\"client\":\"127.0.1.3\""}) == 1);
  CHECK(audit.find(Stack::kAdminToken) == std::string::npos);
}

TEST_CASE("400 participants through HAProxy are not refused by per-address limits", "[proxy][haproxy][limits]") {
  // At most 150 per real client: 400 through one proxy address would hit it.
  // Idle timeout up: these test clients do not answer pings while the test makes the others.
  Stack stack({"--max-connections-per-ip", "150", "--idle-timeout", "900"});
  const auto& w = stack.demo();
  std::vector<std::unique_ptr<Wss>> people;
  std::size_t welcomed = 0;
  for (int i = 0; i < 400; ++i) {
    people.push_back(std::make_unique<Wss>(stack.tls(), "127.0.1." + std::to_string(10 + i % 4)));
    welcomed += people.back()->join(w.id, join_code(w.code)) ? 1 : 0;
  }
  CHECK(welcomed == 400);
  // A real client's own limit still holds: 100 open from 127.0.1.10, 50 more fit, then no more.
  for (int i = 0; i < 50; ++i) people.push_back(std::make_unique<Wss>(stack.tls(), "127.0.1.10"));
  unsigned status = 0;
  CHECK_THROWS(Wss(stack.tls(), "127.0.1.10", {}, &status));
  CHECK(status == 503);
  CHECK(lines_with(stack.audit(), {"\"event\":\"rate_limited\"", "\"client\":\"127.0.1.10\"", "connections per address"}) == 1);
}

TEST_CASE("one address guessing join codes through HAProxy does not stop the others", "[proxy][haproxy][guesses]") {
  // One token back every 10 s: the refusals below cannot be undone by a refill mid-way.
  Stack stack({"--wrong-credentials-burst", "10", "--wrong-credentials-per-minute", "6"});
  const auto& w = stack.demo();
  Wss anna(stack.tls(), "127.0.1.40");  // joined earlier: resumes later
  REQUIRE(anna.join(w.id, join_code(w.code)));
  const std::string pid = anna.welcome.participant_id(), secret = anna.welcome.participant_secret();
  for (int i = 0; i < 12; ++i) {
    Wss kiosk(stack.tls(), "127.0.1.41");
    CHECK_FALSE(kiosk.join(w.id, join_code("ZZZZZ" + std::string(1, static_cast<char>('A' + i)))));
  }
  {
    Wss kiosk(stack.tls(), "127.0.1.41");
    CHECK_FALSE(kiosk.join(w.id, join_code(w.code)));
    CHECK(kiosk.error.code() == v1::ERROR_CODE_RATE_LIMITED);
  }
  Wss bert(stack.tls(), "127.0.1.42");
  CHECK(bert.join(w.id, join_code(w.code)));
  Wss again(stack.tls(), "127.0.1.40");
  CHECK(again.join(w.id, join_code(w.code), pid, secret));
  CHECK(again.welcome.participant_id() == pid);
  Wss fac(stack.tls(), "127.0.1.43");
  CHECK(fac.join(w.id, facilitator(w.token)));
  // The guessing address itself gets in with the right code after a short
  // wait (one token back every 10 s at 6 a minute; the default is 2 s).
  const auto deadline = std::chrono::steady_clock::now() + 40s;
  bool in = false;
  while (!in && std::chrono::steady_clock::now() < deadline) {
    Wss kiosk(stack.tls(), "127.0.1.41");
    in = kiosk.join(w.id, join_code(w.code));
    if (!in) std::this_thread::sleep_for(500ms);
  }
  CHECK(in);
  const std::string audit = stack.audit();
  CHECK(lines_with(audit, {"\"credential_refused\"", "\"client\":\"127.0.1.41\"", "wrong join code"}) == 10);
  CHECK(lines_with(audit, {"\"rate_limited\"", "\"client\":\"127.0.1.41\""}) >= 3);
  CHECK(lines_with(audit, {"\"client\":\"127.0.0.1\""}) == 0);  // never the proxy's address
  CHECK(audit.find(w.code) == std::string::npos);
}

TEST_CASE("through HAProxy - spoofed forwarded headers and CSRF and DNS rebinding are refused and logged",
          "[proxy][haproxy][hardening]") {
  Stack stack;
  const auto count = [&] { return stack.https("127.0.1.50", "GET", "/healthz").body; };
  const std::string before = count();
  const std::string bearer = std::string("Bearer ") + Stack::kAdminToken;
  // A client claiming to be loopback is not: no admin token, no workshop.
  auto r = stack.https("127.0.1.51", "POST", "/api/workshops", "{}",
                       {{"Content-Type", "application/json"}, {"X-Forwarded-For", "127.0.0.1"}, {"Forwarded", "for=127.0.0.1"}});
  CHECK(r.status == 403);
  // CSRF: a form post, and JSON from a foreign origin — even with the admin token.
  r = stack.https("127.0.1.52", "POST", "/api/workshops", "{}", {{"Content-Type", "text/plain"}, {"Authorization", bearer}});
  CHECK(r.status == 415);
  r = stack.https("127.0.1.52", "POST", "/api/workshops", "{}",
                  {{"Content-Type", "application/json"}, {"Origin", "https://evil.example"}, {"Authorization", bearer}});
  CHECK(r.status == 403);
  // DNS rebinding: the attacker's name as Host (and Origin).
  r = stack.https("127.0.1.53", "POST", "/api/workshops", "{}",
                  {{"Content-Type", "application/json"}, {"Host", "rebind.evil.example"},
                   {"Origin", "https://rebind.evil.example"}, {"Authorization", bearer}});
  CHECK(r.status == 403);
  unsigned status = 0;
  CHECK_THROWS(Wss(stack.tls(), "127.0.1.53", {{"Host", "rebind.evil.example"}, {"Origin", "https://rebind.evil.example"}}, &status));
  CHECK(status == 403);
  // A wrong admin token.
  r = stack.https("127.0.1.54", "POST", "/api/workshops", "{}",
                  {{"Content-Type", "application/json"}, {"Authorization", "Bearer not-the-admin-token-00000000"}});
  CHECK(r.status == 403);
  CHECK(count() == before);  // nothing was created

  // Directly (not via the proxy) an untrusted peer's headers are ignored:
  // it is simply its own address (here a loopback one, so it may create).
  CHECK(stack.direct("127.0.1.55", "POST", "/api/workshops", "{}",
                     {{"Content-Type", "application/json"}, {"X-Forwarded-For", "203.0.113.9"}, {"Forwarded", "for=203.0.113.9"}}) ==
        201);
  const std::string audit = stack.audit();
  CHECK(lines_with(audit, {"\"workshop_created\"", "\"client\":\"127.0.1.55\""}) == 1);
  CHECK(audit.find("203.0.113.9") == std::string::npos);
  CHECK(lines_with(audit, {"\"credential_refused\"", "\"client\":\"127.0.1.51\"", "not from loopback"}) == 1);
  CHECK(lines_with(audit, {"\"request_refused\"", "\"client\":\"127.0.1.52\"", "\"reason\":\"content_type\""}) == 1);
  CHECK(lines_with(audit, {"\"request_refused\"", "\"client\":\"127.0.1.52\"", "\"reason\":\"origin\""}) == 1);
  CHECK(lines_with(audit, {"\"request_refused\"", "\"client\":\"127.0.1.53\"", "\"reason\":\"host\""}) == 2);
  CHECK(lines_with(audit, {"\"credential_refused\"", "\"client\":\"127.0.1.54\"", "wrong admin token"}) == 1);
  CHECK(audit.find("not-the-admin-token") == std::string::npos);
}
