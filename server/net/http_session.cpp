#include "http_session.hpp"

#include <spdlog/spdlog.h>

#include "probes.hpp"
#include "static_files.hpp"
#include "websocket_session.hpp"
#include "werkstatt/metrics/metrics.hpp"
#include "werkstatt/workshop/client.hpp"

namespace werkstatt::net {
namespace {

constexpr std::size_t kMaxHeaderBytes = 8 * 1024;

template <class Body>
void secure(http::response<Body>& res) {
  res.set(http::field::server, "werkstatt");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
}

http::message_generator text_reply(http::status status, unsigned version, bool keep_alive, std::string body,
                                   std::string_view content_type, bool head) {
  http::response<http::string_body> res{status, version};
  secure(res);
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  const std::size_t size = body.size();
  if (!head) res.body() = std::move(body);
  res.content_length(size);
  return res;
}

// REST calls that read or write the journal beyond the live path. Probes,
// the join-code lookup and the web client's files stay on the I/O strand:
// they are cheap, and a probe must answer even while the pool is busy.
bool runs_in_background(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path.starts_with("/api/workshops");
}

bool is_websocket_path(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  return path == "/ws" || path == "/api/ws";
}

}  // namespace

bool origin_allowed(std::string_view origin, std::string_view host, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;
  for (const std::string& a : allowed)
    if (a == origin || a == "*") return true;
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (origin.starts_with(scheme) && !host.empty() && origin.substr(scheme.size()) == host) return true;
  }
  return false;
}

http_session::http_session(IoShard::Socket&& socket, std::shared_ptr<IoShard> shard,
                           std::shared_ptr<ServerContext> context, ConnectionLimiter::Ticket ticket)
    : stream_(std::move(socket)),
      shard_(std::move(shard)),
      context_(std::move(context)),
      ticket_(std::move(ticket)),
      id_(workshop::next_connection_id()) {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  from_loopback_ = !ec && endpoint.address().is_loopback();
  if (!ec) remote_ = endpoint.address().to_string();
}

http_session::~http_session() { context_->sessions.remove(id_); }

void http_session::run() {
  context_->sessions.add(id_, std::weak_ptr<Closable>(shared_from_this()));
  // The socket already runs on the shard's strand (chosen at accept).
  asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&http_session::do_read, shared_from_this()));
}

void http_session::shutdown_now() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    self->stream_.close();
  });
}

void http_session::do_read() {
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(context_->config.limits.max_request_body);
  stream_.expires_after(context_->config.limits.http_timeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
  if (ec == http::error::end_of_stream) return do_close();
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    route_ = "unparsed";
    status_ = ec == http::error::body_limit ? 413 : 431;
    return reply(text_reply(ec == http::error::body_limit ? http::status::payload_too_large
                                                          : http::status::request_header_fields_too_large,
                            11, false, R"({"error":"request too large"})", "application/json", false),
                 false);
  }
  if (ec) return fail(ec, "http read");
  http::request<http::string_body> request = parser_->release();

  if (websocket::is_upgrade(request)) {
    const auto version = request.version();
    status_ = 101;
    route_ = route_label(request.target());
    if (!is_websocket_path(request.target()))
      return status_ = 404, reply(text_reply(http::status::not_found, version, false, R"({"error":"no WebSocket endpoint here; use /ws"})",
                              "application/json", false),
                   false);
    if (!origin_allowed(request[http::field::origin], request[http::field::host], context_->config.allowed_origins)) {
      spdlog::info("refused a WebSocket from origin '{}' (not this server's origin nor allowed)",
                   std::string(request[http::field::origin]).substr(0, 100));
      status_ = 403;
      return reply(text_reply(http::status::forbidden, version, false,
                              R"({"error":"this origin may not open a WebSocket here"})", "application/json", false),
                   false);
    }
    if (context_->shutting_down)
      return status_ = 503, reply(text_reply(http::status::service_unavailable, version, false,
                              R"({"error":"the server is shutting down"})", "application/json", false),
                   false);
    count_request();
    stream_.expires_never();
    std::make_shared<websocket_session>(stream_.release_socket(), shard_, context_, std::move(ticket_))
        ->run(std::move(request));
    return;
  }
  const bool keep_alive = request.keep_alive() && !context_->shutting_down;
  route_ = route_label(request.target());
  if (runs_in_background(request.target()) && context_->pool) {
    // Replay, exports, timeline, creation: journal reads and writes that may
    // take long. They run on the worker pool; the answer is written from
    // this session's strand. Nothing else happens on this connection
    // meanwhile (no read is pending), so the members are not shared.
    auto job = std::make_shared<http::request<http::string_body>>(std::move(request));
    const bool posted = context_->pool->try_post([self = shared_from_this(), job, keep_alive] {
      auto message = std::make_shared<http::message_generator>(self->answer(std::move(*job)));
      asio::post(self->stream_.get_executor(), [self, message, keep_alive] {
        self->reply(std::move(*message), keep_alive);
      });
    });
    if (!posted) {
      status_ = 503;
      http::response<http::string_body> res{http::status::service_unavailable, job->version()};
      secure(res);
      res.set(http::field::content_type, "application/json");
      res.set(http::field::cache_control, "no-store");
      res.set(http::field::retry_after, "1");
      res.keep_alive(keep_alive);
      res.body() = R"({"error":"the server is busy with other exports and replays; try again in a moment"})";
      res.prepare_payload();
      reply(std::move(res), keep_alive);
    }
    return;
  }
  reply(answer(std::move(request)), keep_alive);
}

http::message_generator http_session::answer(http::request<http::string_body>&& request) {
  try {
    return handle(std::move(request));
  } catch (const std::exception& e) {
    spdlog::error("http request failed: {}", e.what());
    status_ = 500;
    return text_reply(http::status::internal_server_error, 11, false, R"({"error":"internal error"})",
                      "application/json", false);
  }
}

http::message_generator http_session::handle(http::request<http::string_body>&& req) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive() && !context_->shutting_down;
  const bool head = req.method() == http::verb::head;
  const std::string_view target = req.target();

  ApiRequest api;
  api.method = req.method_string();
  api.target = target;
  api.body = req.body();
  api.authorization = req[http::field::authorization];
  api.host = req[http::field::host];
  api.from_loopback = from_loopback_;
  api.client_address = remote_;
  api.guesses = &context_->guesses;
  std::optional<HttpReply> r = handle_probe(api.method, target, context_->probe_state());
  if (!r) r = handle_api(api, context_->api, context_->registry);
  if (!r) r = reserved_path_reply(target);
  if (r) {
    status_ = r->status;
    http::response<http::string_body> res{static_cast<http::status>(r->status), version};
    secure(res);
    res.set(http::field::content_type, r->content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r->headers) res.set(name, value);
    res.keep_alive(keep_alive);
    const std::size_t size = r->body.size();
    if (!head) res.body() = std::move(r->body);
    res.content_length(size);
    return res;
  }

  if (req.method() != http::verb::get && !head) {
    status_ = 405;
    auto res = text_reply(http::status::method_not_allowed, version, keep_alive, "method not allowed\n",
                          "text/plain; charset=utf-8", head);
    return res;
  }
  const StaticFile file = resolve_static(context_->config.static_dir, target);
  status_ = file.kind == StaticFile::Kind::file ? 200 : file.kind == StaticFile::Kind::bad_request ? 400 : 404;
  switch (file.kind) {
    case StaticFile::Kind::bad_request:
      return text_reply(http::status::bad_request, version, keep_alive, "bad path\n", "text/plain; charset=utf-8", head);
    case StaticFile::Kind::not_found:
      return text_reply(http::status::not_found, version, keep_alive, "not found\n", "text/plain; charset=utf-8", head);
    case StaticFile::Kind::no_client:
      return text_reply(http::status::not_found, version, keep_alive,
                        "The web client is not built. Run: (cd client-web && npm ci && npm run build), "
                        "or start the server with --static-dir pointing at a built client.\n",
                        "text/plain; charset=utf-8", head);
    case StaticFile::Kind::file: break;
  }
  http::file_body::value_type body;
  beast::error_code ec;
  body.open(file.path.c_str(), beast::file_mode::scan, ec);
  if (ec) {
    status_ = 404;
    return text_reply(http::status::not_found, version, keep_alive, "not found\n", "text/plain; charset=utf-8", head);
  }
  const auto size = body.size();
  if (head) {
    http::response<http::empty_body> res{http::status::ok, version};
    secure(res);
    res.set(http::field::content_type, file.content_type);
    res.set(http::field::cache_control, file.cache_control);
    res.content_length(size);
    res.keep_alive(keep_alive);
    return res;
  }
  http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                      std::make_tuple(http::status::ok, version)};
  secure(res);
  res.set(http::field::content_type, file.content_type);
  res.set(http::field::cache_control, file.cache_control);
  res.content_length(size);
  res.keep_alive(keep_alive);
  return res;
}

void http_session::count_request() {
  if (status_ == 429) metrics::global().rate_limited.inc(metrics::label("limit", "wrong_credentials"));  // only GuessLimiter answers 429
  metrics::global().http_requests.inc(metrics::label("route", route_) + "," +
                                      metrics::label("status", std::to_string(status_)));
}

void http_session::reply(http::message_generator message, bool keep_alive) {
  count_request();
  stream_.expires_after(context_->config.limits.http_timeout);
  beast::async_write(stream_, std::move(message),
                     beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
  if (ec) return fail(ec, "http write");
  if (!keep_alive) return do_close();
  do_read();
}

void http_session::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace werkstatt::net
