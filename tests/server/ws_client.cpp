#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cctype>
#include <deque>
#include <stdexcept>

#include "werkstatt/protocol/version.hpp"

namespace werkstatt::test {
namespace {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
}  // namespace

struct WsClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::deque<v1::ServerMessage> inbox;
  bool read_pending = false;
  bool closed = false;
  std::optional<std::uint16_t> code;
  std::size_t frames = 0;
  std::size_t batches = 0;

  void connect(std::uint16_t port, const ConnectOptions& o, websocket::response_type* response) {
    auto& socket = beast::get_lowest_layer(ws).socket();
    socket.open(tcp::v4());
    if (o.receive_buffer_bytes > 0) socket.set_option(asio::socket_base::receive_buffer_size(o.receive_buffer_bytes));
    if (!o.source_address.empty()) socket.bind(tcp::endpoint(asio::ip::make_address(o.source_address), 0));
    beast::get_lowest_layer(ws).expires_after(5s);
    beast::get_lowest_layer(ws).connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    if (!o.preamble.empty()) asio::write(socket, asio::buffer(o.preamble));
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::decorator([headers = o.headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) req.set(k, v);
    }));
    ws.read_message_max(64u << 20);
    ws.binary(true);
    ws.handshake(*response, "127.0.0.1:" + std::to_string(port), o.path);
  }

  void start_read() {
    read_pending = true;
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      read_pending = false;
      if (ec) {
        closed = true;
        code = ec == websocket::error::closed ? static_cast<std::uint16_t>(ws.reason().code) : std::uint16_t{1006};
        return;
      }
      ++frames;
      v1::ServerMessage m;
      const auto data = buffer.data();
      if (!m.ParseFromArray(data.data(), static_cast<int>(data.size())))
        throw std::runtime_error("the server sent a frame that is not a ServerMessage");
      buffer.consume(buffer.size());
      if (m.has_batch()) {
        ++batches;
        for (auto& inner : *m.mutable_batch()->mutable_messages()) inbox.push_back(std::move(inner));
      } else {
        inbox.push_back(std::move(m));
      }
    });
  }

  // Runs until `done` or the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline) {
    while (!done()) {
      if (!read_pending && !closed) start_read();
      io.restart();
      if (io.run_one_until(deadline) == 0 &&
          (std::chrono::steady_clock::now() >= deadline || (closed && !read_pending)))
        return done();
    }
    return true;
  }
};

WsClient::WsClient(std::uint16_t port, const ConnectOptions& options) : impl_(std::make_unique<Impl>()) {
  websocket::response_type response;
  try {
    impl_->connect(port, options, &response);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("WebSocket connect failed (HTTP ") + std::to_string(response.result_int()) +
                             "): " + e.what());
  }
}

WsClient::~WsClient() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

unsigned WsClient::upgrade_status(std::uint16_t port, const ConnectOptions& options) {
  Impl impl;
  websocket::response_type response;
  try {
    impl.connect(port, options, &response);
  } catch (const std::exception&) {
  }
  return response.result_int();
}

bool WsClient::send_bytes(std::string_view bytes, bool text) {
  impl_->ws.text(text);
  bool done = false;
  beast::error_code result;
  impl_->ws.async_write(asio::buffer(bytes.data(), bytes.size()), [&](beast::error_code ec, std::size_t) {
    done = true;
    result = ec;
  });
  impl_->run_until([&] { return done; }, std::chrono::steady_clock::now() + 5s);
  impl_->ws.binary(true);
  if (!done) throw std::runtime_error("send timed out");
  return !result;
}

bool WsClient::send(const v1::ClientMessage& message) { return send_bytes(message.SerializeAsString()); }

std::optional<v1::ServerMessage> WsClient::next(std::chrono::milliseconds timeout) {
  impl_->run_until([&] { return !impl_->inbox.empty() || impl_->closed; }, std::chrono::steady_clock::now() + timeout);
  if (impl_->inbox.empty()) return std::nullopt;
  v1::ServerMessage m = std::move(impl_->inbox.front());
  impl_->inbox.pop_front();
  return m;
}

std::optional<v1::ServerMessage> WsClient::wait_for(const std::function<bool(const v1::ServerMessage&)>& match,
                                                    std::chrono::milliseconds timeout,
                                                    const std::function<void(const v1::ServerMessage&)>& seen) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && impl_->inbox.empty()) return std::nullopt;
    auto m = next(std::max(left, std::chrono::milliseconds(0)));
    if (!m) return std::nullopt;
    if (match(*m)) return m;
    if (seen) seen(*m);
  }
}

std::optional<std::uint16_t> WsClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  impl_->run_until(
      [&] {
        impl_->inbox.clear();
        return impl_->closed;
      },
      deadline);
  return impl_->closed ? impl_->code : std::nullopt;
}

void WsClient::close() {
  bool done = false;
  impl_->ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
  impl_->run_until([&] { return done; }, std::chrono::steady_clock::now() + 2s);
}

bool WsClient::is_closed() const { return impl_->closed; }
std::optional<std::uint16_t> WsClient::close_code() const { return impl_->code; }
std::size_t WsClient::frames_received() const { return impl_->frames; }
std::size_t WsClient::batches_received() const { return impl_->batches; }

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body, const std::map<std::string, std::string>& headers) {
  return http_request_from("", "", port, method, target, body, headers);
}

HttpResponse http_request_from(const std::string& source_address, const std::string& preamble, std::uint16_t port,
                               const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(5s);
  stream.socket().open(tcp::v4());
  if (!source_address.empty()) stream.socket().bind(tcp::endpoint(asio::ip::make_address(source_address), 0));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  if (!preamble.empty()) asio::write(stream.socket(), asio::buffer(preamble));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  parser.skip(method == "HEAD");
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  HttpResponse out;
  out.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  return out;
}

v1::ClientMessage hello(const std::string& workshop_id, const v1::Credential& credential, const std::string& name,
                        const std::string& participant_id, const std::string& secret, std::uint64_t last_seen_seq) {
  v1::ClientMessage m;
  auto* h = m.mutable_hello();
  h->set_protocol_version(protocol::kProtocolVersion);
  h->set_workshop_id(workshop_id);
  h->set_display_name(name);
  *h->mutable_credential() = credential;
  h->set_participant_id(participant_id);
  h->set_participant_secret(secret);
  h->set_last_seen_seq(last_seen_seq);
  h->set_client("werkstatt-tests");
  return m;
}

v1::ClientMessage op_message(const std::string& client_op_id, const v1::Op& op) {
  v1::ClientMessage m;
  m.mutable_op()->set_client_op_id(client_op_id);
  *m.mutable_op()->mutable_op() = op;
  return m;
}

}  // namespace werkstatt::test
