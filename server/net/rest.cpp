#include "rest.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <future>
#include <optional>
#include <map>

#include <boost/asio/ip/address.hpp>

#include <openssl/crypto.h>

#include "werkstatt/board/text.hpp"
#include "werkstatt/history/exports.hpp"
#include "werkstatt/history/participant_export.hpp"
#include "werkstatt/net/json.hpp"
#include "legal.hpp"
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

// Every endpoint that changes something starts with this (CSRF, see rest.hpp).
std::optional<HttpReply> refuse_cross_site_write(const ApiRequest& req, const ApiConfig& config, std::string_view path) {
  if (!is_json_content_type(req.content_type)) {
    audit(req.audit, "request_refused", req.client_address,
          {{"reason", "content_type"}, {"content_type", req.content_type.substr(0, 100)}, {"path", path.substr(0, 100)}});
    return error_reply(415, "send the body as JSON with 'Content-Type: application/json'");
  }
  if (!origin_allowed(req.origin, req.host, config.allowed_origins, config.public_url)) {
    audit(req.audit, "request_refused", req.client_address,
          {{"reason", "origin"}, {"origin", req.origin.substr(0, 100)}, {"path", path.substr(0, 100)}});
    return error_reply(403, "requests from this origin may not change anything here");
  }
  return std::nullopt;
}

HttpReply create_workshop(const ApiRequest& req, const ApiConfig& config, workshop::WorkshopRegistry& registry) {
  if (auto refused = refuse_cross_site_write(req, config, "/api/workshops")) return *refused;
  if (!may_create_workshops(req.from_loopback, config.admin_token, req.authorization)) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"action", "create_workshop"},
           {"reason", req.authorization.empty() ? "no admin token and not from loopback" : "wrong admin token"}});
    HttpReply r = error_reply(403, !req.authorization.empty()
                                       ? "this admin token is not valid"
                                   : config.admin_token.empty()
                                       ? "workshops can only be created on the server itself (loopback, not through a proxy) "
                                         "or with an admin token (--admin-token-file)"
                                       : "creating a workshop needs 'Authorization: Bearer <admin token>'");
    return r;
  }
  std::string error;
  std::map<std::string, std::uint64_t> numbers;
  const auto fields =
      json::parse_string_object(req.body.empty() ? std::string_view("{}") : req.body, &error, &numbers);
  if (!fields) return error_reply(400, "the body must be a flat JSON object: " + error);
  constexpr std::string_view kFields =
      " (expected template, title, language, retention_days, date, copy_from, copy_notes, is_template)";
  for (const auto& [key, value] : *fields) {
    if (key == "retention_days") return error_reply(400, "retention_days must be a whole number of days (0: keep)");
    if (key != "template" && key != "title" && key != "language" && key != "date" && key != "copy_from" &&
        key != "copy_notes" && key != "is_template")
      return error_reply(400, "unknown field \"" + key + "\"" + std::string(kFields));
    if ((key == "copy_notes" || key == "is_template") && value != "true" && value != "false")
      return error_reply(400, key + " must be \"true\" or \"false\"");
  }
  std::optional<std::uint32_t> retention_days;
  for (const auto& [key, value] : numbers) {
    if (key != "retention_days") return error_reply(400, "the value of \"" + key + "\" must be a string");
    if (value > workshop::kMaxRetentionDays)
      return error_reply(400, "retention_days must be 0 (keep until deleted) to " +
                                  std::to_string(workshop::kMaxRetentionDays));
    retention_days = static_cast<std::uint32_t>(value);
  }
  const auto get = [&](const char* key, std::string_view fallback) -> std::string {
    const auto it = fields->find(key);
    return it == fields->end() ? std::string(fallback) : it->second;
  };
  const std::string title = get("title", "");
  workshop::CreateExtras extras;
  extras.planned_date = get("date", "");
  extras.copy_from = get("copy_from", "");
  extras.copy_notes = get("copy_notes", "false") == "true";
  extras.is_template = get("is_template", "false") == "true";
  if (extras.copy_notes && extras.copy_from.empty()) return error_reply(400, "copy_notes needs copy_from");
  workshop::CreateError failure;
  const auto created = registry.create(get("template", "impuls-werkstatt"), title, get("language", "de"), &failure,
                                       retention_days, extras);
  if (!created) return error_reply(failure.invalid_argument ? 400 : 503, failure.message);

  const workshop::WorkshopInfo& info = created->info;
  const std::string days = std::to_string(info.retention_days);
  audit(req.audit, "workshop_created", req.client_address,
        {{"workshop", created->id}, {"by", req.authorization.empty() ? "loopback" : "admin token"},
         {"retention_days", days}, {"copied_from", extras.copy_from}});
  const std::string base = base_url_for(config, req.host, req.scheme);
  const WorkshopLinks links =
      workshop_links(base, created->id, created->join_code, created->facilitator_token, created->observer_token);
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
               .field("retention_days", std::uint64_t{info.retention_days})
               .str();
  r.headers.emplace_back("Location", "/api/workshops/" + created->id);
  return r;
}

// A workshop as GET /api/workshops/{id} and the organiser's list show it.
json::Object info_json(const workshop::WorkshopInfo& info) {
  return std::move(json::Object()
               .field("id", info.id)
               .field("title", info.title)
               .field("language", info.language)
               .field("template", info.template_id)
               .field("created_ms", info.created_ms)
               .field("head_seq", info.head_seq)
               .field("participants_online", static_cast<std::uint64_t>(info.participants_online))
               .field("read_only", info.read_only)
               .field("closed", info.closed)
               .field("retention_days", std::uint64_t{info.retention_days})
               .field("last_activity_ms", info.last_activity_ms)
               .raw("erase_after_ms", info.erase_after_ms() == 0 ? "null" : std::to_string(info.erase_after_ms()))
               .field("date", info.planned_date)
               .field("copied_from", info.copied_from)
               .field("is_template", info.is_template));
}

HttpReply workshop_info(std::string_view id, workshop::WorkshopRegistry& registry) {
  const auto w = registry.find(id);
  if (!w) return error_reply(404, "there is no workshop with this id");
  HttpReply r;
  r.body = info_json(w->info()).str();
  return r;
}

// Whom the request's Bearer token names: the admin, and/or the facilitator of
// `live` (null: no such workshop is served). Both compare in constant time.
struct Bearer {
  bool admin = false;
  bool facilitator = false;
  bool sent = false;  // a Bearer token came at all (for the audit line)
};
Bearer bearer_of(const ApiRequest& req, const workshop::Workshop* live, const ApiConfig& config) {
  const std::string_view token = bearer_token(req.authorization);
  if (token.empty()) return {};
  return {!config.admin_token.empty() && may_create_workshops(false, config.admin_token, req.authorization),
          live && live->has_facilitator_token(token), true};
}

// DELETE /api/workshops/{id}: for the workshop's facilitator or the admin.
// Answers 202 at once; the erasure (flush + compaction) runs off the I/O
// threads, and GET on the workshop answers 410 until it is done, then 404.
HttpReply delete_workshop(const ApiRequest& req, std::string_view id, const ApiConfig& config,
                          workshop::WorkshopRegistry& registry) {
  const auto live = registry.find(id);
  const auto [admin, facilitator, token_sent] = bearer_of(req, live.get(), config);
  if (!admin && !facilitator) {
    // The same answer whether or not the workshop exists: ids are not confirmed to strangers.
    return error_reply(403, "deleting a workshop needs 'Authorization: Bearer <facilitator token or admin token>'");
  }
  if (!live && !registry.damage(id) && registry.erasure(id) == workshop::WorkshopRegistry::Erasure::none)
    return error_reply(404, "there is no workshop with this id");
  registry.erase(id, [](const journal::Status&) {});  // the registry logs the outcome
  HttpReply r;
  r.status = 202;
  r.body = json::Object().field("status", "erasing").field("id", id).str();
  return r;
}

HttpReply method_not_allowed(std::string_view allow);

// GET /api/workshops: the organiser's list (the admin, as for creating),
// newest first. No secrets: links cannot be shown again, only made anew.
HttpReply list_workshops(const ApiRequest& req, const ApiConfig& config, workshop::WorkshopRegistry& registry) {
  if (!may_create_workshops(req.from_loopback, config.admin_token, req.authorization)) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"action", "list_workshops"}, {"reason", req.authorization.empty() ? "no admin token" : "wrong admin token"}});
    return error_reply(403, "listing workshops needs 'Authorization: Bearer <admin token>'");
  }
  std::vector<workshop::WorkshopInfo> infos = registry.list();
  std::stable_sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) {
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id < b.id;
  });
  std::string list = "[";
  for (const auto& info : infos) {
    if (list.size() > 1) list += ",";
    list += info_json(info).str();
  }
  list += "]";
  std::string damaged = "[";
  for (const auto& [id, status] : registry.damaged()) {
    if (damaged.size() > 1) damaged += ",";
    damaged += json::Object().field("id", id).str();
  }
  damaged += "]";
  HttpReply r;
  r.body = json::Object().raw("workshops", list).raw("damaged", damaged).str();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// Waits up to `limit` for an answer a workshop or the registry gives on
// another thread. nullopt: none in time; `gone` if the answerer went away
// first (its promise broken at shutdown).
template <typename T>
std::optional<T> await_answer(std::future<T>& future, std::chrono::seconds limit, T gone) {
  if (future.wait_for(limit) != std::future_status::ready) return std::nullopt;
  try {
    return future.get();
  } catch (const std::future_error&) {
    return gone;
  }
}

// POST /api/workshops/{id}/close: the admin or the workshop's facilitator
// closes it (read-only for everyone, as the facilitator's "close" does);
// answers once the closing is stored.
HttpReply close_workshop(const ApiRequest& req, std::string_view id, const ApiConfig& config,
                         workshop::WorkshopRegistry& registry) {
  if (auto refused = refuse_cross_site_write(req, config, "/api/workshops/{id}/close")) return *refused;
  const auto live = registry.find(id);
  const auto [admin, facilitator, token_sent] = bearer_of(req, live.get(), config);
  if (!admin && !facilitator) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"workshop", id}, {"action", "close_workshop"}, {"reason", token_sent ? "wrong token" : "no token"}});
    return error_reply(403, "closing a workshop needs 'Authorization: Bearer <facilitator token or admin token>'");
  }
  if (!live) return error_reply(404, "there is no workshop with this id");
  auto outcome = std::make_shared<std::promise<journal::Status>>();
  auto future = outcome->get_future();
  live->close_by_organiser([outcome](const journal::Status& s) { outcome->set_value(s); });
  const journal::Status s =
      await_answer(future, std::chrono::seconds(30), journal::Status{journal::Status::Code::closed, "the server is shutting down"})
          .value_or(journal::Status{journal::Status::Code::closed, "the workshop did not answer in time"});
  audit(req.audit, "workshop_closed", req.client_address,
        {{"workshop", id}, {"by", admin ? "admin token" : "facilitator token"}, {"result", s.ok() ? "closed" : "failed"}});
  if (!s.ok()) {
    HttpReply r = error_reply(503, "the workshop could not be closed now (" + s.message() + "); try again later");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  }
  HttpReply r;
  r.body = json::Object().field("id", id).field("closed", true).str();
  return r;
}

// POST /api/workshops/{id}/links: the admin gets new facilitator and
// observer links for a workshop (the first ones cannot be shown again);
// those handed out before keep working.
HttpReply make_links(const ApiRequest& req, std::string_view id, const ApiConfig& config,
                     workshop::WorkshopRegistry& registry) {
  if (auto refused = refuse_cross_site_write(req, config, "/api/workshops/{id}/links")) return *refused;
  if (!may_create_workshops(req.from_loopback, config.admin_token, req.authorization)) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"workshop", id}, {"action", "make_links"}, {"reason", req.authorization.empty() ? "no admin token" : "wrong admin token"}});
    return error_reply(403, "new links need 'Authorization: Bearer <admin token>'");
  }
  const auto live = registry.find(id);
  if (!live) return error_reply(404, "there is no workshop with this id");
  struct Made {
    journal::Status status;
    std::string facilitator, observer;
  };
  auto outcome = std::make_shared<std::promise<Made>>();
  auto future = outcome->get_future();
  live->add_links([outcome](const journal::Status& s, const std::string& f, const std::string& o) {
    outcome->set_value({s, f, o});
  });
  const Made made =
      await_answer(future, std::chrono::seconds(30), Made{{journal::Status::Code::closed, "the server is shutting down"}, {}, {}})
          .value_or(Made{{journal::Status::Code::closed, "the workshop did not answer in time"}, {}, {}});
  audit(req.audit, "links_made", req.client_address,
        {{"workshop", id}, {"result", made.status.ok() ? "made" : "failed"}});
  if (!made.status.ok()) return error_reply(503, "no new links could be made now (" + made.status.message() + ")");
  const std::string base = base_url_for(config, req.host, req.scheme);
  const WorkshopLinks links = workshop_links(base, id, "", made.facilitator, made.observer);
  HttpReply r;
  r.status = 201;
  r.body = json::Object()
               .field("facilitator_url", links.facilitator)
               .field("observer_url", links.observer)
               .field("facilitator_token", made.facilitator)
               .field("observer_token", made.observer)
               .str();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// GET /api/workshops/{id}/join-screen: what the projector's join screen
// shows (the code, the participant link, the short link) — for the
// facilitator token, and for the observer token while the facilitator has
// put the join screen on the projector. Never cached.
HttpReply join_screen(const ApiRequest& req, std::string_view id, const ApiConfig& config,
                      workshop::WorkshopRegistry& registry) {
  if (req.method != "GET" && req.method != "HEAD") return method_not_allowed("GET, HEAD");
  const std::string_view token = bearer_token(req.authorization);
  const auto live = registry.find(id);
  const auto code = live && !token.empty() ? live->join_screen_code(token) : std::nullopt;
  if (!code) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"workshop", id}, {"action", "join_screen"}, {"reason", token.empty() ? "no token" : "token or moment"}});
    return error_reply(403, "the join screen is for the facilitator, and for the projector while the facilitator "
                            "shows it");
  }
  const std::string base = base_url_for(config, req.host, req.scheme);
  HttpReply r;
  r.body = json::Object()
               .field("join_code", *code)
               .field("participant_url", workshop_links(base, id, *code, "", "").participant)
               .field("short_url", base + "/w/" + std::string(id))
               .str();
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpReply method_not_allowed(std::string_view allow) {
  HttpReply r = error_reply(405, "method not allowed here");
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// /api/workshops/{id}/participants/{pid}[/export] (DSGVO Art. 15 and 17),
// for the workshop's facilitator or the admin:
//   GET    …/participants/{pid}/export  what the journal holds about that
//          person as JSON (participant_data.hpp; the admin token gets the
//          operator's scope with their ballots, a facilitator what the
//          record shows organisers)
//   DELETE …/participants/{pid}         erases their identity and
//          pseudonymises their authorship; answers once the journal is
//          rewritten and compacted (200), or 202 if that takes longer than
//          a minute (it goes on; asking again is harmless)
// Both run on the background pool (they read or rewrite the journal) and
// leave an audit line with ids only.
HttpReply participant_request(const ApiRequest& req, std::string_view id, std::string_view rest,
                              const ApiConfig& config, workshop::WorkshopRegistry& registry) {
  constexpr std::string_view kParticipants = "participants/";
  std::string_view tail = rest.substr(kParticipants.size());
  const auto slash = tail.find('/');
  const std::string_view pid = tail.substr(0, slash);
  const std::string_view action = slash == std::string_view::npos ? std::string_view() : tail.substr(slash + 1);
  if (!action.empty() && action != "export") return error_reply(404, "no such API endpoint");
  const bool exporting = action == "export";
  if (exporting ? (req.method != "GET" && req.method != "HEAD") : req.method != "DELETE")
    return method_not_allowed(exporting ? "GET, HEAD" : "DELETE");

  const auto live = registry.find(id);
  const auto [admin, facilitator, token_sent] = bearer_of(req, live.get(), config);
  const std::string_view what = exporting ? "export_participant" : "erase_participant";
  if (!admin && !facilitator) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"workshop", id}, {"action", what}, {"reason", token_sent ? "wrong token" : "no token"}});
    return error_reply(403, "this needs 'Authorization: Bearer <facilitator token or admin token>'");
  }
  if (!live) return error_reply(404, "there is no workshop with this id");
  if (!board::valid_id(pid)) return error_reply(400, "that is not a participant id");
  const std::string_view by = admin ? "admin token" : "facilitator token";

  if (exporting) {
    v1::ParticipantExport data;
    const journal::Status s =
        history::export_participant(registry.journal(), id, pid,
                                    admin ? history::ExportScope::operator_record : history::ExportScope::facilitator,
                                    std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count(),
                                    &data);
    if (!s.ok()) {
      if (s.code() == journal::Status::Code::not_found) return error_reply(404, "this workshop has no such participant");
      return error_reply(s.code() == journal::Status::Code::corruption ? 503 : 500,
                         "the journal could not be read; the operator has been told");
    }
    audit(req.audit, "export", req.client_address,
          {{"workshop", id}, {"action", what}, {"participant", pid}, {"by", by}});
    HttpReply r;
    r.body = history::to_download_json(data);
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"participant-" + std::string(pid) + ".json\"");
    return r;
  }

  using Outcome = std::pair<journal::Status, std::string>;
  auto outcome = std::make_shared<std::promise<Outcome>>();
  auto future = outcome->get_future();
  registry.erase_participant(id, pid, [outcome](const journal::Status& s, const std::string& pseudonym) {
    outcome->set_value({s, pseudonym});
  });
  HttpReply r;
  r.headers.emplace_back("Cache-Control", "no-store");
  const auto done =
      await_answer(future, std::chrono::seconds(60), Outcome{{journal::Status::Code::closed, "the server is shutting down"}, {}});
  if (!done) {
    audit(req.audit, "participant_erased", req.client_address,
          {{"workshop", id}, {"participant", pid}, {"by", by}, {"result", "running"}});
    r.status = 202;
    r.body = json::Object().field("status", "erasing").field("participant_id", pid).str();
    return r;
  }
  const auto& [s, pseudonym] = *done;
  audit(req.audit, "participant_erased", req.client_address,
        {{"workshop", id}, {"participant", pid}, {"by", by}, {"result", s.ok() ? "erased" : "failed"}});
  if (!s.ok()) {
    if (s.code() == journal::Status::Code::not_found) return error_reply(404, "this workshop has no such participant");
    HttpReply failed = error_reply(503, "the erasure could not be completed (" + s.message() +
                                            "); nothing was lost, ask again later");
    failed.headers.emplace_back("Retry-After", "5");
    return failed;
  }
  r.body = json::Object()
               .field("status", "erased")
               .field("participant_id", pid)
               .field("display_name", pseudonym)
               .str();
  return r;
}


}  // namespace

bool may_create_workshops(bool from_loopback, std::string_view admin_token, std::string_view authorization) {
  // A Bearer that is presented must be right, also from loopback: a wrong
  // one is a mistake or an attack, never a pass.
  if (authorization.empty()) return from_loopback;
  if (admin_token.empty()) return false;
  const std::string_view token = bearer_token(authorization);
  if (token.empty()) return false;
  // Compare digests: constant time, and independent of the token's length.
  const std::string presented = workshop::sha256(token);
  const std::string expected = workshop::sha256(admin_token);
  return CRYPTO_memcmp(presented.data(), expected.data(), presented.size()) == 0;
}

std::string base_url_for(const ApiConfig& config, std::string_view host, std::string_view scheme) {
  if (!config.public_url.empty()) {
    std::string base = config.public_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
  }
  const bool plausible = !host.empty() && host.size() <= 255 && host.find_first_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == std::string_view::npos;
  return std::string(scheme == "https" ? "https://" : "http://") + std::string(plausible ? host : "localhost");
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
// The host name of a URL or Host header, lower case, without port or brackets.
std::string host_name(std::string_view authority) {
  if (const auto scheme = authority.find("://"); scheme != std::string_view::npos) authority.remove_prefix(scheme + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.starts_with('[')) return lower(authority.substr(1, authority.find(']') - 1));
  return lower(authority.substr(0, authority.find(':')));
}
// scheme://host[:port] of a URL (its origin), lower case.
std::string origin_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  const auto end = url.find_first_of("/?#", scheme + 3);
  return lower(url.substr(0, end));
}
}  // namespace

bool host_allowed(std::string_view host, const ApiConfig& config) {
  if (host.empty()) return true;
  const std::string name = host_name(host);
  boost::system::error_code ec;
  boost::asio::ip::make_address(name, ec);
  if (!ec || name == "localhost") return true;  // an IP literal: no DNS name to rebind
  if (!config.public_url.empty() && name == host_name(config.public_url)) return true;
  for (const std::string& h : config.allowed_hosts)
    if (name == lower(h)) return true;
  return false;
}

bool origin_allowed(std::string_view origin, std::string_view host, const std::vector<std::string>& allowed,
                    std::string_view public_url) {
  if (origin.empty()) return true;
  for (const std::string& a : allowed)
    if (a == origin || a == "*") return true;
  if (!public_url.empty() && lower(origin) == origin_of(public_url)) return true;
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (origin.starts_with(scheme) && !host.empty() && lower(origin.substr(scheme.size())) == lower(host)) return true;
  }
  return false;
}

bool is_json_content_type(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  return lower(media) == "application/json";
}

std::string content_security_policy(std::string_view host, std::string_view public_url) {
  // 'self' covers same-origin fetches; WebSockets are named explicitly
  // (older engines do not map 'self' to ws:/wss:) — only this server's.
  std::string connect = "'self'";
  const auto add = [&](std::string_view authority) {
    if (authority.empty()) return;
    connect += " ws://" + std::string(authority) + " wss://" + std::string(authority);
  };
  if (!public_url.empty()) {
    std::string_view a = public_url.substr(public_url.find("://") == std::string_view::npos ? 0 : public_url.find("://") + 3);
    add(a.substr(0, a.find_first_of("/?#")));
  } else {
    const bool plausible = host.size() <= 255 && host.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == std::string_view::npos;
    if (plausible) add(host);
  }
  return "default-src 'self'; connect-src " + connect +
         "; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
         "frame-ancestors 'none'";
}

std::optional<HttpReply> handle_api(const ApiRequest& req, const ApiConfig& config,
                                    workshop::WorkshopRegistry& registry) {
  const std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path != "/api" && !path.starts_with("/api/")) return std::nullopt;
  if (auto legal = handle_legal(req, config.legal ? *config.legal : LegalPages{})) return legal;

  // Browser protections first (see rest.hpp): nothing below runs for a
  // rebound name or a cross-site write.
  if (!host_allowed(req.host, config)) {
    audit(req.audit, "request_refused", req.client_address,
          {{"reason", "host"}, {"host", req.host.substr(0, 100)}, {"path", path.substr(0, 100)}});
    return error_reply(403, "this server does not answer to this host name (set --public-url or --allowed-host)");
  }

  // A join code typed on the join page → its workshop. The code itself is
  // the credential (checked again at Hello); the answer adds only the id.
  constexpr std::string_view kJoin = "/api/join/";
  if (path.starts_with(kJoin)) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed("GET, HEAD");
    if (req.guesses && !req.guesses->allowed(req.client_address)) {
      audit(req.audit, "rate_limited", req.client_address, {{"reason", "wrong join codes"}, {"path", "/api/join"}});
      HttpReply r = error_reply(429, "too many wrong join codes from your network; try again in a minute");
      r.headers.emplace_back("Retry-After", std::to_string(std::max(1, req.guesses->retry_after_seconds(req.client_address))));
      return r;
    }
    const auto workshop_id = registry.id_by_join_code(path.substr(kJoin.size()));
    if (!workshop_id) {
      if (req.guesses) req.guesses->failed(req.client_address);
      audit(req.audit, "credential_refused", req.client_address, {{"reason", "unknown join code"}, {"path", "/api/join"}});
      return error_reply(404, "no workshop has this join code; check it or use the link or QR code");
    }
    HttpReply r;
    r.body = json::Object().field("workshop_id", *workshop_id).str();
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
  }

  constexpr std::string_view kWorkshops = "/api/workshops";
  if (path == kWorkshops || path == "/api/workshops/") {
    if (req.method == "GET" || req.method == "HEAD") return list_workshops(req, config, registry);
    if (req.method != "POST") return method_not_allowed("GET, HEAD, POST");
    return create_workshop(req, config, registry);
  }
  if (path.starts_with("/api/workshops/")) {
    const std::string_view rest = path.substr(kWorkshops.size() + 1);
    const auto slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    if (id.empty()) return error_reply(404, "no such API endpoint");
    if (registry.journal().shared() && !registry.find(id)) {
      if (registry.held_elsewhere(id)) {
        // Another node holds its lease (a shared journal): the proxy routes
        // this id there; here only while a hand-over runs, a lease at most.
        HttpReply r = error_reply(503, "this workshop is being served by another server right now; try again in a moment");
        r.headers.emplace_back("Retry-After", "1");
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
      }
    }
    if (slash == std::string_view::npos && req.method == "DELETE") return delete_workshop(req, id, config, registry);
    if (const auto erasing = registry.erasure(id); erasing != workshop::WorkshopRegistry::Erasure::none) {
      HttpReply r = error_reply(410, erasing == workshop::WorkshopRegistry::Erasure::running
                                         ? "this workshop is being erased"
                                         : "erasing this workshop failed; the operator has been told (delete it again to retry)");
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
    if (const auto damage = registry.damage(id)) {
      // Known to exist, not served: the operator sees the details in the log and in `werkstatt inspect`.
      HttpReply r = error_reply(503, "this workshop's stored history is damaged; it is not served until the operator "
                                     "restores it");
      r.headers.emplace_back("Cache-Control", "no-store");
      return r;
    }
    const std::string_view action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (action == "close") {
      if (req.method != "POST") return method_not_allowed("POST");
      return close_workshop(req, id, config, registry);
    }
    if (action == "join-screen") return join_screen(req, id, config, registry);
    if (action == "links") {
      if (req.method != "POST") return method_not_allowed("POST");
      return make_links(req, id, config, registry);
    }
    if (slash != std::string_view::npos && rest.substr(slash + 1).starts_with("participants/"))
      return participant_request(req, id, rest.substr(slash + 1), config, registry);
    if (slash != std::string_view::npos) return handle_replay(req, id, rest.substr(slash + 1), registry.journal());
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed("GET, HEAD, DELETE");
    return workshop_info(id, registry);
  }
  return error_reply(404, "no such API endpoint");
}

}  // namespace werkstatt::net
