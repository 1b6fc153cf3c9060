#include "probes.hpp"

#include "werkstatt/net/json.hpp"
#include "werkstatt/metrics/metrics.hpp"

namespace werkstatt::net {
namespace {

HttpReply json_reply(unsigned status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpReply error_reply(unsigned status, std::string_view message) {
  return json_reply(status, json::Object().field("error", message).str());
}

std::string_view status_of(const ProbeState& s) {
  if (s.draining) return "draining";
  if (!s.started) return "starting";
  if (s.read_only) return "read-only";
  return "ready";
}

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path[prefix.size()] == '/');
}

}  // namespace

bool is_ready(const ProbeState& s) { return s.started && !s.draining && !s.read_only; }

std::optional<HttpReply> handle_probe(std::string_view method, std::string_view target, const ProbeState& state) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/livez" && path != "/readyz" && path != "/healthz" && path != "/metrics") return std::nullopt;
  if (method != "GET" && method != "HEAD") {
    HttpReply r = error_reply(405, "method not allowed here");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const bool ready = is_ready(state);
  if (path == "/livez") return json_reply(200, R"({"status":"alive"})");
  if (path == "/readyz") return json_reply(ready ? 200 : 503, json::Object().field("status", status_of(state)).str());
  if (path == "/healthz") {
    return json_reply(ready ? 200 : 503,
                      json::Object()
                          .field("status", ready ? std::string_view("ok") : status_of(state))
                          .field("workshops", static_cast<std::uint64_t>(state.workshops_loaded))
                          .str());
  }
  HttpReply r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = metrics::global().render(
      metrics::LiveState{.workshops_loaded = state.workshops_loaded, .read_only = state.read_only, .ready = ready});
  return r;
}

std::optional<HttpReply> reserved_path_reply(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  if (path == "/ws" || path == "/api/ws") {
    HttpReply r = error_reply(426, "this is the WebSocket endpoint: open it with a WebSocket upgrade");
    r.headers.emplace_back("Upgrade", "websocket");
    return r;
  }
  for (const std::string_view reserved : {"/api", "/livez", "/readyz", "/healthz", "/metrics", "/ws"})
    if (under(path, reserved)) return error_reply(404, "no such API endpoint");
  return std::nullopt;
}

std::string_view route_label(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const std::string_view exact : {"/livez", "/readyz", "/healthz", "/metrics", "/ws", "/api/ws"})
    if (path == exact) return exact;
  if (path == "/api/workshops" || path == "/api/workshops/") return "/api/workshops";
  if (path.starts_with("/api/join/")) return "/api/join/{code}";
  constexpr std::string_view kWorkshop = "/api/workshops/";
  if (path.starts_with(kWorkshop)) {
    const std::string_view rest = path.substr(kWorkshop.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return "/api/workshops/{id}";
    const std::string_view action = rest.substr(slash + 1);
    for (const std::string_view known : {"timeline", "state", "events", "export"})
      if (action == known) {
        if (known == "timeline") return "/api/workshops/{id}/timeline";
        if (known == "state") return "/api/workshops/{id}/state";
        if (known == "events") return "/api/workshops/{id}/events";
        return "/api/workshops/{id}/export";
      }
    return "/api/other";
  }
  if (under(path, "/api")) return "/api/other";
  return "static";
}

}  // namespace werkstatt::net
