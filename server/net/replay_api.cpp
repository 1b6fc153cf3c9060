#include "replay_api.hpp"

#include <openssl/crypto.h>

#include <charconv>
#include <limits>
#include <map>

#include <spdlog/spdlog.h>

#include "werkstatt/history/exports.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/history/session.hpp"
#include "werkstatt/history/session_cache.hpp"
#include "werkstatt/net/json.hpp"
#include "werkstatt/render/downloads.hpp"
#include "werkstatt/workshop/secrets.hpp"
#include "url.hpp"

namespace werkstatt::net {
namespace {

HttpReply error_reply(unsigned status, std::string_view message) {
  HttpReply r;
  r.status = status;
  r.body = json::Object().field("error", message).str();
  return r;
}

// A non-negative integer parameter; nullopt if absent, error text if invalid.
std::optional<std::uint64_t> number(const Query& q, std::string_view key, std::string* error) {
  const auto it = q.find(key);
  if (it == q.end()) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || end != it->second.data() + it->second.size())
    *error = std::string(key) + " must be a whole number";
  return v;
}

// The facilitator token from the Authorization header or ?t=.
std::string_view presented_token(const ApiRequest& req, const Query& q) {
  if (const std::string_view bearer = bearer_token(req.authorization); !bearer.empty()) return bearer;
  const auto it = q.find("t");
  return it == q.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<HttpReply> check_access(const ApiRequest& req, const Query& q, const v1::WorkshopMeta& meta) {
  const std::string_view token = presented_token(req, q);
  if (token.empty()) {
    HttpReply r = error_reply(401, "replay and exports need the facilitator link's token (Authorization: Bearer …)");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const std::string digest = workshop::sha256(token);
  const auto same = [&](const std::string& expected) {
    return expected.size() == digest.size() && CRYPTO_memcmp(digest.data(), expected.data(), digest.size()) == 0;
  };
  // The first facilitator link and the organiser's further ones (every one compared).
  bool match = same(meta.facilitator_token_sha256());
  for (const auto& extra : meta.extra_facilitator_token_sha256()) match |= same(extra);
  if (!match) return error_reply(403, "this token does not open this workshop's replay");
  return std::nullopt;
}

HttpReply journal_error(const journal::Status& s) {
  if (s.code() == journal::Status::Code::not_found) return error_reply(404, "the journal could not be read: " + s.message());
  // Damage is the operator's to see in the log (with workshop and key); the
  // client gets 503: this workshop's history cannot be served right now.
  spdlog::error("replay API: {}", s.message());
  return error_reply(s.code() == journal::Status::Code::corruption ? 503 : 500,
                     s.code() == journal::Status::Code::corruption
                         ? "this workshop's stored history is damaged; the operator has been told"
                         : "the journal could not be read");
}

// The seq `q` asks for: ?seq=N, or ?at=MS (the last event at or before it),
// or the head when neither is given.
std::optional<std::uint64_t> wanted_seq(const Query& q, std::string_view id, const journal::Journal& j,
                                        HttpReply* failure) {
  std::string error;
  const auto seq = number(q, "seq", &error);
  const auto at = number(q, "at", &error);
  if (!error.empty()) {
    *failure = error_reply(400, error);
    return std::nullopt;
  }
  if (seq) return *seq;
  if (!at) return std::numeric_limits<std::uint64_t>::max();
  journal::Status st;
  const auto found = history::seq_at_time(j, id, static_cast<std::int64_t>(*at), &st);
  if (!found) *failure = journal_error(st);
  return found;
}

HttpReply timeline(std::string_view id, const journal::Journal& j) {
  journal::Status st;
  const auto session = history::SessionCache::shared().get(j, id, std::numeric_limits<std::uint64_t>::max(), &st);
  if (!session) return journal_error(st);
  const history::Timeline& t = session->timeline;
  std::string markers = "[";
  for (const auto& m : t.markers) {
    if (markers.size() > 1) markers += ",";
    const char* kind = m.kind == history::TimelineMarker::Kind::phase  ? "phase"
                       : m.kind == history::TimelineMarker::Kind::join ? "join"
                                                                       : "leave";
    markers += json::Object().field("kind", kind).field("seq", m.seq).field("time_ms", m.time_ms).field("label", m.label).str();
  }
  markers += "]";
  std::string activity = "[";
  for (const auto& a : t.activity) {
    if (activity.size() > 1) activity += ",";
    activity += json::Object()
                    .field("minute_start_ms", a.minute_start_ms)
                    .field("events", static_cast<std::uint64_t>(a.events))
                    .str();
  }
  activity += "]";
  HttpReply r;
  r.body = json::Object()
               .field("head_seq", t.head_seq)
               .field("first_ms", t.first_ms)
               .field("last_ms", t.last_ms)
               .raw("markers", markers)
               .raw("activity", activity)
               .str();
  return r;
}

// The record's policy (RecordPolicy), decided on the head board: `at` when
// it is the head already, else the head's (cached per head).
std::optional<board::RecordPolicy> record_policy(std::string_view id, const journal::Journal& j, const board::Board& at,
                                                 journal::Status* st) {
  if (at.seq() >= j.head_seq(id)) return at.record_policy();
  return history::SessionCache::shared().head_policy(j, id, st);
}

HttpReply state(const Query& q, std::string_view id, const journal::Journal& j) {
  HttpReply failure;
  const auto seq = wanted_seq(q, id, j, &failure);
  if (!seq) return failure;
  journal::Status st;
  const auto board = history::rebuild(j, id, *seq, &st);
  if (!board) return journal_error(st);
  const auto policy = record_policy(id, j, *board, &st);
  if (!policy) return journal_error(st);
  v1::ReplayState out;
  out.set_seq(board->seq());
  std::vector<v1::EventRecord> at;
  if (board->seq() > 0 && j.read_events(id, board->seq(), board->seq(), 1, &at).ok() && !at.empty())
    out.set_time_ms(at.front().time_ms());
  *out.mutable_state() = board->record_view(*policy);
  HttpReply r;
  r.content_type = "application/x-protobuf";
  r.body = out.SerializeAsString();
  return r;
}

HttpReply events(const Query& q, std::string_view id, const journal::Journal& j) {
  std::string error;
  const std::uint64_t from = number(q, "from", &error).value_or(1);
  const std::uint64_t to = number(q, "to", &error).value_or(std::numeric_limits<std::uint64_t>::max());
  std::uint64_t limit = number(q, "limit", &error).value_or(kDefaultEventPage);
  if (!error.empty()) return error_reply(400, error);
  if (limit == 0 || limit > kMaxEventPage) limit = kMaxEventPage;
  std::vector<v1::EventRecord> records;
  if (journal::Status st = j.read_events(id, std::max<std::uint64_t>(from, 1), to, limit, &records); !st.ok())
    return journal_error(st);
  journal::Status st;
  const auto head_policy = history::SessionCache::shared().head_policy(j, id, &st);
  if (!head_policy) return journal_error(st);
  const board::RecordPolicy& policy = *head_policy;
  v1::EventPage page;
  std::uint64_t durable_head = 0;  // durable: only stored events are counted
  if (journal::Status hs = j.read_head(id, &durable_head); !hs.ok()) return journal_error(hs);
  page.set_head_seq(durable_head);
  for (const auto& rec : records) *page.add_events() = board::Board::record_event(history::to_event(rec), policy);
  const std::uint64_t last = records.empty() ? 0 : records.back().seq();
  if (records.size() == limit && last < to && last < page.head_seq()) page.set_next_from(last + 1);
  HttpReply r;
  r.content_type = "application/x-protobuf";
  r.body = page.SerializeAsString();
  return r;
}

HttpReply export_download(const Query& q, std::string_view id, const journal::Journal& j) {
  const auto format_it = q.find("format");
  const auto format = render::parse_download(format_it == q.end() ? "md" : format_it->second);
  if (!format) return error_reply(400, std::string("format must be ") + render::kDownloadNames);
  HttpReply failure;
  const auto seq = wanted_seq(q, id, j, &failure);
  if (!seq) return failure;
  journal::Status st;
  const auto session = history::SessionCache::shared().get(j, id, *seq, &st);
  if (!session) return journal_error(st);
  HttpReply r;
  r.content_type = render::content_type(*format);
  r.body = render::render_download(*session, *format);
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"" + render::download_filename(*session, *format) + "\"");
  return r;
}

}  // namespace

HttpReply handle_replay(const ApiRequest& req, std::string_view workshop_id, std::string_view action,
                        const journal::Journal& journal) {
  if (req.method != "GET" && req.method != "HEAD") {
    HttpReply r = error_reply(405, "the replay API only reads");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  v1::WorkshopMeta meta;
  if (const journal::Status st = journal.workshop(workshop_id, &meta); !st.ok()) {
    if (st.code() == journal::Status::Code::not_found) return error_reply(404, "there is no workshop with this id");
    return journal_error(st);
  }
  const std::optional<Query> query = parse_query(req.target);
  if (!query) return error_reply(400, "the query string is malformed (RFC 3986: percent-encode reserved characters)");
  const Query& q = *query;
  if (auto denied = check_access(req, q, meta)) {
    audit(req.audit, "credential_refused", req.client_address,
          {{"workshop", workshop_id}, {"action", action.substr(0, 20)},
           {"reason", denied->status == 401 ? "no facilitator token" : "wrong facilitator token"}});
    return *denied;
  }
  const auto format_it = q.find("format");
  audit(req.audit, action == "export" ? "export" : "replay_access", req.client_address,
        {{"workshop", workshop_id},
         {"action", action.substr(0, 20)},
         {"format", action == "export" && format_it != q.end() ? std::string_view(format_it->second).substr(0, 8)
                                                                 : std::string_view()}});
  HttpReply r;
  if (action == "timeline") r = timeline(workshop_id, journal);
  else if (action == "state") r = state(q, workshop_id, journal);
  else if (action == "events") r = events(q, workshop_id, journal);
  else if (action == "export") r = export_download(q, workshop_id, journal);
  else return error_reply(404, "no such replay endpoint (timeline, state, events, export)");
  // Replays contain every note of the session: never cached by a proxy.
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace werkstatt::net
