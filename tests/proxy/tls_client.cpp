#include "tls_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
// Asio's SSL part is compiled here, once (BOOST_ASIO_SEPARATE_COMPILATION;
// the server itself never links OpenSSL's TLS).
#include <boost/asio/ssl/impl/src.hpp>

#include <cctype>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <stdexcept>

#include "werkstatt/protocol/version.hpp"

namespace werkstatt::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// SNI (SSL_set_tlsext_host_name is a macro with an old-style cast).
void set_sni(SSL* ssl) {
  static char name[] = "localhost";
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name);
}

void open_from(tcp::socket& s, const std::string& source, std::uint16_t port) {
  s.open(tcp::v4());
  s.bind(tcp::endpoint(asio::ip::make_address(source), 0));
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
}

}  // namespace

std::string make_localhost_certificate(const std::string& dir) {
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                          "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key + " -out " + cert +
                          " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate");
  std::ofstream pem(dir + "/haproxy.pem");
  std::ifstream c(cert), k(key);
  pem << c.rdbuf() << k.rdbuf();
  return cert;
}

HttpsResponse https(const TlsEndpoint& proxy, const std::string& source, const std::string& method,
                    const std::string& target, const std::string& body, const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(proxy.cert);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  open_from(beast::get_lowest_layer(stream).socket(), source, proxy.port);
  set_sni(stream.native_handle());
  stream.set_verify_callback(ssl::host_name_verification("localhost"));
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "localhost:" + std::to_string(proxy.port));
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  HttpsResponse out{res.result_int(), res.body(), {}};
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  return out;
}

struct Wss::Impl {
  Impl() : ctx(ssl::context::tls_client), ws(io, ctx) {}
  asio::io_context io;
  ssl::context ctx;
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
  beast::flat_buffer buffer;
  std::deque<v1::ServerMessage> inbox;
  bool closed = false;
};

Wss::Wss(const TlsEndpoint& proxy, const std::string& source, const std::map<std::string, std::string>& headers,
         unsigned* status, const std::string& target)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx.load_verify_file(proxy.cert);
  impl_->ctx.set_verify_mode(ssl::verify_peer);
  auto& ws = impl_->ws;
  open_from(beast::get_lowest_layer(ws).socket(), source, proxy.port);
  set_sni(ws.next_layer().native_handle());
  ws.next_layer().set_verify_callback(ssl::host_name_verification("localhost"));
  ws.next_layer().handshake(ssl::stream_base::client);
  std::map<std::string, std::string> h{{"Origin", proxy.origin()}};
  for (const auto& [k, v] : headers) h[k] = v;
  ws.set_option(websocket::stream_base::decorator([h](websocket::request_type& req) {
    for (const auto& [k, v] : h) req.set(k, v);
  }));
  ws.binary(true);
  websocket::response_type res;
  try {
    ws.handshake(res, "localhost:" + std::to_string(proxy.port), target);
  } catch (const std::exception&) {
    if (status) *status = res.result_int();
    throw;
  }
  if (status) *status = res.result_int();
}

Wss::~Wss() = default;

void Wss::send(const v1::ClientMessage& m) { impl_->ws.write(asio::buffer(m.SerializeAsString())); }

bool Wss::closed() const { return impl_->closed && impl_->inbox.empty(); }

std::optional<v1::ServerMessage> Wss::next(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (s.inbox.empty() && !s.closed) {
    bool done = false;
    s.ws.async_read(s.buffer, [&](beast::error_code ec, std::size_t) {
      done = true;
      if (ec) {
        s.closed = true;
        return;
      }
      v1::ServerMessage m;
      const auto data = s.buffer.data();
      const bool parsed = m.ParseFromArray(data.data(), static_cast<int>(data.size()));
      s.buffer.consume(s.buffer.size());
      if (!parsed) throw std::runtime_error("the server sent a frame that is not a ServerMessage");
      if (m.has_batch()) {
        for (auto& inner : *m.mutable_batch()->mutable_messages()) s.inbox.push_back(std::move(inner));
      } else {
        s.inbox.push_back(std::move(m));
      }
    });
    s.io.restart();
    s.io.run_for(timeout);
    if (!done) {
      beast::get_lowest_layer(s.ws).socket().cancel();
      s.io.restart();
      s.io.run();  // the read ends cancelled: a cancelled WebSocket read leaves the stream unusable (closed)
    }
  }
  if (s.inbox.empty()) return std::nullopt;
  auto m = std::move(s.inbox.front());
  s.inbox.pop_front();
  return m;
}

bool Wss::join(const std::string& workshop, const v1::Credential& cred, const std::string& pid,
               const std::string& secret) {
  v1::ClientMessage m;
  auto* h = m.mutable_hello();
  h->set_protocol_version(werkstatt::protocol::kProtocolVersion);
  h->set_workshop_id(workshop);
  h->set_display_name("Gast");
  *h->mutable_credential() = cred;
  h->set_participant_id(pid);
  h->set_participant_secret(secret);
  send(m);
  for (;;) {
    auto r = next();
    if (!r) return false;
    if (r->has_welcome()) {
      welcome = r->welcome();
      return true;
    }
    if (r->has_error()) {
      error = r->error();
      return false;
    }
  }
}

}  // namespace werkstatt::test
