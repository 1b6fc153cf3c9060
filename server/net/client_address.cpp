#include "werkstatt/net/client_address.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <stdexcept>

namespace werkstatt::net {
namespace {

namespace ip = boost::asio::ip;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = s.find(sep, start);
    parts.push_back(trim(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "[2001:db8::1]:443" → "2001:db8::1"; "192.0.2.1:80" → "192.0.2.1"; else as is.
std::string strip_port(std::string_view node) {
  if (node.starts_with('[')) {
    const auto close = node.find(']');
    return std::string(close == std::string_view::npos ? node : node.substr(1, close - 1));
  }
  if (std::count(node.begin(), node.end(), ':') == 1) return std::string(node.substr(0, node.find(':')));
  return std::string(node);
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  // An IPv4-mapped IPv6 address is the IPv4 client (dual-stack sockets).
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

bool prefix_matches(const ip::address& a, const TrustedProxies::Network& n) {
  if (a.is_v4() != n.base.is_v4()) return false;
  const auto compare = [&](const auto& x, const auto& y) {
    unsigned bits = n.prefix;
    for (std::size_t i = 0; i < x.size() && bits > 0; ++i) {
      const unsigned take = std::min(bits, 8u);
      const auto mask = static_cast<std::uint8_t>(0xFFu << (8 - take));
      if ((x[i] & mask) != (y[i] & mask)) return false;
      bits -= take;
    }
    return true;
  };
  if (a.is_v4()) return compare(a.to_v4().to_bytes(), n.base.to_v4().to_bytes());
  return compare(a.to_v6().to_bytes(), n.base.to_v6().to_bytes());
}

}  // namespace

std::optional<TrustedProxies::Network> TrustedProxies::parse(std::string_view cidr) {
  cidr = trim(cidr);
  const auto slash = cidr.find('/');
  const auto base = parse_address(cidr.substr(0, slash));
  if (!base) return std::nullopt;
  const unsigned max = base->is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = cidr.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    prefix = static_cast<unsigned>(std::stoul(std::string(digits)));
    if (prefix > max) return std::nullopt;
  }
  return Network{*base, prefix};
}

TrustedProxies::TrustedProxies(const std::vector<std::string>& cidrs) {
  for (const std::string& c : cidrs) {
    auto n = parse(c);
    if (!n)
      throw std::invalid_argument("'" + c + "' is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, ::1/128)");
    networks_.push_back(*n);
  }
}

bool TrustedProxies::contains(const ip::address& address) const {
  ip::address a = address;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return std::any_of(networks_.begin(), networks_.end(), [&](const Network& n) { return prefix_matches(a, n); });
}

std::vector<std::string> forwarded_for_chain(std::string_view forwarded) {
  std::vector<std::string> chain;
  for (const std::string_view element : split(forwarded, ',')) {
    for (const std::string_view pair : split(element, ';')) {
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || lower(trim(pair.substr(0, eq))) != "for") continue;
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      chain.push_back(strip_port(value));
    }
  }
  return chain;
}

std::vector<std::string> x_forwarded_for_chain(std::string_view header) {
  std::vector<std::string> chain;
  if (trim(header).empty()) return chain;
  for (const std::string_view entry : split(header, ',')) chain.push_back(strip_port(entry));
  return chain;
}

std::string forwarded_proto(std::string_view forwarded) {
  std::string proto;
  for (const std::string_view element : split(forwarded, ','))
    for (const std::string_view pair : split(element, ';')) {
      const auto eq = pair.find('=');
      if (eq == std::string_view::npos || lower(trim(pair.substr(0, eq))) != "proto") continue;
      std::string_view value = trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      proto = lower(value);
    }
  return proto;
}

ClientOrigin resolve_client(const ip::address& peer, const std::optional<ip::address>& proxy_source,
                            const ForwardingHeaders& headers, const TrustedProxies& trusted) {
  ClientOrigin origin;
  ip::address tcp_peer = peer;
  if (tcp_peer.is_v6() && tcp_peer.to_v6().is_v4_mapped()) tcp_peer = ip::make_address_v4(ip::v4_mapped, tcp_peer.to_v6());
  if (!trusted.contains(tcp_peer)) {
    origin.address = tcp_peer.to_string();
    origin.loopback = tcp_peer.is_loopback();
    return origin;
  }
  origin.proxied = true;
  // The chain as the trusted proxy hands it over: what the headers list,
  // then the connection's own source (the PROXY header's, else the peer).
  std::vector<std::string> chain = !trim(headers.forwarded).empty() ? forwarded_for_chain(headers.forwarded)
                                                                     : x_forwarded_for_chain(headers.x_forwarded_for);
  ip::address current = proxy_source.value_or(tcp_peer);
  // Walk right to left while the hop is a trusted proxy.
  while (trusted.contains(current) && !chain.empty()) {
    const auto next = parse_address(chain.back());
    chain.pop_back();
    // Not an address ("unknown", obfuscated): the trusted hop is the best we know.
    if (!next) break;
    current = *next;
  }
  origin.address = current.to_string();
  const std::string proto = !trim(headers.forwarded).empty()
                                ? forwarded_proto(headers.forwarded)
                                : lower(x_forwarded_for_chain(headers.x_forwarded_proto).empty()
                                            ? std::string()
                                            : x_forwarded_for_chain(headers.x_forwarded_proto).back());
  if (proto == "https" || proto == "http") origin.scheme = proto;
  return origin;
}

ProxyHeader parse_proxy_header(std::string_view data) {
  ProxyHeader h;
  static constexpr std::array<unsigned char, 12> kV2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                        0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  const auto invalid = [&] {
    h.status = ProxyHeader::Status::invalid;
    return h;
  };
  // v2: the 12-byte signature.
  const std::size_t sig = std::min(data.size(), kV2.size());
  if (sig > 0 && std::memcmp(data.data(), kV2.data(), sig) == 0) {
    if (data.size() < 16) return h;
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(data[i]); };
    if ((byte(12) >> 4) != 2) return invalid();
    const unsigned command = byte(12) & 0x0F;
    if (command > 1) return invalid();
    const std::size_t length = (static_cast<std::size_t>(byte(14)) << 8) | byte(15);
    if (16 + length > kMaxProxyHeaderBytes) return invalid();
    if (data.size() < 16 + length) return h;
    h.status = ProxyHeader::Status::complete;
    h.length = 16 + length;
    if (command == 0) return h;  // LOCAL: the proxy's own connection (health check)
    const unsigned family = byte(13);
    if (family == 0x11) {  // TCP over IPv4: src(4) dst(4) sport(2) dport(2)
      if (length < 12) return invalid();
      ip::address_v4::bytes_type b;
      std::memcpy(b.data(), data.data() + 16, 4);
      h.source = ip::address_v4(b);
    } else if (family == 0x21) {  // TCP over IPv6: src(16) dst(16) ports
      if (length < 36) return invalid();
      ip::address_v6::bytes_type b;
      std::memcpy(b.data(), data.data() + 16, 16);
      ip::address a = ip::address_v6(b);
      if (a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
      h.source = a;
    }
    return h;
  }
  // v1: "PROXY TCP4 <src> <dst> <sport> <dport>\r\n", at most 107 bytes.
  constexpr std::string_view kV1 = "PROXY ";
  if (data.substr(0, std::min(data.size(), kV1.size())) != kV1.substr(0, std::min(data.size(), kV1.size())))
    return invalid();
  const auto end = data.find("\r\n");
  if (end == std::string_view::npos) return data.size() >= 107 ? invalid() : h;
  if (end + 2 > 107) return invalid();
  const std::vector<std::string_view> words = split(data.substr(kV1.size(), end - kV1.size()), ' ');
  h.status = ProxyHeader::Status::complete;
  h.length = end + 2;
  if (words.empty()) return invalid();
  if (words[0] == "UNKNOWN") return h;
  if ((words[0] != "TCP4" && words[0] != "TCP6") || words.size() != 5) return invalid();
  const auto src = parse_address(words[1]);
  if (!src || !parse_address(words[2]) || src->is_v4() != (words[0] == "TCP4")) return invalid();
  h.source = *src;
  return h;
}

}  // namespace werkstatt::net
