#pragma once
// One WebSocket connection: reads ClientMessages, checks them, hands them to
// its workshop, and writes what the workshop queues for it.
//
// Reading: binary frames only, each one ClientMessage of at most
// ServerLimits::max_message_bytes. The first message must be Hello; its
// protocol version and workshop id are checked here, the credential by the
// workshop. Ops pass a token bucket first. Every protocol error is answered
// with a typed Error (fatal ones close the connection, see CloseCode); no
// input can change another client's view. An op frame that protobuf refuses
// only for its content (proto3 refuses invalid UTF-8 in strings) gets Reject
// INVALID_FIELD, as the board would give it, and the connection stays.
//
// Writing: the session lives on an I/O shard's strand, with everything it
// owns. send() from that strand (a workshop's broadcast task for the shard)
// queues at once; from elsewhere it posts the frames there. Exactly one
// async_write is in flight, and everything queued meanwhile goes out as ONE
// frame (a Batch built by concatenation, see workshop/frames.hpp). The queue
// is bounded in bytes (what waits behind the write in flight; the frame being
// written does not count): over ServerLimits::max_queue_bytes it is dropped, the
// client gets Error SLOW_CONSUMER after its write in flight (or the TCP
// connection is cut if that write does not finish within
// ServerLimits::slow_consumer_grace), closed with 4008, and resumes from its
// last seq. No caller ever waits for a socket.
//
// Lifetime: the session lives while a handler holds shared_from_this(); the
// workshop and the server hold weak pointers. The destructor detaches from
// the workshop (which records the leave).
//
// Thread safety: send(), close() and shutdown_now() from any thread; all
// else runs on the shard's strand.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "beast.hpp"
#include "server_context.hpp"
#include "token_bucket.hpp"
#include "werkstatt/v1/protocol.pb.h"
#include "werkstatt/workshop/client.hpp"
#include "werkstatt/workshop/workshop.hpp"

namespace werkstatt::net {

class websocket_session : public std::enable_shared_from_this<websocket_session>,
                          public workshop::Client,
                          public Closable {
 public:
  // Largest single write (a Batch of many frames). Bounds the latency one
  // connection's write adds and the copy made for it.
  static constexpr std::size_t kMaxWriteBytes = 256 * 1024;
  // Rejected ops within this window that count as flooding (times the rate).
  static constexpr std::chrono::seconds kFloodWindow{5};

  // `client`: who the HTTP session found behind the upgrade (the real
  // client address when it came through a trusted proxy).
  websocket_session(IoShard::Socket&& socket, std::shared_ptr<IoShard> shard, std::shared_ptr<ServerContext> context,
                    ConnectionLimiter::Ticket ticket, const ClientOrigin& client);
  ~websocket_session() override;

  // Takes over from the HTTP session: accepts the upgrade `request`.
  void run(http::request<http::string_body> request);

  [[nodiscard]] std::uint64_t connection_id() const override { return id_; }
  [[nodiscard]] std::shared_ptr<workshop::SendGroup> send_group() const override { return shard_; }
  void send(std::span<const workshop::Frame> frames) override;
  using workshop::Client::send;
  void close(workshop::CloseCode code, workshop::Frame last) override;
  void credential_refused(Credential which) override;
  [[nodiscard]] bool may_try_join_code() override;
  [[nodiscard]] bool may_create_identity() override;
  void shutdown_now() override;

 private:
  enum class State { awaiting_hello, loading, joined };  // loading: its workshop, on the worker pool
  // After the Hello: joins `loaded` (null: refused with why).
  void join_workshop(std::shared_ptr<workshop::Workshop> loaded, v1::Hello& hello);

  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void handle(v1::ClientMessage& message);
  void handle_op(v1::OpRequest& op);
  // An op frame protobuf refused (e.g. invalid UTF-8 in a text): Reject it.
  // `only_bad_utf8`: the op decodes but for text that is not UTF-8 (INVALID_FIELD); else MALFORMED.
  void reject_unparsed(const std::string& op_id, bool only_bad_utf8);
  // A protocol error: Error{fatal} after what is queued, then close.
  void refuse(v1::ErrorCode code, std::string_view message, workshop::CloseCode close_code);

  // The strand side of send() and close().
  void enqueue(std::span<const workshop::Frame> frames);
  void request_close(workshop::CloseCode code, workshop::Frame last);
  void do_write();
  void on_write(beast::error_code ec, std::size_t bytes);
  void do_close();
  void on_close(beast::error_code ec);
  void on_overflow();

  websocket::stream<IoShard::Socket> ws_;
  beast::flat_buffer buffer_;
  const std::shared_ptr<IoShard> shard_;
  const std::shared_ptr<ServerContext> context_;
  ConnectionLimiter::Ticket ticket_;  // after context_: released before it
  const std::uint64_t id_;
  std::string remote_;  // the client's address (never the proxy's)

  // Everything below: the strand only.
  bool accepted_ = false;  // the upgrade completed; writes are possible
  bool counted_ = false;   // in werkstatt_websocket_connections
  State state_ = State::awaiting_hello;
  std::shared_ptr<workshop::Workshop> workshop_;
  std::string workshop_id_;  // as the Hello named it (the workshop thread calls the admission hooks)
  TokenBucket op_bucket_;        // ops_per_second, burst ops_burst; starts full
  TokenBucket presence_bucket_;  // presence_per_second, burst of one second's worth
  std::chrono::steady_clock::time_point flood_window_start_{};
  std::size_t flood_rejections_ = 0;
  asio::steady_timer grace_timer_;

  std::vector<workshop::Frame> pending_;  // queued behind the write in flight
  std::size_t queued_bytes_ = 0;          // pending_ + the write in flight
  std::vector<workshop::Frame> writing_;  // the frames of the write in flight
  std::size_t writing_bytes_ = 0;
  std::string batch_;                     // their concatenation, when more than one
  bool write_in_flight_ = false;
  bool close_requested_ = false;  // nothing more is queued; close once the queue is out
  bool close_started_ = false;
  workshop::CloseCode close_code_ = workshop::CloseCode::normal;
  workshop::Frame close_frame_;  // the final Error, sent after the queue
};

}  // namespace werkstatt::net
