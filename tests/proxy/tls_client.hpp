// TLS clients for the proxy tests: HTTPS requests and wss:// WebSockets to
// HAProxy on loopback, each from a chosen loopback source address (127.0.1.x)
// so that each one is a different "real client" behind the proxy, and the
// throw-away certificate the proxy presents. Synchronous, for one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "support/credentials.hpp"
#include "werkstatt/v1/protocol.pb.h"

namespace werkstatt::test {

// Where the proxy listens (https://localhost:<port>) and the certificate it
// presents, which the clients trust (and nothing else).
struct TlsEndpoint {
  std::string cert;
  std::uint16_t port = 0;
  [[nodiscard]] std::string origin() const { return "https://localhost:" + std::to_string(port); }
};

// A self-signed certificate for localhost made by openssl in `dir`:
// cert.pem (what clients trust) and haproxy.pem (certificate + key, for
// HAProxy's crt). Returns cert.pem's path.
std::string make_localhost_certificate(const std::string& dir);

struct HttpsResponse {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
};

// One HTTPS request to the proxy from `source`; throws when it cannot connect.
HttpsResponse https(const TlsEndpoint& proxy, const std::string& source, const std::string& method,
                    const std::string& target, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});

// A wss:// client: the TLS and WebSocket handshakes in the constructor
// (throws when refused; `status` gets the HTTP answer), then protobuf messages.
class Wss {
 public:
  Wss(const TlsEndpoint& proxy, const std::string& source, const std::map<std::string, std::string>& headers = {},
      unsigned* status = nullptr, const std::string& target = "/ws");
  ~Wss();
  Wss(const Wss&) = delete;
  Wss& operator=(const Wss&) = delete;

  void send(const v1::ClientMessage& m);
  // The next message (a Batch's messages one by one); nullopt once the
  // connection is closed, or after `timeout`, which ends the connection
  // too (a cancelled WebSocket read leaves the stream unusable).
  std::optional<v1::ServerMessage> next(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  [[nodiscard]] bool closed() const;

  // Hello, then the Welcome (true) or an Error (false, in `error`).
  bool join(const std::string& workshop, const v1::Credential& cred, const std::string& pid = "",
            const std::string& secret = "");

  v1::Welcome welcome;
  v1::Error error;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace werkstatt::test
