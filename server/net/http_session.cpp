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

// Before a request's Host is known (a request too large to read).
const std::string kDefaultCsp = content_security_policy("", "");

template <class Body>
void secure(http::response<Body>& res, const std::string& csp = kDefaultCsp) {
  res.set(http::field::server, "werkstatt");
  res.set("Content-Security-Policy", csp);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
}

http::message_generator text_reply(http::status status, unsigned version, bool keep_alive, std::string body,
                                   std::string_view content_type, bool head, const std::string& csp = kDefaultCsp) {
  http::response<http::string_body> res{status, version};
  secure(res, csp);
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

http_session::http_session(IoShard::Socket&& socket, std::shared_ptr<IoShard> shard,
                           std::shared_ptr<ServerContext> context, ConnectionLimiter::Ticket ticket)
    : stream_(std::move(socket)),
      shard_(std::move(shard)),
      context_(std::move(context)),
      ticket_(std::move(ticket)),
      id_(workshop::next_connection_id()) {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  peer_ok_ = !ec;
  if (!ec) peer_ = endpoint.address();
}

http_session::~http_session() { context_->sessions.remove(id_); }

void http_session::run() {
  context_->sessions.add(id_, std::weak_ptr<Closable>(shared_from_this()));
  // The socket already runs on the shard's strand (chosen at accept).
  const bool expect_proxy_header = context_->config.proxy_protocol && peer_ok_ && context_->trusted.contains(peer_);
  asio::dispatch(stream_.get_executor(),
                 beast::bind_front_handler(expect_proxy_header ? &http_session::do_read_proxy_header : &http_session::do_read,
                                           shared_from_this()));
}

void http_session::do_read_proxy_header() {
  stream_.expires_after(context_->config.limits.http_timeout);
  stream_.async_read_some(buffer_.prepare(kMaxProxyHeaderBytes - buffer_.size()),
                          beast::bind_front_handler(&http_session::on_read_proxy_header, shared_from_this()));
}

void http_session::on_read_proxy_header(beast::error_code ec, std::size_t bytes) {
  if (ec) return fail(ec, "proxy header read");
  buffer_.commit(bytes);
  const auto data = buffer_.cdata();
  const ProxyHeader header = parse_proxy_header(std::string_view(static_cast<const char*>(data.data()), data.size()));
  switch (header.status) {
    case ProxyHeader::Status::incomplete:
      if (buffer_.size() < kMaxProxyHeaderBytes) return do_read_proxy_header();
      [[fallthrough]];
    case ProxyHeader::Status::invalid:
      spdlog::warn("closed a connection from trusted proxy {}: it did not start with a PROXY protocol header "
                   "(--proxy-protocol is on; configure send-proxy-v2 on the proxy's server line)",
                   peer_.to_string());
      return do_close();
    case ProxyHeader::Status::complete: break;
  }
  proxy_source_ = header.source;
  buffer_.consume(header.length);  // what follows is HTTP, read from the buffer first
  do_read();
}

ClientOrigin http_session::client_of(const http::request<http::string_body>& request) const {
  ForwardingHeaders headers;
  const auto gather = [&](auto field, std::string& out) {
    for (auto [it, end] = request.equal_range(field); it != end; ++it) {
      if (!out.empty()) out += ", ";
      out += std::string(it->value());
    }
  };
  gather("Forwarded", headers.forwarded);
  gather("X-Forwarded-For", headers.x_forwarded_for);
  gather("X-Forwarded-Proto", headers.x_forwarded_proto);
  return resolve_client(peer_, proxy_source_, headers, context_->trusted);
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
  const ClientOrigin client = client_of(request);
  const std::string_view host = request[http::field::host];
  csp_ = content_security_policy(host_allowed(host, context_->api) ? host : std::string_view(), context_->config.public_url);

  if (websocket::is_upgrade(request)) {
    const auto version = request.version();
    status_ = 101;
    route_ = route_label(request.target());
    if (!is_websocket_path(request.target()))
      return status_ = 404, reply(text_reply(http::status::not_found, version, false,
                                             R"({"error":"no WebSocket endpoint here; use /ws"})", "application/json",
                                             false, csp_),
                                  false);
    if (!host_allowed(host, context_->api)) {
      audit(context_->config.audit.get(), "request_refused", client.address,
            {{"reason", "host"}, {"host", host.substr(0, 100)}, {"path", "/ws"}});
      spdlog::info("refused a WebSocket from {} for host '{}' (not this server's name: DNS rebinding?)", client.address,
                   std::string(host.substr(0, 100)));
      status_ = 403;
      return reply(text_reply(http::status::forbidden, version, false,
                              R"({"error":"this server does not answer to this host name"})", "application/json", false,
                              csp_),
                   false);
    }
    const std::string_view origin = request[http::field::origin];
    if (!origin_allowed(origin, host, context_->config.allowed_origins, context_->config.public_url)) {
      audit(context_->config.audit.get(), "request_refused", client.address,
            {{"reason", "origin"}, {"origin", origin.substr(0, 100)}, {"path", "/ws"}});
      spdlog::info("refused a WebSocket from origin '{}' (not this server's origin nor allowed)",
                   std::string(origin.substr(0, 100)));
      status_ = 403;
      return reply(text_reply(http::status::forbidden, version, false,
                              R"({"error":"this origin may not open a WebSocket here"})", "application/json", false,
                              csp_),
                   false);
    }
    if (context_->shutting_down)
      return status_ = 503, reply(text_reply(http::status::service_unavailable, version, false,
                              R"({"error":"the server is shutting down"})", "application/json", false),
                   false);
    if (!ticket_.held()) {  // through a trusted proxy: the slot is the real client's
      auto ticket = context_->limiter.try_acquire(client.address);
      if (!ticket) {
        audit(context_->config.audit.get(), "rate_limited", client.address, {{"reason", "connections per address"}});
        spdlog::warn("refused a WebSocket from {} via proxy {}: it already has {} open (--max-connections-per-ip)",
                     client.address, peer_.to_string(), context_->config.limits.max_connections_per_ip);
        status_ = 503;
        return reply(text_reply(http::status::service_unavailable, version, false,
                                R"({"error":"too many connections from your address"})", "application/json", false),
                     false);
      }
      ticket_ = std::move(*ticket);
    }
    count_request();
    stream_.expires_never();
    std::make_shared<websocket_session>(stream_.release_socket(), shard_, context_, std::move(ticket_), client)
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
    const bool posted = context_->pool->try_post([self = shared_from_this(), job, keep_alive, client] {
      auto message = std::make_shared<http::message_generator>(self->answer(std::move(*job), client));
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
  reply(answer(std::move(request), client), keep_alive);
}

http::message_generator http_session::answer(http::request<http::string_body>&& request, const ClientOrigin& client) {
  try {
    return handle(std::move(request), client);
  } catch (const std::exception& e) {
    spdlog::error("http request failed: {}", e.what());
    status_ = 500;
    return text_reply(http::status::internal_server_error, 11, false, R"({"error":"internal error"})",
                      "application/json", false);
  }
}

http::message_generator http_session::handle(http::request<http::string_body>&& req, const ClientOrigin& client) {
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
  api.content_type = req[http::field::content_type];
  api.origin = req[http::field::origin];
  api.scheme = client.scheme;
  api.audit = context_->config.audit.get();
  api.from_loopback = client.loopback;
  api.client_address = client.address;
  api.guesses = &context_->guesses;
  std::optional<HttpReply> r = handle_probe(api.method, target, context_->probe_state());
  if (!r) r = handle_api(api, context_->api, context_->registry);
  if (!r) r = reserved_path_reply(target);
  if (r) {
    status_ = r->status;
    http::response<http::string_body> res{static_cast<http::status>(r->status), version};
    secure(res, csp_);
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
                          "text/plain; charset=utf-8", head, csp_);
    return res;
  }
  const StaticFile file = resolve_static(context_->config.static_dir, target);
  status_ = file.kind == StaticFile::Kind::file ? 200 : file.kind == StaticFile::Kind::bad_request ? 400 : 404;
  switch (file.kind) {
    case StaticFile::Kind::bad_request:
      return text_reply(http::status::bad_request, version, keep_alive, "bad path\n", "text/plain; charset=utf-8", head, csp_);
    case StaticFile::Kind::not_found:
      return text_reply(http::status::not_found, version, keep_alive, "not found\n", "text/plain; charset=utf-8", head, csp_);
    case StaticFile::Kind::no_client:
      return text_reply(http::status::not_found, version, keep_alive,
                        "The web client is not built. Run: (cd client-web && npm ci && npm run build), "
                        "or start the server with --static-dir pointing at a built client.\n",
                        "text/plain; charset=utf-8", head, csp_);
    case StaticFile::Kind::file: break;
  }
  // Every Accept-Encoding line counts (a proxy may add its own).
  std::string accept_encoding;
  for (auto [it, end] = req.equal_range(http::field::accept_encoding); it != end; ++it) {
    if (!accept_encoding.empty()) accept_encoding += ", ";
    accept_encoding += std::string(it->value());
  }
  const StaticVariant variant =
      select_variant(context_->config.static_dir, file, parse_accept_encoding(accept_encoding));
  http::file_body::value_type body;
  beast::error_code ec;
  body.open(variant.path.c_str(), beast::file_mode::scan, ec);
  if (ec) {
    status_ = 404;
    return text_reply(http::status::not_found, version, keep_alive, "not found\n", "text/plain; charset=utf-8", head,
                      csp_);
  }
  const auto size = body.size();
  // The same headers for GET and HEAD. No Range support: a range of an
  // encoded body would count bytes of the encoding, not of the file.
  const auto headers = [&](auto& res) {
    secure(res, csp_);
    res.set(http::field::content_type, file.content_type);  // the file's type, whatever its coding
    res.set(http::field::cache_control, file.cache_control);
    if (variant.coding != ContentCoding::identity)
      res.set(http::field::content_encoding, content_encoding_name(variant.coding));
    if (file.compressible) res.set(http::field::vary, "Accept-Encoding");
    res.content_length(size);
    res.keep_alive(keep_alive);
  };
  if (head) {
    http::response<http::empty_body> res{http::status::ok, version};
    headers(res);
    return res;
  }
  http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                      std::make_tuple(http::status::ok, version)};
  headers(res);
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
