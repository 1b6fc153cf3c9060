#include "rest.hpp"

#include <algorithm>

#include <openssl/crypto.h>

#include "json.hpp"
#include "replay_api.hpp"
#include "werkstatt/net/links.hpp"
#include "werkstatt/workshop/secrets.hpp"

namespace werkstatt::net {
namespace {

HttpReply error_reply(unsigned status, std::string_view message) {
  HttpReply r;
  r.status = status;
  r.body = json::Object().field("error", message).str();
  return r;
}

HttpReply create_workshop(const ApiRequest& req, const ApiConfig& config, workshop::WorkshopRegistry& registry) {
  if (!may_create_workshops(req.from_loopback, config.admin_token, req.authorization)) {
    HttpReply r = error_reply(403, config.admin_token.empty()
                                       ? "workshops can only be created from the server itself (loopback)"
                                       : "creating a workshop needs 'Authorization: Bearer <admin token>'");
    return r;
  }
  std::string error;
  const auto fields = json::parse_string_object(req.body.empty() ? std::string_view("{}") : req.body, &error);
  if (!fields) return error_reply(400, "the body must be a JSON object of strings: " + error);
  for (const auto& [key, value] : *fields) {
    if (key != "template" && key != "title" && key != "language")
      return error_reply(400, "unknown field \"" + key + "\" (expected template, title, language)");
  }
  const auto get = [&](const char* key, std::string_view fallback) -> std::string {
    const auto it = fields->find(key);
    return it == fields->end() ? std::string(fallback) : it->second;
  };
  const std::string title = get("title", "");
  workshop::CreateError failure;
  const auto created = registry.create(get("template", "impuls-werkstatt"), title, get("language", "de"), &failure);
  if (!created) return error_reply(failure.invalid_argument ? 400 : 503, failure.message);

  const std::string base = base_url_for(config, req.host);
  const WorkshopLinks links =
      workshop_links(base, created->id, created->join_code, created->facilitator_token, created->observer_token);
  const auto info = registry.find(created->id)->info();
  HttpReply r;
  r.status = 201;
  r.body = json::Object()
               .field("id", created->id)
               .field("title", info.title)
               .field("join_code", created->join_code)
               .field("participant_url", links.participant)
               .field("facilitator_url", links.facilitator)
               .field("observer_url", links.observer)
               .field("facilitator_token", created->facilitator_token)
               .field("observer_token", created->observer_token)
               .str();
  r.headers.emplace_back("Location", "/api/workshops/" + created->id);
  return r;
}

HttpReply workshop_info(std::string_view id, workshop::WorkshopRegistry& registry) {
  const auto w = registry.find(id);
  if (!w) return error_reply(404, "there is no workshop with this id");
  const workshop::WorkshopInfo info = w->info();
  HttpReply r;
  r.body = json::Object()
               .field("id", info.id)
               .field("title", info.title)
               .field("language", info.language)
               .field("template", info.template_id)
               .field("created_ms", info.created_ms)
               .field("head_seq", info.head_seq)
               .field("participants_online", static_cast<std::uint64_t>(info.participants_online))
               .field("read_only", info.read_only)
               .str();
  return r;
}

HttpReply method_not_allowed(std::string_view allow) {
  HttpReply r = error_reply(405, "method not allowed here");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

}  // namespace

bool may_create_workshops(bool from_loopback, std::string_view admin_token, std::string_view authorization) {
  if (from_loopback) return true;
  if (admin_token.empty()) return false;
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return false;
  // Compare digests: constant time, and independent of the token's length.
  const std::string presented = workshop::sha256(authorization.substr(kBearer.size()));
  const std::string expected = workshop::sha256(admin_token);
  return CRYPTO_memcmp(presented.data(), expected.data(), presented.size()) == 0;
}

std::string base_url_for(const ApiConfig& config, std::string_view host) {
  if (!config.public_url.empty()) {
    std::string base = config.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
  }
  const bool plausible = !host.empty() && host.size() <= 255 && host.find_first_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == std::string_view::npos;
  return "http://" + std::string(plausible ? host : "localhost");
}

std::optional<HttpReply> handle_api(const ApiRequest& req, const ApiConfig& config,
                                    workshop::WorkshopRegistry& registry) {
  const std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path != "/api" && !path.starts_with("/api/")) return std::nullopt;

  // A join code typed on the join page → its workshop. The code itself is
  // the credential (checked again at Hello); the answer adds only the id.
  constexpr std::string_view kJoin = "/api/join/";
  if (path.starts_with(kJoin)) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed("GET, HEAD");
    if (req.guesses && !req.guesses->allowed(req.client_address)) {
      HttpReply r = error_reply(429, "too many wrong join codes from your network; try again in a minute");
      r.headers.emplace_back("Retry-After", std::to_string(std::max(1, req.guesses->retry_after_seconds(req.client_address))));
      return r;
    }
    const auto w = registry.find_by_join_code(path.substr(kJoin.size()));
    if (!w) {
      if (req.guesses) req.guesses->failed(req.client_address);
      return error_reply(404, "no workshop has this join code; check it or use the link or QR code");
    }
    HttpReply r;
    r.body = json::Object().field("workshop_id", w->id()).str();
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  constexpr std::string_view kWorkshops = "/api/workshops";
  if (path == kWorkshops || path == "/api/workshops/") {
    if (req.method != "POST") return method_not_allowed("POST");
    return create_workshop(req, config, registry);
  }
  if (path.starts_with("/api/workshops/")) {
    const std::string_view rest = path.substr(kWorkshops.size() + 1);
    const auto slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    if (id.empty()) return error_reply(404, "no such API endpoint");
    if (slash != std::string_view::npos) return handle_replay(req, id, rest.substr(slash + 1), registry.journal());
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed("GET, HEAD");
    return workshop_info(id, registry);
  }
  return error_reply(404, "no such API endpoint");
}

}  // namespace werkstatt::net
