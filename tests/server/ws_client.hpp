#pragma once
// A WebSocket test client with timeouts, synchronous from the test's point
// of view: every call runs the client's own io_context until the step is
// done or the timeout passes. Batches are unpacked, so tests see single
// ServerMessages. Beast stays inside ws_client.cpp (one translation unit).
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "support/credentials.hpp"
#include "werkstatt/v1/protocol.pb.h"

namespace werkstatt::test {

using namespace std::chrono_literals;

struct ConnectOptions {
  std::string path = "/ws";
  std::map<std::string, std::string> headers;  // e.g. Origin
  int receive_buffer_bytes = 0;                // > 0: SO_RCVBUF, to fill up sooner
  std::string source_address;                  // bind to this local address first (e.g. 127.0.0.7)
  std::string preamble;                        // raw bytes sent before the upgrade (a PROXY header)
};

class WsClient {
 public:
  // Connects and upgrades; throws std::runtime_error (with the HTTP status
  // if the upgrade was declined) on failure.
  explicit WsClient(std::uint16_t port, const ConnectOptions& options = {});
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // The HTTP status of a declined upgrade (101 if accepted).
  static unsigned upgrade_status(std::uint16_t port, const ConnectOptions& options);

  // False if the connection failed or closed (throws only on a timeout).
  bool send(const v1::ClientMessage& message);
  bool send_bytes(std::string_view bytes, bool text = false);

  // The next message, or nullopt on timeout or when the connection closed.
  std::optional<v1::ServerMessage> next(std::chrono::milliseconds timeout = 5s);
  // Reads until `match` holds for a message and returns it; nullopt on
  // timeout/close. Messages passed over are handed to `seen` if given.
  std::optional<v1::ServerMessage> wait_for(const std::function<bool(const v1::ServerMessage&)>& match,
                                            std::chrono::milliseconds timeout = 5s,
                                            const std::function<void(const v1::ServerMessage&)>& seen = {});
  // Reads (discarding) until the server closes; the close code, 1006 if the
  // connection ended without a close frame, nullopt on timeout.
  std::optional<std::uint16_t> wait_closed(std::chrono::milliseconds timeout = 5s);
  // Closes from the client side (normal closure) and waits briefly.
  void close();

  [[nodiscard]] bool is_closed() const;
  [[nodiscard]] std::optional<std::uint16_t> close_code() const;
  [[nodiscard]] std::size_t frames_received() const;   // WebSocket messages
  [[nodiscard]] std::size_t batches_received() const;  // of which were Batches

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct HttpResponse {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};
// One HTTP/1.1 request to 127.0.0.1:port (Connection: close).
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = "", const std::map<std::string, std::string>& headers = {});
// The same from a chosen loopback source address, with `preamble` sent first.
HttpResponse http_request_from(const std::string& source_address, const std::string& preamble, std::uint16_t port,
                               const std::string& method, const std::string& target, const std::string& body = "",
                               const std::map<std::string, std::string>& headers = {});

// Builders for client messages.
v1::ClientMessage hello(const std::string& workshop_id, const v1::Credential& credential,
                        const std::string& name = "Tester", const std::string& participant_id = "",
                        const std::string& secret = "", std::uint64_t last_seen_seq = 0);
v1::ClientMessage op_message(const std::string& client_op_id, const v1::Op& op);

}  // namespace werkstatt::test
