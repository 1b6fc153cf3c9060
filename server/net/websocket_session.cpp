#include "websocket_session.hpp"

#include <spdlog/spdlog.h>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/dynamic_message.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "werkstatt/board/text.hpp"
#include "werkstatt/metrics/metrics.hpp"

#include "werkstatt/protocol/version.hpp"
#include "werkstatt/workshop/frames.hpp"

namespace werkstatt::net {
namespace {

using workshop::CloseCode;
using workshop::Frame;
using workshop::read_varint;

// The client_op_id of a frame that is structurally a ClientMessage{op} but
// did not parse. Protobuf refuses a proto3 message whose string field holds
// invalid UTF-8, so such an op never reaches the board, which would reject it
// as INVALID_FIELD: this lets the server say the same to the author instead
// of dropping the connection. nullopt if the frame is not shaped like an op.
std::optional<std::string> unparsed_op_id(const std::uint8_t* p, const std::uint8_t* end) {
  std::uint64_t key = 0, len = 0;
  if (!read_varint(p, end, key) || key != ((2u << 3) | 2u) || !read_varint(p, end, len) ||
      len != static_cast<std::uint64_t>(end - p))
    return std::nullopt;  // exactly one field: ClientMessage.op (2), length-delimited, to the end
  while (p < end) {  // OpRequest: find client_op_id (1); every field must be well-formed
    if (!read_varint(p, end, key) || (key & 7) != 2 || !read_varint(p, end, len) ||
        len > static_cast<std::uint64_t>(end - p))
      return std::nullopt;
    if (key >> 3 == 1) {
      std::string id(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
      if (id.empty() || id.size() > 64 || !board::utf8_length(id)) return std::nullopt;
      return id;
    }
    p += len;
  }
  return std::nullopt;
}

// Whether `data` would parse as a ClientMessage if its strings were bytes:
// then the only fault is text that is not UTF-8 (an INVALID_FIELD the board
// would name too); otherwise the op itself is undecodable (MALFORMED). The
// schema with every string turned into bytes is built once.
bool parses_without_utf8_check(const std::uint8_t* data, std::size_t size) {
  namespace pb = google::protobuf;
  struct Lenient {
    pb::DescriptorPool pool;
    std::unique_ptr<pb::DynamicMessageFactory> factory;
    const pb::Message* prototype = nullptr;
  };
  static const std::unique_ptr<Lenient> lenient = [] {
    auto l = std::make_unique<Lenient>();
    const auto as_bytes = [](auto& self, pb::DescriptorProto& m) -> void {
      for (auto& f : *m.mutable_field())
        if (f.type() == pb::FieldDescriptorProto::TYPE_STRING) f.set_type(pb::FieldDescriptorProto::TYPE_BYTES);
      for (auto& nested : *m.mutable_nested_type()) self(self, nested);
    };
    // Dependencies first (board.proto), then protocol.proto.
    const pb::FileDescriptor* protocol = v1::ClientMessage::descriptor()->file();
    for (int i = 0; i <= protocol->dependency_count(); ++i) {
      const pb::FileDescriptor* file = i < protocol->dependency_count() ? protocol->dependency(i) : protocol;
      pb::FileDescriptorProto proto;
      file->CopyTo(&proto);
      for (auto& m : *proto.mutable_message_type()) as_bytes(as_bytes, m);
      if (!l->pool.BuildFile(proto)) return std::unique_ptr<Lenient>();
    }
    l->factory = std::make_unique<pb::DynamicMessageFactory>(&l->pool);
    if (const pb::Descriptor* d = l->pool.FindMessageTypeByName("werkstatt.v1.ClientMessage"))
      l->prototype = l->factory->GetPrototype(d);
    return l->prototype ? std::move(l) : std::unique_ptr<Lenient>();
  }();
  if (!lenient) return false;
  const std::unique_ptr<pb::Message> m(lenient->prototype->New());
  return m->ParseFromArray(data, static_cast<int>(size));
}

const char* close_reason_text(CloseCode code) {
  switch (code) {
    case CloseCode::normal: return "bye";
    case CloseCode::going_away: return "server shutting down";
    case CloseCode::protocol_error: return "protocol error";
    case CloseCode::unsupported_data: return "binary frames only";
    case CloseCode::policy: return "refused";
    case CloseCode::too_big: return "message too big";
    case CloseCode::internal: return "server error";
    case CloseCode::slow_consumer: return "slow consumer";
  }
  return "";
}

}  // namespace

websocket_session::websocket_session(IoShard::Socket&& socket, std::shared_ptr<IoShard> shard,
                                     std::shared_ptr<ServerContext> context, ConnectionLimiter::Ticket ticket,
                                     const ClientOrigin& client)
    : ws_(std::move(socket)),
      shard_(std::move(shard)),
      context_(std::move(context)),
      ticket_(std::move(ticket)),
      id_(workshop::next_connection_id()),
      remote_(client.address),
      op_bucket_(context_->config.limits.ops_burst, std::chrono::steady_clock::now()),
      presence_bucket_(context_->config.limits.presence_per_second, std::chrono::steady_clock::now()),
      grace_timer_(ws_.get_executor()) {}

websocket_session::~websocket_session() {
  if (counted_) {
    metrics::Metrics& m = metrics::global();
    m.websocket_connections.add(-1);
    if (!close_started_) {
      // The server never sent a close: the client closed, or the TCP connection just ended.
      const auto code = ws_.reason().code;
      m.closes.inc(metrics::label("by", "client") + "," +
                   metrics::label("code", std::to_string(code == websocket::close_code::none ? 1006 : code)));
    }
  }
  if (workshop_ && !context_->stopped) workshop_->detach(id_);
  context_->sessions.remove(id_);
  spdlog::debug("connection {} from {} closed", id_, remote_);
}

void websocket_session::run(http::request<http::string_body> request) {
  const ServerLimits& limits = context_->config.limits;
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = limits.idle_timeout;
  timeouts.handshake_timeout = limits.close_timeout;  // Beast uses it for the closing handshake too
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(http::field::server, "werkstatt"); }));
  // Compression off: events are small protobufs that barely compress, and
  // per-connection deflate state would cost memory and CPU on every write.
  websocket::permessage_deflate deflate;
  deflate.server_enable = false;
  deflate.client_enable = false;
  ws_.set_option(deflate);
  ws_.read_message_max(limits.max_message_bytes);
  ws_.binary(true);
  ws_.auto_fragment(false);
  context_->sessions.add(id_, std::weak_ptr<Closable>(shared_from_this()));
  counted_ = true;
  metrics::global().websocket_connections.add(1);
  ws_.async_accept(request, beast::bind_front_handler(&websocket_session::on_accept, shared_from_this()));
}

void websocket_session::on_accept(beast::error_code ec) {
  if (ec) return fail(ec, "websocket accept");
  accepted_ = true;
  if (!pending_.empty() || close_requested_) do_write();
  if (context_->shutting_down) {
    return refuse(v1::ERROR_CODE_SHUTTING_DOWN, "the server is shutting down; reconnect in a moment",
                  CloseCode::going_away);
  }
  do_read();
}

// ---------------------------------------------------------------- reading

void websocket_session::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&websocket_session::on_read, shared_from_this()));
}

void websocket_session::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    grace_timer_.cancel();
    if (ec == websocket::error::message_too_big) {
      spdlog::info("connection {} from {} sent a message over {} bytes; closed with 1009", id_, remote_,
                   context_->config.limits.max_message_bytes);
      return;
    }
    return fail(ec, "websocket read");
  }
  // Once closing, keep reading (so the close handshake completes) but act on nothing.
  if (!close_requested_) {
    if (ws_.got_text()) {
      refuse(v1::ERROR_CODE_MALFORMED, "text frames are not part of the protocol; send binary protobuf frames",
             CloseCode::unsupported_data);
    } else {
      v1::ClientMessage message;
      const auto* data = static_cast<const std::uint8_t*>(buffer_.data().data());
      if (!message.ParseFromArray(data, static_cast<int>(bytes))) {
        if (auto op_id = state_ == State::joined ? unparsed_op_id(data, data + bytes) : std::nullopt) {
          reject_unparsed(*op_id, parses_without_utf8_check(data, bytes));
        } else {
          refuse(v1::ERROR_CODE_MALFORMED, "the frame is not a ClientMessage", CloseCode::protocol_error);
        }
      } else {
        message.DiscardUnknownFields();
        try {
          handle(message);
        } catch (const std::exception& e) {
          spdlog::error("connection {}: handling a message failed: {}", id_, e.what());
          refuse(v1::ERROR_CODE_INTERNAL, "the server could not handle this message", CloseCode::internal);
        }
      }
    }
  }
  buffer_.consume(buffer_.size());
  if (state_ == State::loading) return;  // the load resumes reading
  do_read();
}

void websocket_session::handle(v1::ClientMessage& message) {
  switch (message.body_case()) {
    case v1::ClientMessage::kHello: {
      if (state_ != State::awaiting_hello)
        return refuse(v1::ERROR_CODE_HELLO_REQUIRED, "Hello may be sent only once per connection",
                      CloseCode::protocol_error);
      const v1::Hello& hello = message.hello();
      if (hello.protocol_version() != protocol::kProtocolVersion)
        return refuse(v1::ERROR_CODE_PROTOCOL_VERSION,
                      "this server speaks protocol version " + std::to_string(protocol::kProtocolVersion) +
                          ", the client " + std::to_string(hello.protocol_version()) +
                          "; reload the page to update the client",
                      CloseCode::protocol_error);
      // Workshop ids are unguessable (and counted per address when wrong);
      // join codes and new identities are limited per (address, workshop) by
      // the workshop asking may_try_join_code() / may_create_identity().
      auto loaded = context_->registry.find_loaded(hello.workshop_id());
      if (!loaded && context_->registry.stored(hello.workshop_id())) {
        if (!context_->pool) {
          loaded = context_->registry.find(hello.workshop_id());  // no pool (tests): load here
        } else {
          // Not loaded: the replay runs on the worker pool, never on this
          // I/O thread. Reading pauses meanwhile; the client waits for its
          // Welcome anyway.
          state_ = State::loading;
          auto pending = std::make_shared<v1::Hello>(std::move(*message.mutable_hello()));
          // One load however many of the room join at once (find_async).
          const bool posted = context_->registry.find_async(
              pending->workshop_id(), *context_->pool,
              [self = shared_from_this(), pending](std::shared_ptr<workshop::Workshop> w) {
                asio::post(self->shard_->strand(), [self, w = std::move(w), pending] {
                  self->state_ = State::awaiting_hello;
                  if (!self->close_requested_) self->join_workshop(std::move(w), *pending);
                  self->do_read();
                });
              });
          if (!posted) {
            state_ = State::awaiting_hello;
            refuse(v1::ERROR_CODE_INTERNAL, "the server is busy loading workshops; reconnect in a moment",
                   CloseCode::going_away);
          }
          return;
        }
      }
      return join_workshop(std::move(loaded), *message.mutable_hello());
    }
    case v1::ClientMessage::kOp:
      if (state_ != State::joined)
        return refuse(v1::ERROR_CODE_HELLO_REQUIRED, "send Hello before anything else", CloseCode::protocol_error);
      return handle_op(*message.mutable_op());
    case v1::ClientMessage::kPresence: {
      if (state_ != State::joined)
        return refuse(v1::ERROR_CODE_HELLO_REQUIRED, "send Hello before anything else", CloseCode::protocol_error);
      const double rate = context_->config.limits.presence_per_second;
      if (presence_bucket_.take({rate}, rate, std::chrono::steady_clock::now()))
        workshop_->update_presence(id_, std::move(*message.mutable_presence()));
      return;
    }
    case v1::ClientMessage::kPing: {
      v1::ServerMessage pong;
      pong.mutable_pong()->set_client_time_ms(message.ping().client_time_ms());
      pong.mutable_pong()->set_server_time_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count());
      send(workshop::encode(pong));
      return;
    }
    case v1::ClientMessage::BODY_NOT_SET:
      send(workshop::error_frame(v1::ERROR_CODE_INVALID_MESSAGE, "the message carries nothing", false));
      return;
  }
}

void websocket_session::join_workshop(std::shared_ptr<workshop::Workshop> loaded, v1::Hello& hello) {
  {
    {
      workshop_ = std::move(loaded);
      if (!workshop_ && context_->shutting_down)
        return refuse(v1::ERROR_CODE_SHUTTING_DOWN, "the server is shutting down; reconnect in a moment",
                      CloseCode::going_away);
      if (!workshop_) {
        if (context_->registry.erasure(hello.workshop_id()) != workshop::WorkshopRegistry::Erasure::none)
          return refuse(v1::ERROR_CODE_WORKSHOP_DELETED, "this workshop was deleted", CloseCode::policy);
        if (context_->registry.held_elsewhere(hello.workshop_id()))
          return refuse(v1::ERROR_CODE_MOVED,
                        "another server serves this workshop right now; reconnect in a moment to continue there",
                        CloseCode::going_away);
        if (const auto damage = context_->registry.damage(hello.workshop_id()))
          return refuse(v1::ERROR_CODE_WORKSHOP_DAMAGED,
                        "this workshop's stored history is damaged, so it is not served until the operator restores "
                        "it; nothing was changed",
                        CloseCode::internal);
        context_->guesses.failed(remote_);
        audit(context_->config.audit.get(), "credential_refused", remote_,
              {{"reason", "unknown workshop"}, {"workshop", hello.workshop_id().substr(0, 64)}});
        return refuse(v1::ERROR_CODE_UNKNOWN_WORKSHOP, "there is no workshop with this id on this server; check the link",
                      CloseCode::policy);
      }
      workshop_id_ = workshop_->id();
      state_ = State::joined;
      return workshop_->join(shared_from_this(), std::move(hello));
    }
  }
}

void websocket_session::handle_op(v1::OpRequest& op) {
  const ServerLimits& limits = context_->config.limits;
  const auto now = std::chrono::steady_clock::now();
  if (op_bucket_.take({limits.ops_per_second}, limits.ops_burst, now)) {
    // Requests only: the board decides (facilitators only) and journals them.
    if (op.op().has_remove_participant())
      audit(context_->config.audit.get(), "participant_removed", remote_,
            {{"workshop", workshop_id_},
             {"participant", std::string_view(op.op().remove_participant().participant_id()).substr(0, 64)},
             {"status", "requested"}});
    else if (op.op().has_close_workshop())
      audit(context_->config.audit.get(), "workshop_closed", remote_, {{"workshop", workshop_id_}, {"status", "requested"}});
    workshop_->submit(id_, std::move(op));
    return;
  }
  if (now - flood_window_start_ > kFloodWindow) {
    flood_window_start_ = now;
    flood_rejections_ = 0;
  }
  const auto flood_limit = static_cast<std::size_t>(limits.ops_per_second * kFloodWindow.count());
  if (++flood_rejections_ > std::max<std::size_t>(flood_limit, 10)) {
    spdlog::warn("connection {} from {} keeps sending ops over the rate limit; closing it", id_, remote_);
    audit(context_->config.audit.get(), "rate_limited", remote_, {{"workshop", workshop_id_}, {"reason", "ops flood"}});
    metrics::global().rate_limited.inc(metrics::label("limit", "flood"));
    return refuse(v1::ERROR_CODE_RATE_LIMITED, "too many ops for too long; slow down and reconnect",
                  CloseCode::policy);
  }
  metrics::global().rate_limited.inc(metrics::label("limit", "ops"));
  metrics::global().ops_rejected.inc();
  metrics::global().op_rejects.inc(metrics::label("code", v1::RejectCode_Name(v1::REJECT_CODE_RATE_LIMITED)));
  send(workshop::reject_frame(op.client_op_id().substr(0, 64), v1::REJECT_CODE_RATE_LIMITED,
                              "too many ops per second; resend this one in a moment"));
}

// Called on the workshop's strand: only context_ (thread-safe), remote_ and
// workshop_id_ (set before join, then constant) are used.
void websocket_session::credential_refused(Credential which) {
  const char* reason = "no credential";
  switch (which) {
    case Credential::join_code:
      context_->admission.wrong_join_code(remote_, workshop_id_);
      reason = "wrong join code";
      break;
    case Credential::facilitator_token: reason = "wrong facilitator token"; break;
    case Credential::observer_token: reason = "wrong observer token"; break;
    case Credential::participant_secret: reason = "wrong participant secret"; break;
    case Credential::none: break;
  }
  audit(context_->config.audit.get(), "credential_refused", remote_, {{"workshop", workshop_id_}, {"reason", reason}});
}

bool websocket_session::may_try_join_code() {
  if (context_->admission.may_try_join_code(remote_, workshop_id_)) return true;
  metrics::global().rate_limited.inc(metrics::label("limit", "wrong_credentials"));
  audit(context_->config.audit.get(), "rate_limited", remote_, {{"workshop", workshop_id_}, {"reason", "wrong join codes"}});
  return false;
}

bool websocket_session::may_create_identity() {
  if (context_->admission.take_identity(remote_, workshop_id_)) return true;
  metrics::global().rate_limited.inc(metrics::label("limit", "new_identities"));
  audit(context_->config.audit.get(), "rate_limited", remote_, {{"workshop", workshop_id_}, {"reason", "new identities"}});
  return false;
}

void websocket_session::reject_unparsed(const std::string& op_id, bool only_bad_utf8) {
  // Counts against the rate like any op: invalid ops must not be a way around it.
  const ServerLimits& limits = context_->config.limits;
  if (!op_bucket_.take({limits.ops_per_second}, limits.ops_burst, std::chrono::steady_clock::now())) {
    send(workshop::reject_frame(op_id, v1::REJECT_CODE_RATE_LIMITED, "too many ops per second"));
    return;
  }
  if (only_bad_utf8)
    send(workshop::reject_frame(op_id, v1::REJECT_CODE_INVALID_FIELD, "the op contains text that is not valid UTF-8"));
  else
    send(workshop::reject_frame(op_id, v1::REJECT_CODE_MALFORMED,
                                "the op could not be decoded (not a werkstatt.v1.Op); nothing was changed"));
}

void websocket_session::refuse(v1::ErrorCode code, std::string_view message, CloseCode close_code) {
  spdlog::info("connection {} from {}: {} ({})", id_, remote_, v1::ErrorCode_Name(code), message);
  close(close_code, workshop::error_frame(code, message, true));
}

// ---------------------------------------------------------------- writing

void websocket_session::send(std::span<const Frame> frames) {
  if (shard_->strand().running_in_this_thread()) return enqueue(frames);
  asio::post(shard_->strand(), [self = shared_from_this(), copy = std::vector<Frame>(frames.begin(), frames.end())] {
    self->enqueue(copy);
  });
}

void websocket_session::close(CloseCode code, Frame last) {
  if (shard_->strand().running_in_this_thread()) return request_close(code, std::move(last));
  asio::post(shard_->strand(), [self = shared_from_this(), code, last = std::move(last)]() mutable {
    self->request_close(code, std::move(last));
  });
}

void websocket_session::shutdown_now() {
  asio::post(shard_->strand(), [self = shared_from_this()] {
    // Joined sessions are closed by their workshop once its ops are acked.
    if (self->accepted_ && self->state_ == State::awaiting_hello)
      self->refuse(v1::ERROR_CODE_SHUTTING_DOWN, "the server is shutting down", CloseCode::going_away);
  });
}

void websocket_session::enqueue(std::span<const Frame> frames) {
  if (close_requested_) return;
  std::size_t bytes = 0;
  for (const Frame& f : frames) bytes += f->size();
  // The limit bounds backlog: what waits behind the write in flight. The
  // frame being written is not backlog (a Welcome of a big board may exceed
  // the limit on its own and takes a while on a slow link; events arriving
  // meanwhile must queue behind it), and what arrives while nothing waits is
  // always taken, so one large message goes through.
  const std::size_t backlog = queued_bytes_ - writing_bytes_;
  if (backlog > 0 && backlog + bytes > context_->config.limits.max_queue_bytes) {
    // Over the limit: drop the queue (its memory goes now) and close. A
    // dropped edit must not leave the client alive but wrong.
    queued_bytes_ = writing_bytes_;
    pending_.clear();
    pending_.shrink_to_fit();
    request_close(CloseCode::slow_consumer,
                  workshop::error_frame(v1::ERROR_CODE_SLOW_CONSUMER,
                                        "you fell too far behind; reconnect and resume from your last seq", true));
    return on_overflow();
  }
  queued_bytes_ += bytes;
  pending_.insert(pending_.end(), frames.begin(), frames.end());
  if (!write_in_flight_) do_write();
}

void websocket_session::request_close(CloseCode code, Frame last) {
  if (close_requested_) return;
  close_requested_ = true;
  close_code_ = code;
  close_frame_ = std::move(last);
  if (!write_in_flight_) do_write();  // otherwise on_write closes once the queue is out
}

void websocket_session::on_overflow() {
  metrics::global().slow_consumer_closes.inc();
  spdlog::info("connection {} from {}: outgoing queue over {} bytes; closing it (4008)", id_, remote_,
               context_->config.limits.max_queue_bytes);
  // If the client does not take what is in flight and the final Error in
  // time, cut the TCP connection: a client that never reads must not hold
  // the server's memory.
  grace_timer_.expires_after(context_->config.limits.slow_consumer_grace);
  grace_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec) return;
    spdlog::info("connection {}: slow consumer did not take its last write; cutting the connection", self->id_);
    beast::error_code ignored;
    self->ws_.next_layer().close(ignored);
  });
}

void websocket_session::do_write() {
  if (!accepted_) return;  // on_accept starts what was queued before the upgrade completed
  if (pending_.empty()) {
    write_in_flight_ = false;
    if (!close_requested_ || close_started_) return;
    close_started_ = true;
    write_in_flight_ = true;
    if (!close_frame_) return do_close();
    return ws_.async_write(asio::buffer(*close_frame_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return fail(ec, "websocket write");
      self->do_close();
    });
  }
  write_in_flight_ = true;
  // Everything queued, up to kMaxWriteBytes, goes out as one frame.
  std::size_t n = 0;
  std::size_t bytes = 0;
  while (n < pending_.size() && (n == 0 || bytes + pending_[n]->size() <= kMaxWriteBytes)) bytes += pending_[n++]->size();
  if (n == pending_.size()) {
    writing_.swap(pending_);
    pending_.clear();
  } else {
    const auto end = pending_.begin() + static_cast<std::ptrdiff_t>(n);
    writing_.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(end));
    pending_.erase(pending_.begin(), end);
  }
  writing_bytes_ = bytes;

  asio::const_buffer buffer;
  if (writing_.size() == 1) {
    buffer = asio::buffer(*writing_.front());
  } else {
    batch_.clear();
    workshop::append_batch(batch_, writing_);
    buffer = asio::buffer(batch_);
  }
  ws_.async_write(buffer, beast::bind_front_handler(&websocket_session::on_write, shared_from_this()));
}

void websocket_session::on_write(beast::error_code ec, std::size_t) {
  queued_bytes_ -= writing_bytes_;
  writing_bytes_ = 0;
  writing_.clear();
  if (ec) {
    // The connection is broken: queue nothing more. The read side ends too.
    close_requested_ = true;
    close_started_ = true;
    queued_bytes_ = 0;
    pending_.clear();
    return fail(ec, "websocket write");
  }
  do_write();
}

void websocket_session::do_close() {
  metrics::global().closes.inc(metrics::label("by", "server") + "," +
                               metrics::label("code", std::to_string(static_cast<unsigned>(close_code_))));
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_), close_reason_text(close_code_)),
                  beast::bind_front_handler(&websocket_session::on_close, shared_from_this()));
}

void websocket_session::on_close(beast::error_code ec) {
  grace_timer_.cancel();
  if (ec) return fail(ec, "websocket close");
}

}  // namespace werkstatt::net
