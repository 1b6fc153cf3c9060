#pragma once
// What a workshop needs from a connection: a way to queue encoded messages
// and a way to end the connection. The WebSocket session (server/net)
// implements it; tests can implement it without sockets.
//
// Frames: one encoded ServerMessage each, shared and immutable, so a
// broadcast is encoded once and the same buffer goes to every connection.
//
// Send groups: a server spreads its connections over a few serial
// executors (one per I/O thread). A broadcast to N connections then costs
// one hand-off per group, not one per connection: the workshop gives each
// group one task carrying every member's frames, and inside that task each
// send() writes at once, without a post or a lock.
//
// Thread safety: send() and close() may be called from any thread (the
// workshop strand calls them); an implementation must never block the caller
// on the network: it queues and writes on its own executor. Frames reach a
// connection in the order of the calls that queued them, whether they came
// through send() or through a task of its group.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace werkstatt::workshop {

using Frame = std::shared_ptr<const std::string>;

// WebSocket close codes the server uses; documented for clients in README.md.
enum class CloseCode : std::uint16_t {
  normal = 1000,
  going_away = 1001,       // the server shuts down: reconnect later and resume
  protocol_error = 1002,   // undecodable message, a message before Hello, second Hello, wrong version
  unsupported_data = 1003, // a text frame: the protocol is binary protobuf
  policy = 1008,           // bad credential, unknown workshop, full, flooding
  too_big = 1009,          // a frame over the message size limit (sent by Beast itself)
  internal = 1011,         // a server fault
  slow_consumer = 4008,    // the outgoing queue went over its limit: resume from the last seq
};

// A serial executor shared by several clients.
class SendGroup {
 public:
  virtual ~SendGroup() = default;
  // Runs `task` on the group's executor, after everything posted before it.
  virtual void post(std::function<void()> task) = 0;
};

class Client {
 public:
  virtual ~Client() = default;

  // Unique per process, never reused; the workshop's key for this connection.
  [[nodiscard]] virtual std::uint64_t connection_id() const = 0;

  // The group whose tasks may call send() without a hand-off, or null
  // (send() is then called directly). Fixed for the client's lifetime.
  [[nodiscard]] virtual std::shared_ptr<SendGroup> send_group() const { return nullptr; }

  // Queues `frames` in order after everything queued before. Ignored if the
  // connection is closing. If these frames take its queue over the byte
  // limit, it drops its queue and closes itself with slow_consumer (a
  // dropped message would leave the client alive but wrong).
  virtual void send(std::span<const Frame> frames) = 0;
  void send(const Frame& frame) { send(std::span<const Frame>(&frame, 1)); }

  // The credential in this connection's Hello was wrong (called before the
  // refusal), so the server can slow down guessing and log it.
  enum class Credential { join_code, facilitator_token, observer_token, participant_secret, none };
  virtual void credential_refused(Credential /*which*/) {}
  // Admission limits the server keeps per client address (net/admission.hpp).
  // Asked only where a guess or a new identity is at stake: a valid
  // participant id + secret (resume) and the 256-bit tokens never are.
  // Whether a join code may be checked now for a new identity; false: the
  // Hello is refused with RATE_LIMITED without looking at the code.
  [[nodiscard]] virtual bool may_try_join_code() { return true; }
  // Whether a new identity may be made for this connection now (costs one
  // from the budget if so).
  [[nodiscard]] virtual bool may_create_identity() { return true; }

  // Sends what is queued, then `last` (if not null, e.g. an Error), then
  // closes with `code`. Later send()s are ignored.
  virtual void close(CloseCode code, Frame last) = 0;
};

// A process-wide counter for Client::connection_id().
[[nodiscard]] std::uint64_t next_connection_id();

}  // namespace werkstatt::workshop
