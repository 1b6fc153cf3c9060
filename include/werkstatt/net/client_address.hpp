#pragma once
// Who is the client? The real client address behind trusted reverse proxies.
//
// A request's TCP peer is believed to be a proxy only if it lies in one of
// the --trusted-proxy networks. Only then are the forwarding headers
// (`Forwarded` per RFC 7239, else `X-Forwarded-For`; `X-Forwarded-Proto`)
// or a PROXY protocol header (v1 text or v2 binary, as HAProxy sends with
// `send-proxy[-v2]`) read at all. The client is the rightmost address of the
// chain that is not itself a trusted proxy: that is the hop the trusted
// proxy added; everything left of it was sent by the client and could be
// anything. From untrusted peers every such header is ignored.
//
// `proxied` is true whenever the TCP peer is a trusted proxy: such a request
// is never "from loopback" (the proxy may well run on the same host), so a
// reverse proxy on localhost does not make the whole internet an admin.
//
// Thread safety: TrustedProxies is immutable after construction; the
// functions are pure.
#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace werkstatt::net {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // Each entry: an address ("127.0.0.1", "::1") or a network in CIDR
  // notation ("10.0.0.0/8", "fd00::/8"). Throws std::invalid_argument with a
  // message naming the bad entry.
  explicit TrustedProxies(const std::vector<std::string>& cidrs);

  [[nodiscard]] bool contains(const boost::asio::ip::address& address) const;
  [[nodiscard]] bool empty() const { return networks_.empty(); }

  // Parses one entry; nullopt if it is not an address or CIDR.
  struct Network {
    boost::asio::ip::address base;
    unsigned prefix = 0;
  };
  [[nodiscard]] static std::optional<Network> parse(std::string_view cidr);

 private:
  std::vector<Network> networks_;
};

// The request's client as the server believes it.
struct ClientOrigin {
  std::string address;       // the client's IP address, e.g. "203.0.113.7" or "2001:db8::1"
  bool proxied = false;      // the TCP peer is a trusted proxy
  bool loopback = false;     // the client itself is on loopback and no proxy is involved
  std::string scheme;        // "https" if a trusted proxy says so (X-Forwarded-Proto / Forwarded proto=), else ""
};

// What the forwarding headers of one request say (every occurrence of each
// header joined with ", ", in order).
struct ForwardingHeaders {
  std::string forwarded;
  std::string x_forwarded_for;
  std::string x_forwarded_proto;
};

// `peer`: the TCP peer. `proxy_source`: the source address from a PROXY
// protocol header on this connection (only ever set for trusted peers).
[[nodiscard]] ClientOrigin resolve_client(const boost::asio::ip::address& peer,
                                          const std::optional<boost::asio::ip::address>& proxy_source,
                                          const ForwardingHeaders& headers, const TrustedProxies& trusted);

// The `for=` addresses of a Forwarded header, left to right (quotes, IPv6
// brackets and ports removed). An entry that is not an address ("unknown",
// an obfuscated "_hidden") is kept as given so the walk stops at it.
[[nodiscard]] std::vector<std::string> forwarded_for_chain(std::string_view forwarded);
// The entries of X-Forwarded-For, left to right (ports removed).
[[nodiscard]] std::vector<std::string> x_forwarded_for_chain(std::string_view header);
// The last `proto=` of a Forwarded header, lower case; empty if none.
[[nodiscard]] std::string forwarded_proto(std::string_view forwarded);

// PROXY protocol (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt).
struct ProxyHeader {
  enum class Status { incomplete, invalid, complete };
  Status status = Status::incomplete;
  std::size_t length = 0;  // bytes of the header (complete only)
  // The original client; nullopt for v1 "UNKNOWN", v2 LOCAL (a health check
  // by the proxy itself) or an address family other than TCP over IPv4/6.
  std::optional<boost::asio::ip::address> source;
};
// Parses a PROXY header at the start of `data` (v1 or v2, detected by the
// signature). incomplete: read more (at most kMaxProxyHeaderBytes in all).
[[nodiscard]] ProxyHeader parse_proxy_header(std::string_view data);
// v1 is at most 107 bytes; a v2 header is 16 bytes plus addresses and TLVs
// (ALPN, SSL details, a unique id): 4 KiB is far beyond what HAProxy sends,
// and longer headers are refused.
inline constexpr std::size_t kMaxProxyHeaderBytes = 4096;

}  // namespace werkstatt::net
