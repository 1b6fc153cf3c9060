#include "werkstatt/workshop/workshop.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "werkstatt/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>

#include "werkstatt/board/limits.hpp"
#include "werkstatt/board/text.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/scrub.hpp"
#include "werkstatt/protocol/version.hpp"
#include "werkstatt/workshop/frames.hpp"
#include "werkstatt/workshop/secrets.hpp"

namespace werkstatt::workshop {
namespace asio = boost::asio;

namespace {

// The metrics' role label of a joined connection (its role when it joined).
std::optional<metrics::Role> metric_role(v1::Role role) {
  switch (role) {
    case v1::ROLE_PARTICIPANT: return metrics::Role::participant;
    case v1::ROLE_FACILITATOR: return metrics::Role::facilitator;
    case v1::ROLE_OBSERVER: return metrics::Role::observer;
    default: return std::nullopt;
  }
}

void count_reject(v1::RejectCode code) {
  metrics::global().ops_rejected.inc();
  metrics::global().op_rejects.inc(metrics::label("code", v1::RejectCode_Name(code)));
}


constexpr std::size_t kMaxClientOpIdBytes = 64;  // protocol.proto: "1..64 bytes"

bool finite_point(const v1::Point& p) { return std::isfinite(p.x()) && std::isfinite(p.y()); }

// Enough for any cluster a person drags in practice, and it bounds what one
// presence update can make the server repeat to everyone (≤ ~7 KiB).
constexpr int kMaxDragNotes = 100;

bool valid_drag(const v1::Drag& d) {
  if (d.note_ids_size() == 0 || d.note_ids_size() > kMaxDragNotes || !finite_point(d.offset())) return false;
  return std::all_of(d.note_ids().begin(), d.note_ids().end(), [](const std::string& id) { return board::valid_id(id); });
}
bool finite_rect(const v1::Rect& r) {
  return std::isfinite(r.x()) && std::isfinite(r.y()) && std::isfinite(r.width()) && std::isfinite(r.height());
}

}  // namespace

// ---------------------------------------------------------------- construction

Workshop::Workshop(asio::io_context& io, journal::Journal& journal, v1::WorkshopMeta meta,
                   const WorkshopOptions& options)
    : strand_(asio::make_strand(io)),
      io_(io),
      journal_(journal),
      meta_(std::move(meta)),
      history_id_(journal.incarnation() + ":" + meta_.id()),
      facilitator_digest_(meta_.facilitator_token_sha256()),
      observer_digest_(meta_.observer_token_sha256()),
      options_(options),
      retry_timer_(strand_),
      health_(options.journal_health ? options.journal_health
                                     : std::make_shared<JournalHealth>(journal, options.retry_interval)),
      clock_timer_(strand_),
      presence_timer_(strand_),
      shutdown_watch_timer_(strand_) {
  info_.id = meta_.id();
  meta_copy_ = meta_;
  durable_join_code_ = meta_.join_code();
  extra_facilitator_digests_.assign(meta_.extra_facilitator_token_sha256().begin(),
                                    meta_.extra_facilitator_token_sha256().end());
  extra_observer_digests_.assign(meta_.extra_observer_token_sha256().begin(), meta_.extra_observer_token_sha256().end());
  info_.template_id = meta_.template_id();
  info_.created_ms = meta_.created_ms();
  info_.planned_date = meta_.planned_date();
  info_.copied_from = meta_.copied_from();
  info_.is_template = meta_.is_template();
  // A workshop without events is as old as its creation.
  last_activity_ms_ = std::max(meta_.created_ms(), meta_.last_activity_ms());
}

Workshop::~Workshop() = default;

std::shared_ptr<Workshop> Workshop::create(asio::io_context& io, journal::Journal& journal, v1::WorkshopMeta meta,
                                           const std::vector<v1::Op>& setup, const WorkshopOptions& options,
                                           journal::Status* status) {
  std::shared_ptr<Workshop> w(new Workshop(io, journal, std::move(meta), options));
  // Nobody else can reach the workshop yet, so its state may be touched off
  // the strand, as long as no handler of its own runs meanwhile: the appends
  // are held back until the setup is complete.
  w->flush_posted_ = true;
  for (const v1::Op& op : setup) {
    if (!w->apply_system(op, {}))
      spdlog::error("workshop {}: a template op was refused by the board: {}", w->id(), op.ShortDebugString());
  }
  w->update_info();
  if (!status) {  // the caller does not wait: appended like any other events
    w->release_appends();
    return w;
  }
  // The template goes to the journal now, from this thread, and create()
  // returns once it is stored: whoever created the workshop (POST
  // /api/workshops) may read it right away and sees its template.
  std::vector<v1::EventRecord> records;
  records.swap(w->append_buffer_);
  w->release_appends();  // nothing buffered any more: ends the hold-back before any handler runs
  if (records.empty()) {
    *status = {};
    return w;
  }
  const std::uint64_t last = records.back().seq();
  ++w->appends_in_flight_;
  auto stored = std::make_shared<std::promise<journal::Status>>();
  auto durable = stored->get_future();
  auto done = [w, epoch = w->epoch_, last, stored](const journal::Status& s) {
    stored->set_value(s);
    asio::post(w->strand_, [w, epoch, last, s] { w->on_appended(epoch, last, s); });
  };
  w->append_records(std::move(records), std::move(done));  // the template may have set the join code
  const journal::Status result = durable.get();  // the journal's thread completes it: no I/O thread needed
  if (result.ok()) {
    std::lock_guard lock(w->info_mutex_);
    w->info_.head_seq = std::max(w->info_.head_seq, last);
  }
  *status = result;
  return w;
}

std::shared_ptr<Workshop> Workshop::recover(asio::io_context& io, journal::Journal& journal, v1::WorkshopMeta meta,
                                            const WorkshopOptions& options, journal::Status* status) {
  std::shared_ptr<Workshop> w(new Workshop(io, journal, std::move(meta), options));
  w->flush_posted_ = true;  // as in create(): no handler runs before recovery is complete
  // The board up to just before the recent window, then the window replayed
  // here: each replayed event's views are computed from the state right
  // after it, so resumes after a restart get what each viewer may see.
  std::uint64_t head = 0;
  // An unreadable head is an error, never 0: serving an empty board would
  // let new events overwrite the stored history.
  if (journal::Status s = journal.read_head(w->id(), &head); !s.ok()) {
    *status = s;
    return nullptr;
  }
  // The idempotency index, oldest first, so each participant's window
  // keeps its newest ids.
  std::vector<journal::ClientOp> known;
  if (journal::Status s = journal.client_ops(w->id(), &known); !s.ok()) {
    *status = s;
    return nullptr;
  }
  std::sort(known.begin(), known.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  for (const journal::ClientOp& op : known) {
    if (op.seq > head) {
      *status = {journal::Status::Code::corruption, "workshop " + w->id() + ": its idempotency index names seq " +
                                                        std::to_string(op.seq) + " above the head " +
                                                        std::to_string(head)};
      return nullptr;
    }
    w->remember_op(op.participant_id, op.client_op_id, op.seq);
  }
  const std::uint64_t window_start = head > options.recent_events ? head - options.recent_events + 1 : 1;
  auto board = history::rebuild(journal, w->id(), window_start - 1, status);
  if (!board) return nullptr;
  w->board_ = std::move(*board);
  std::vector<v1::EventRecord> page;
  while (w->board_.seq() < head) {
    page.clear();
    if (journal::Status s = journal.read_events(w->id(), w->board_.seq() + 1, head, history::kReplayPageSize, &page);
        !s.ok()) {
      *status = s;
      return nullptr;
    }
    if (page.empty()) break;
    for (const v1::EventRecord& r : page) {
      const v1::Event e = history::to_event(r);
      if (auto rejected = w->board_.replay(e)) {
        *status = {journal::Status::Code::corruption,
                   "event " + w->id() + "/" + std::to_string(r.seq()) + " does not replay: " + rejected->reason};
        return nullptr;
      }
      w->remember_event(encode_views(w->board_.views_of(e)));
      if (!r.client_op_id().empty()) w->remember_op(r.author_id(), r.client_op_id(), r.seq());
      if (!r.op().has_participant_left()) w->last_activity_ms_ = std::max(w->last_activity_ms_, r.time_ms());
      w->last_event_ms_ = std::max(w->last_event_ms_, r.time_ms());
    }
  }
  if (head > 0 && w->last_event_ms_ == 0) {  // no recent window replayed: the head event's time
    page.clear();
    if (journal::Status s = journal.read_events(w->id(), head, head, 1, &page); !s.ok()) {
      *status = s;
      return nullptr;
    }
    if (!page.empty()) w->last_event_ms_ = page.front().time_ms();
  }
  w->durable_seq_ = w->board_.seq();
  if (w->durable_seq_ != head) {
    *status = {journal::Status::Code::corruption, "workshop " + w->id() + ": its events end at seq " +
                                                      std::to_string(w->durable_seq_) + " but its head is " +
                                                      std::to_string(head)};
    return nullptr;
  }

  // Resume secrets are journal-only: the first join of each participant
  // carries the digest (the board's joined_seq points at it).
  const v1::BoardState state = w->board_.state();  // kept: the loop refers into it
  for (const v1::Participant& p : state.participants()) {
    Member m;
    m.id = p.id();
    m.display_name = p.display_name();
    m.role = p.role();
    std::vector<v1::EventRecord> joined;
    if (journal::Status s = journal.read_events(w->id(), p.joined_seq(), p.joined_seq(), 1, &joined); !s.ok()) {
      *status = s;
      return nullptr;
    }
    if (!joined.empty()) m.secret_sha256 = joined.front().participant_secret_sha256();
    w->members_.emplace(m.id, std::move(m));
  }
  // A journal written before rotations were stored with their event may
  // hold an older code in the metadata: the board's is the workshop's.
  w->meta_follows_board();
  w->durable_join_code_ = w->meta_.join_code();
  if (options.join_codes && !w->board_.closed()) {
    const std::string& code = w->durable_join_code_;
    if (!code.empty() && !options.join_codes->hold(code, w->id()))
      spdlog::warn("workshop {}: its join code is also another open workshop's; rotate it", w->id());
  }
  // Whoever the journal shows online was connected when the server stopped.
  w->reconcile_presence();
  w->schedule_clock();
  w->update_info();
  w->release_appends();
  *status = {};
  return w;
}

// ---------------------------------------------------------------- public entry points

void Workshop::join(std::shared_ptr<Client> client, v1::Hello hello) {
  asio::post(strand_, [self = shared_from_this(), client = std::move(client), hello = std::move(hello)]() mutable {
    self->do_join(client, hello);
  });
}

void Workshop::submit(std::uint64_t connection_id, v1::OpRequest request) {
  asio::post(strand_, [self = shared_from_this(), connection_id, request = std::move(request)]() mutable {
    self->do_submit(connection_id, request);
  });
}

void Workshop::update_presence(std::uint64_t connection_id, v1::Presence presence) {
  asio::post(strand_, [self = shared_from_this(), connection_id, presence = std::move(presence)] {
    self->do_presence(connection_id, presence);
  });
}

void Workshop::detach(std::uint64_t connection_id) {
  asio::post(strand_, [self = shared_from_this(), connection_id] { self->do_detach(connection_id); });
}

void Workshop::erase_participant(std::string participant_id, ParticipantErased journaled) {
  asio::post(strand_, [self = shared_from_this(), participant_id = std::move(participant_id),
                       journaled = std::move(journaled)]() mutable {
    self->do_erase_participant(participant_id, std::move(journaled));
  });
}

void Workshop::close_for_erasure(std::function<void()> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    self->erasing_ = true;
    self->shutdown(std::move(done));
  });
}

void Workshop::hand_over() {
  asio::post(strand_, [self = shared_from_this()] {
    self->on_moved({journal::Status::Code::moved, "handed over to another node"});
  });
}

void Workshop::shutdown(std::function<void()> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    self->shutting_down_ = true;
    self->shutdown_done_ = std::move(done);
    self->retry_timer_.cancel();
    self->watch_shutdown();
    self->maybe_finish_shutdown();
  });
}

void Workshop::watch_shutdown() {
  shutdown_watch_timer_.expires_after(std::chrono::seconds(5));
  shutdown_watch_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || !self->shutdown_done_) return;
    spdlog::warn("workshop {}: shutdown still waiting: {} connection(s){}, {} event(s) in flight, {} buffered, "
                 "{} append(s) in flight, flush {}",
                 self->id(), self->connections_.size(), self->connections_closed_ ? " told to close" : "",
                 self->inflight_.size(), self->append_buffer_.size(), self->appends_in_flight_,
                 self->flush_posted_ ? "posted" : "idle");
    self->watch_shutdown();
  });
}

WorkshopInfo Workshop::info() const {
  std::lock_guard lock(info_mutex_);
  return info_;
}

// ---------------------------------------------------------------- join

bool Workshop::resumable(const v1::Hello& hello) const {
  if (hello.participant_id().empty()) return false;
  const auto it = members_.find(hello.participant_id());
  if (it == members_.end() || !matches_digest(hello.participant_secret(), it->second.secret_sha256)) return false;
  const v1::Participant* p = board_.participant(it->first);
  return !p || !p->removed();
}

void Workshop::do_join(const std::shared_ptr<Client>& client, v1::Hello& hello) {
  const auto refuse = [&](v1::ErrorCode code, std::string_view message, CloseCode close) {
    client->close(close, error_frame(code, message, true));
  };
  if (erasing_)
    return refuse(v1::ERROR_CODE_WORKSHOP_DELETED, "this workshop was deleted", CloseCode::policy);
  if (moved_)
    return refuse(v1::ERROR_CODE_MOVED, "another server serves this workshop now; reconnect", CloseCode::going_away);
  if (shutting_down_)
    return refuse(v1::ERROR_CODE_SHUTTING_DOWN, "the server is shutting down; reconnect in a moment",
                  CloseCode::going_away);

  // The credential decides the role, and is checked before anything is sent.
  v1::Role role = v1::ROLE_UNSPECIFIED;
  const v1::Credential& cred = hello.credential();
  switch (cred.kind_case()) {
    case v1::Credential::kJoinCode: {
      // Guessing limits (per client address and workshop, and per workshop)
      // apply to codes for a new identity only: a valid resume is never
      // held back because others guessed wrong.
      if (!resumable(hello) && !client->may_try_join_code())
        return refuse(v1::ERROR_CODE_RATE_LIMITED,
                      "too many wrong join codes for this workshop from your network; try again in a minute",
                      CloseCode::policy);
      // The board holds the current code (facilitators rotate it).
      const std::string& code = board_.join_code().empty() ? meta_.join_code() : board_.join_code();
      if (matches_digest(normalise_join_code(cred.join_code()), sha256(code))) role = v1::ROLE_PARTICIPANT;
      break;
    }
    case v1::Credential::kFacilitatorToken:
      if (has_facilitator_token(cred.facilitator_token())) role = v1::ROLE_FACILITATOR;
      break;
    case v1::Credential::kObserverToken:
      if (is_observer_token(cred.observer_token())) role = v1::ROLE_OBSERVER;
      break;
    case v1::Credential::KIND_NOT_SET: break;
  }
  // Someone who joined keeps their identity whatever happened to the join
  // code since: a known participant id with its secret is credential enough
  // (only new identities need the current code). Removed identities are
  // refused below; what keeps a removed person out is a rotated code.
  if (role == v1::ROLE_UNSPECIFIED && !cred.has_facilitator_token() && !cred.has_observer_token() &&
      known_identity(hello))
    role = v1::ROLE_PARTICIPANT;
  if (role == v1::ROLE_PARTICIPANT && board_.closed() && !known_identity(hello))
    return refuse(v1::ERROR_CODE_BAD_CREDENTIAL,
                  "this workshop is closed: its join code no longer admits anyone; ask the organisers for the minutes",
                  CloseCode::policy);
  if (role == v1::ROLE_UNSPECIFIED) {
    client->credential_refused(cred.has_join_code()           ? Client::Credential::join_code
                               : cred.has_facilitator_token() ? Client::Credential::facilitator_token
                               : cred.has_observer_token()    ? Client::Credential::observer_token
                                                              : Client::Credential::none);
    return refuse(v1::ERROR_CODE_BAD_CREDENTIAL,
                  "this join code or link is not valid for this workshop; ask the facilitator for the current one",
                  CloseCode::policy);
  }
  if (board::check_text(hello.display_name(), board::limits::kMaxDisplayNameChars, false) != board::TextCheck::ok)
    return refuse(v1::ERROR_CODE_INVALID_MESSAGE,
                  "the display name must be at most 60 characters of text without control characters",
                  CloseCode::policy);
  // A room full of participants (laptop and phone each) must not lock out its
  // facilitators or the projector: token holders get headroom above the limit.
  const bool token_holder = role == v1::ROLE_FACILITATOR || role == v1::ROLE_OBSERVER;
  if (connections_.size() >= options_.max_connections + (token_holder ? options_.token_holder_headroom : 0))
    return refuse(v1::ERROR_CODE_WORKSHOP_FULL,
                  "this workshop has reached its limit of " + std::to_string(options_.max_connections) + " connections",
                  CloseCode::policy);

  // Identity: resume the one named in the Hello, or make a new one.
  Member* member = nullptr;
  std::string new_secret;
  if (!hello.participant_id().empty()) {
    const auto it = members_.find(hello.participant_id());
    if (it != members_.end()) {
      if (!matches_digest(hello.participant_secret(), it->second.secret_sha256)) {
        client->credential_refused(Client::Credential::participant_secret);
        return refuse(v1::ERROR_CODE_BAD_CREDENTIAL,
                      "the saved identity does not belong to this workshop; forget it and join again",
                      CloseCode::policy);
      }
      const v1::Participant* p = board_.participant(it->first);
      if (p && p->removed())
        return refuse(v1::ERROR_CODE_BAD_CREDENTIAL,
                      "a facilitator removed this identity from the workshop; forget it to join again",
                      CloseCode::policy);
      // An identity that never had an op accepted gave up its place when it
      // went offline; it comes back only while there is room (it has
      // nothing on the board to lose: a new identity is as good). Only the
      // participant role takes a place: a rejoin keeps the board's role,
      // and the facilitator token always makes a facilitator.
      const v1::Role rejoins_as = role == v1::ROLE_FACILITATOR || !p ? role : p->role();
      if (p && rejoins_as == v1::ROLE_PARTICIPANT && !board::Board::holds_place(*p) &&
          board_.holding_participants() >= board::limits::kMaxParticipants)
        return refuse(v1::ERROR_CODE_WORKSHOP_FULL,
                      "this workshop has reached its limit of " + std::to_string(board::limits::kMaxParticipants) +
                          " participants; your earlier identity, which never added anything, gave up its place",
                      CloseCode::policy);
      member = &it->second;
    }
    // An id this workshop does not know (e.g. from a workshop that was reset)
    // is not an error: the client simply gets a new identity.
  }
  if (!member) {
    if (!client->may_create_identity())
      return refuse(v1::ERROR_CODE_RATE_LIMITED,
                    "too many new identities for this workshop from your network; try again in a minute",
                    CloseCode::policy);
    // Only identities that hold a place count: removed ones, and offline
    // ones that never had an op accepted, free theirs. Facilitators and
    // observers (secret tokens) take none.
    if (role == v1::ROLE_PARTICIPANT && board_.holding_participants() >= board::limits::kMaxParticipants)
      return refuse(v1::ERROR_CODE_WORKSHOP_FULL,
                    "this workshop has reached its limit of " + std::to_string(board::limits::kMaxParticipants) +
                        " participants",
                    CloseCode::policy);
    if (members_.size() >= board::limits::kMaxIdentities) forget_unused_identities();
    if (members_.size() >= board::limits::kMaxIdentities) {
      // Nothing left to forget: every identity is online, has acted, facilitates
      // or may have voted unseen. Say so to the operator; never blame the
      // participant limit.
      spdlog::warn("workshop {}: refused a new identity: its {} identities are all in use and none can be forgotten",
                   id(), board::limits::kMaxIdentities);
      return refuse(v1::ERROR_CODE_WORKSHOP_FULL,
                    "this workshop cannot create more identities (limit " +
                        std::to_string(board::limits::kMaxIdentities) +
                        "); people who joined before can still come back",
                    CloseCode::policy);
    }
    std::string pid;
    do pid = "p" + random_base32(8);
    while (members_.contains(pid));
    new_secret = random_token();
    Member m;
    m.id = pid;
    m.secret_sha256 = sha256(new_secret);
    member = &members_.emplace(pid, std::move(m)).first->second;
  }
  member->role = role;
  if (!hello.display_name().empty()) member->display_name = hello.display_name();
  if (member->display_name.empty()) member->display_name = board_.settings().language() == "en" ? "Guest" : "Gast";

  const std::uint64_t cid = client->connection_id();
  Connection& c = connections_[cid];
  c.metric_role = metric_role(role);
  if (c.metric_role) metrics::global().joined(*c.metric_role, +1);
  c.client = client;
  c.group = client->send_group();
  c.participant_id = member->id;
  ++member->connections;

  if (!read_only_ && needs_join_event(*member)) {
    v1::Op op;
    auto* p = op.mutable_participant_joined()->mutable_participant();
    p->set_id(member->id);
    p->set_display_name(member->display_name);
    p->set_role(role);
    if (!apply_system(op, member->secret_sha256)) {
      --member->connections;
      if (c.metric_role) metrics::global().joined(*c.metric_role, -1);
      connections_.erase(cid);
      return refuse(v1::ERROR_CODE_WORKSHOP_FULL, "this workshop cannot take more participants", CloseCode::policy);
    }
    sync_member(member->id);  // a rejoin keeps the role the board knows
  }
  role = member->role;
  connections_.at(cid).view_role = role;

  PendingWelcome w;
  w.connection_id = cid;
  w.last_seen_seq = hello.last_seen_seq();
  w.seen_history_id = hello.history_id();
  w.welcome.set_protocol_version(protocol::kProtocolVersion);
  w.welcome.set_participant_id(member->id);
  w.welcome.set_participant_secret(new_secret);  // empty on a resume: the client has it
  w.welcome.set_role(role);
  prepare_welcome(w);  // after the join: the view is the member's
  spdlog::info("workshop {}: connection {} joins as {} ({}, {}){}", id(), cid, member->id, v1::Role_Name(role),
               new_secret.empty() ? "known identity" : "new identity",
               w.resume ? " resuming after seq " + std::to_string(w.last_seen_seq) : "");
  const bool ready = w.at_seq <= durable_seq_;
  pending_welcomes_.push_back(std::move(w));
  if (ready) {
    deliver_welcomes(durable_seq_);
    flush_out();
  }
  update_info();
}

void Workshop::forget_unused_identities() {
  if (read_only_ || board_.closed()) return;  // nothing can be journaled, or nobody new can join anyway
  // Identities the journal never heard of (made while it refused writes) and
  // that are not attached: nothing refers to them, no event is needed.
  std::erase_if(members_, [&](const auto& entry) {
    return entry.second.connections == 0 && board_.participant(entry.first) == nullptr;
  });
  if (members_.size() < board::limits::kMaxIdentities) return;
  v1::Op op;
  for (std::string& pid : board_.forgettable_participants(board::limits::kMaxParticipants)) {
    const auto it = members_.find(pid);
    if (it != members_.end() && it->second.connections > 0) continue;  // attaching: its join is on its way
    op.mutable_forget_participants()->add_participant_ids(std::move(pid));
  }
  const int count = op.forget_participants().participant_ids_size();
  if (count == 0 || !apply_system(op, {})) return;
  for (const std::string& pid : op.forget_participants().participant_ids()) members_.erase(pid);
  spdlog::info("workshop {}: forgot {} identities that never added anything, to make room for new ones", id(), count);
}

bool Workshop::known_identity(const v1::Hello& hello) const {
  if (hello.participant_id().empty()) return false;
  const auto it = members_.find(hello.participant_id());
  return it != members_.end() && matches_digest(hello.participant_secret(), it->second.secret_sha256);
}

bool Workshop::needs_join_event(const Member& m) const {
  const v1::Participant* p = board_.participant(m.id);
  return !p || !p->online() || p->role() != m.role || p->display_name() != m.display_name;
}

void Workshop::prepare_welcome(PendingWelcome& w) {
  w.at_seq = board_.seq();
  const std::uint64_t last = w.last_seen_seq;
  // The client saw history this server does not have: a restored backup or
  // another journal. Never resume it (seqs would be reused for other events).
  const bool reset = last > 0 && (last > w.at_seq || (!w.seen_history_id.empty() && w.seen_history_id != history_id_));
  if (reset)
    spdlog::warn("workshop {}: connection {} saw seq {} of history {}, this history is {} at seq {}: history reset",
                 id(), w.connection_id, last, w.seen_history_id.empty() ? "(not sent)" : w.seen_history_id,
                 history_id_, w.at_seq);
  // Served from the recent events only: they carry each viewer's view.
  w.resume = !reset && last > 0 && last <= w.at_seq && w.at_seq - last <= options_.max_resume_gap &&
             last + 1 >= first_recent_seq();
  w.welcome.clear_state();
  w.welcome.set_resumed(w.resume);
  w.welcome.set_history_id(history_id_);
  w.welcome.set_history_reset(reset);
  if (w.resume) {
    w.welcome.set_seq(last);
  } else {
    w.welcome.set_seq(w.at_seq);
    *w.welcome.mutable_state() = board_.view_for(w.welcome.participant_id());
  }
}

std::uint64_t Workshop::first_recent_seq() const {
  return recent_.empty() ? durable_seq_ + 1 : recent_.front().seq;
}

// ---------------------------------------------------------------- ops

void Workshop::do_submit(std::uint64_t connection_id, v1::OpRequest& request) {
  const auto received = std::chrono::steady_clock::now();
  const auto it = connections_.find(connection_id);
  if (it == connections_.end() || shutting_down_) return;
  const std::string pid = it->second.participant_id;
  const std::string& op_id = request.client_op_id();
  if (op_id.empty() || op_id.size() > kMaxClientOpIdBytes)
    return count_reject(v1::REJECT_CODE_INVALID_ID), send_to(connection_id, reject_frame(op_id.substr(0, kMaxClientOpIdBytes), v1::REJECT_CODE_INVALID_ID,
                                               "client_op_id must be 1 to 64 bytes"));

  if (const std::uint64_t seq = known_op(pid, op_id); seq != 0) {
    // A resend: answer with the original seq, never apply twice.
    metrics::global().ops_duplicate.inc();
    if (seq <= durable_seq_) return send_to(connection_id, ack_frame(op_id, seq));
    inflight_[seq - inflight_.front().views.full.seq()].resent_by.push_back(connection_id);
    return;
  }
  if (read_only_)
    return count_reject(v1::REJECT_CODE_READ_ONLY), send_to(connection_id,
                   reject_frame(op_id, v1::REJECT_CODE_READ_ONLY,
                                "the server cannot save edits right now; the board is read-only until storage recovers"));

  std::string claimed_code;
  if (request.op().has_rotate_join_code()) {
    // The server makes the new code, unique among the open workshops;
    // whatever the client sent is ignored.
    std::string code;
    if (options_.join_codes) {
      code = claimed_code = options_.join_codes->claim(id());
    } else {
      do code = random_join_code();
      while (code == board_.join_code());
    }
    request.mutable_op()->mutable_rotate_join_code()->set_join_code(code);
  }
  board::ApplyResult result = board_.apply(request.op(), pid, event_time_ms());
  if (!result.ok()) {
    if (!claimed_code.empty()) options_.join_codes->release(claimed_code, id());
    count_reject(result.rejection().code);
    return send_to(connection_id, reject_frame(op_id, result.rejection().code, result.rejection().reason));
  }
  const v1::Role role = role_of(pid);
  record(std::move(result.event()), connection_id, pid, role, op_id, {});
  inflight_.back().received = received;
}

bool Workshop::apply_system(const v1::Op& op, std::string secret_sha256) {
  // Handed over: another instance (maybe on this node) continues the
  // journal; what happens here now (connections closing) is not its event.
  if (moved_) return false;
  // A closed workshop is frozen: who comes and goes afterwards (to read the
  // board) is not part of its record and changes no minutes.
  if (board_.closed() && (op.has_participant_joined() || op.has_participant_left())) return true;
  board::ApplyResult result = board_.apply(op, board::kSystemAuthor, event_time_ms());
  if (!result.ok()) {
    spdlog::warn("workshop {}: system op refused: {}", id(), result.rejection().reason);
    return false;
  }
  record(std::move(result.event()), 0, std::string(board::kSystemAuthor), v1::ROLE_SYSTEM, {},
         std::move(secret_sha256));
  return true;
}

void Workshop::record(v1::Event event, std::uint64_t author_connection, const std::string& author_id, v1::Role role,
                      const std::string& client_op_id, std::string secret_sha256) {
  const std::uint64_t seq = event.seq();
  last_event_ms_ = event.server_time_ms();
  v1::EventRecord r;
  r.set_workshop_id(id());
  r.set_seq(seq);
  r.set_time_ms(event.server_time_ms());
  r.set_author_id(author_id);
  r.set_author_role(role);
  r.set_client_op_id(client_op_id);
  *r.mutable_op() = event.op();
  r.set_participant_secret_sha256(std::move(secret_sha256));
  // The id pushed out of the author's window leaves the durable index in
  // the same write that adds this one: the index stays bounded.
  if (!client_op_id.empty()) r.set_evicts_client_op_id(remember_op(author_id, client_op_id, seq));

  Inflight e;
  e.author_connection = author_connection;
  e.client_op_id = client_op_id;
  // Every snapshot_every events, and at every phase change: a replay that
  // steps through phases then starts from a snapshot, never a long tail.
  const bool periodic = options_.snapshot_every > 0 && seq % options_.snapshot_every == 0;
  if (periodic || event.op().has_go_to_phase()) {
    // Taken now (the board is at exactly this seq), stored once durable.
    // The full state: the journal keeps everything; views are made on the way out.
    auto snapshot = std::make_shared<v1::Snapshot>();
    snapshot->set_workshop_id(id());
    snapshot->set_seq(seq);
    snapshot->set_time_ms(event.server_time_ms());
    *snapshot->mutable_state() = board_.state();
    e.snapshot = std::move(snapshot);
  }
  // The views are computed now, from the state right after this event.
  e.views = board_.views_of(event);
  const v1::Op& op = e.views.full.op();
  if (op.has_rotate_join_code() || op.has_close_workshop()) {
    // The catalog finds workshops by the metadata's code and closing: it is
    // stored in this event's own write (append_with_meta), never after it.
    meta_follows_board();
    meta_with_next_append_ = true;
  }
  if (op.has_participant_joined() || op.has_set_role()) {
    // What a connection was sent so far depends on its role (private notes a
    // facilitator may see, the join code, names under pseudonyms): a new role
    // starts its view over, as a reload would.
    const std::string& pid =
        op.has_set_role() ? op.set_role().participant_id() : op.participant_joined().participant().id();
    sync_member(pid);
    rewelcome(pid);
  }
  if (op.has_rename_participant()) sync_member(op.rename_participant().participant_id());
  if (op.has_erase_participant()) sync_member(op.erase_participant().participant_id());
  if (op.has_timer() || op.has_go_to_phase() || op.has_close_workshop()) schedule_clock();
  inflight_.push_back(std::move(e));
  append_buffer_.push_back(std::move(r));
  // Ops that arrive together (already queued on the strand) share one append.
  if (!flush_posted_) {
    flush_posted_ = true;
    asio::post(strand_, [self = shared_from_this()] { self->flush_appends(); });
  }
}

void Workshop::release_appends() {
  flush_posted_ = false;
  if (append_buffer_.empty()) return;
  flush_posted_ = true;
  asio::post(strand_, [self = shared_from_this()] { self->flush_appends(); });
}

void Workshop::flush_appends() {
  flush_posted_ = false;
  if (append_buffer_.empty()) return maybe_finish_shutdown();
  std::vector<v1::EventRecord> records;
  records.swap(append_buffer_);
  const std::uint64_t last = records.back().seq();
  ++appends_in_flight_;
  metrics::global().journal_append_records.observe(static_cast<double>(records.size()));
  auto done = [self = shared_from_this(), epoch = epoch_, last,
               started = std::chrono::steady_clock::now()](const journal::Status& s) {
    metrics::global().journal_append_seconds.observe(metrics::seconds_since(started));
    if (!s.ok()) metrics::global().journal_append_failures.inc();
    asio::post(self->strand_, [self, epoch, last, s] { self->on_appended(epoch, last, s); });
  };
  append_records(std::move(records), std::move(done));
}

void Workshop::append_records(std::vector<v1::EventRecord> records, journal::AppendDone done) {
  if (!meta_with_next_append_) return journal_.append(std::move(records), std::move(done));
  // The metadata as it is now: it already holds these events' changes (and
  // any later ones, which is harmless: nothing is told before its own store).
  meta_with_next_append_ = false;
  journal_.append_with_meta(std::move(records), meta_, std::move(done));
}

void Workshop::on_appended(std::uint64_t epoch, std::uint64_t last_seq, const journal::Status& status) {
  --appends_in_flight_;
  if (epoch != epoch_) {
    // Appended before a failure was noticed: never acked, whatever the result.
    // The rebuild waits until the last of these has completed.
    maybe_rebuild();
    return maybe_finish_shutdown();
  }
  if (status.code() == journal::Status::Code::moved) return on_moved(status);
  if (!status.ok()) return on_journal_failure(status);
  durable_seq_ = last_seq;
  deliver_durable();
  maybe_finish_shutdown();
}

// ---------------------------------------------------------------- delivery

void Workshop::deliver_durable() {
  std::vector<std::shared_ptr<const v1::Snapshot>> snapshots;
  std::vector<v1::Event> follow_ups;
  while (!inflight_.empty() && inflight_.front().views.full.seq() <= durable_seq_) {
    Inflight e = std::move(inflight_.front());
    inflight_.pop_front();
    const std::uint64_t seq = e.views.full.seq();
    // Welcomes prepared at seq - 1 or earlier go out before this event.
    deliver_welcomes(seq - 1);

    EncodedEvent encoded = encode_views(e.views);  // once per view, for every recipient
    // Ops the server completes (a new join code, the revealed notes, a
    // round's results, which a hidden-count round showed nobody) reach
    // their author as the Event too: its own copy lacks what the server added.
    const v1::Op& op = e.views.full.op();
    const bool author_gets_event = op.has_rotate_join_code() || op.has_reveal() || op.has_close_voting_round() ||
                                   op.has_close_workshop();
    Frame ack;
    for (auto& [cid, c] : connections_) {
      if (!c.welcomed || c.delivered_seq >= seq) continue;
      if (cid == e.author_connection) {
        if (author_gets_event) c.out.push_back(encoded.for_viewer(c.participant_id, role_of(c.participant_id)));
        if (!ack) ack = ack_frame(e.client_op_id, seq);
        c.out.push_back(ack);
        metrics::global().ops_acked.inc();
        if (e.received != std::chrono::steady_clock::time_point{})
          metrics::global().ack_seconds.observe(metrics::seconds_since(e.received));
      } else if (encoded.uniform()) {
        c.out.push_back(encoded.full);  // the common case: no lookup
      } else {
        c.out.push_back(encoded.for_viewer(c.participant_id, role_of(c.participant_id)));
      }
      c.delivered_seq = seq;
    }
    if (e.author_connection != 0 && !ack) {
      // The author is not welcomed yet (cannot happen for ops sent after the
      // Hello, whose welcome seq is lower) or gone: keep the ack for later.
      if (const auto it = connections_.find(e.author_connection); it != connections_.end())
        it->second.deferred.push_back(ack_frame(e.client_op_id, seq));
    }
    for (const std::uint64_t cid : e.resent_by) {
      const auto it = connections_.find(cid);
      if (it == connections_.end()) continue;
      (it->second.welcomed ? it->second.out : it->second.deferred).push_back(ack_frame(e.client_op_id, seq));
    }
    remember_event(std::move(encoded));
    if (!op.has_participant_left()) last_activity_ms_ = e.views.full.server_time_ms();
    if (e.snapshot) snapshots.push_back(std::move(e.snapshot));
    if (e.views.full.op().has_remove_participant() || e.views.full.op().has_rotate_join_code() ||
        e.views.full.op().has_close_workshop() || e.views.full.op().has_erase_participant())
      follow_ups.push_back(std::move(e.views.full));
  }
  deliver_welcomes(durable_seq_);
  // Before anything goes out: nobody can see an event (or its Ack) that the
  // workshop's info (REST head_seq, /metrics) does not count yet.
  update_info();
  flush_out();
  for (const v1::Event& e : follow_ups) after_durable(e);
  if (!snapshots.empty()) store_snapshots(std::move(snapshots));
  if (!durable_waits_.empty()) release_durable_waits();
}

void Workshop::after_durable(const v1::Event& event) {
  const v1::Op& op = event.op();
  if (op.has_remove_participant()) {
    // They have received the event; now they go.
    const Frame bye = error_frame(v1::ERROR_CODE_BAD_CREDENTIAL, "a facilitator removed you from this workshop", true);
    std::vector<std::uint64_t> theirs;
    for (const auto& [cid, c] : connections_)
      if (c.participant_id == op.remove_participant().participant_id()) theirs.push_back(cid);
    for (const std::uint64_t cid : theirs) close_connection(cid, CloseCode::policy, bye);
  }
  if (op.has_erase_participant()) {
    const std::string& pid = op.erase_participant().participant_id();
    if (const auto m = members_.find(pid); m != members_.end()) m->second.secret_sha256.clear();
    const Frame bye = error_frame(v1::ERROR_CODE_PARTICIPANT_ERASED,
                                  "this identity was erased on request; you may join again as someone new", true);
    std::vector<std::uint64_t> theirs;
    for (const auto& [cid, c] : connections_)
      if (c.participant_id == pid) theirs.push_back(cid);
    for (const std::uint64_t cid : theirs) close_connection(cid, CloseCode::policy, bye);
    // The events kept for resumes carry the old name: dropped, so a client
    // from before gets a full Welcome (with the pseudonym) instead. Welcomes
    // already waiting are prepared again, as after a rebuild.
    recent_.clear();
    recent_bytes_ = 0;
    for (PendingWelcome& w : pending_welcomes_) prepare_welcome(w);
    deliver_welcomes(durable_seq_);
    flush_out();
  }
  // The metadata (closed, the new code) was stored with the event.
  if (op.has_close_workshop() && options_.join_codes) options_.join_codes->release(board_.join_code(), id());
  if (op.has_rotate_join_code()) {
    // The previous code is free for other workshops once the new one is stored.
    if (options_.join_codes && durable_join_code_ != op.rotate_join_code().join_code())
      options_.join_codes->release(durable_join_code_, id());
    durable_join_code_ = op.rotate_join_code().join_code();
  }
}

Workshop::EncodedEvent Workshop::encode_views(const board::EventViews& views) {
  const auto frame_of = [](const v1::Event& e) {
    v1::ServerMessage m;
    *m.mutable_event() = e;
    return encode(m);
  };
  EncodedEvent out;
  out.seq = views.full.seq();
  out.full = frame_of(views.full);
  if (views.for_facilitators) out.facilitators = frame_of(*views.for_facilitators);
  if (views.for_others) out.others = frame_of(*views.for_others);
  out.full_viewers = views.full_viewers;
  return out;
}

const Frame& Workshop::EncodedEvent::for_viewer(std::string_view participant_id, v1::Role role) const {
  // The same rule as board::EventViews::for_viewer, over the encoded frames.
  if ((!facilitators && !others) ||
      std::find(full_viewers.begin(), full_viewers.end(), participant_id) != full_viewers.end())
    return full;
  if (role == v1::ROLE_FACILITATOR) return facilitators ? facilitators : full;
  return others ? others : full;
}

std::size_t Workshop::EncodedEvent::bytes() const {
  return full->size() + (facilitators ? facilitators->size() : 0) + (others ? others->size() : 0);
}

v1::Role Workshop::role_of(const std::string& participant_id) const {
  const auto it = members_.find(participant_id);
  return it == members_.end() ? v1::ROLE_OBSERVER : it->second.role;
}

void Workshop::sync_member(const std::string& participant_id) {
  const v1::Participant* p = board_.participant(participant_id);
  const auto it = members_.find(participant_id);
  if (!p || it == members_.end()) return;
  it->second.role = p->role();
  it->second.display_name = p->display_name();
  if (it->second.welcomed > 0) mark_presence_dirty(it->second);
}

void Workshop::rewelcome(const std::string& participant_id) {
  const auto member = members_.find(participant_id);
  if (member == members_.end()) return;
  const Member& m = member->second;
  for (auto& [cid, c] : connections_) {
    if (c.participant_id != participant_id || c.view_role == v1::ROLE_UNSPECIFIED || c.view_role == m.role) continue;
    c.view_role = m.role;
    PendingWelcome w;
    w.connection_id = cid;
    w.rewelcome = true;
    w.welcome.set_protocol_version(protocol::kProtocolVersion);
    w.welcome.set_participant_id(participant_id);
    w.welcome.set_role(m.role);
    prepare_welcome(w);  // last_seen_seq 0: the whole state, for the new role
    pending_welcomes_.push_back(std::move(w));
  }
}

void Workshop::deliver_welcomes(std::uint64_t up_to_seq) {
  while (!pending_welcomes_.empty() && pending_welcomes_.front().at_seq <= up_to_seq) {
    PendingWelcome w = std::move(pending_welcomes_.front());
    pending_welcomes_.pop_front();
    const auto it = connections_.find(w.connection_id);
    if (it == connections_.end()) continue;
    Connection& c = it->second;
    std::vector<Frame> missed;
    if (w.resume && !collect_events(c, w.last_seen_seq, w.at_seq, missed)) {
      spdlog::error("workshop {}: could not read events {}..{} for a resume", id(), w.last_seen_seq + 1, w.at_seq);
      close_connection(w.connection_id, CloseCode::internal,
                       error_frame(v1::ERROR_CODE_INTERNAL,
                                   "the server could not read the events you missed; reload to get the whole board",
                                   true));
      continue;
    }
    Member& m = members_.find(c.participant_id)->second;
    if (w.rewelcome) {
      if (!c.welcomed) continue;  // its first Welcome failed: the connection is closing
    } else {
      c.welcomed = true;
      if (m.welcomed++ == 0) {
        ++online_;
        mark_presence_dirty(m);
      }
    }
    w.welcome.set_server_time_ms(now_ms());
    const bool facilitator = m.role == v1::ROLE_FACILITATOR;
    for (const auto& [pid, other] : members_) {
      if (other.welcomed == 0) continue;
      v1::PresenceState& state = *w.welcome.add_online() = presence_of(other, facilitator);
      strip_unseen_notes(state, m.id);
    }
    v1::ServerMessage message;
    *message.mutable_welcome() = std::move(w.welcome);
    c.out.push_back(encode(message));
    for (Frame& f : missed) c.out.push_back(std::move(f));
    c.delivered_seq = w.at_seq;
    for (Frame& f : c.deferred) c.out.push_back(std::move(f));
    c.deferred.clear();
  }
}

bool Workshop::collect_events(const Connection& c, std::uint64_t after_seq, std::uint64_t up_to_seq,
                              std::vector<Frame>& out) {
  const std::uint64_t first = first_recent_seq();
  if (after_seq + 1 < first) return false;
  const v1::Role role = role_of(c.participant_id);
  std::uint64_t next = after_seq + 1;
  for (std::size_t i = next - first; i < recent_.size() && next <= up_to_seq; ++i, ++next) {
    if (recent_[i].seq != next) return false;
    out.push_back(recent_[i].for_viewer(c.participant_id, role));
  }
  return next > up_to_seq;
}

void Workshop::remember_event(EncodedEvent event) {
  if (!recent_.empty() && recent_.back().seq + 1 != event.seq) {
    recent_.clear();
    recent_bytes_ = 0;
  }
  recent_bytes_ += event.bytes();
  recent_.push_back(std::move(event));
  while (!recent_.empty() && (recent_.size() > options_.recent_events || recent_bytes_ > options_.recent_bytes)) {
    recent_bytes_ -= recent_.front().bytes();
    recent_.pop_front();
  }
}

std::string Workshop::remember_op(const std::string& participant_id, const std::string& client_op_id,
                                  std::uint64_t seq) {
  RememberedOps& r = ops_[participant_id];
  if (!r.seq_of.emplace(client_op_id, seq).second) return {};
  r.order.push_back(client_op_id);
  std::string evicted;
  while (r.order.size() > options_.remembered_ops) {
    r.seq_of.erase(r.order.front());
    evicted = std::move(r.order.front());
    r.order.pop_front();
  }
  return evicted;
}

void Workshop::forget_ops_after(std::uint64_t seq) {
  for (auto& [pid, r] : ops_) {
    // Each participant's ops were remembered in seq order: the newest are last.
    while (!r.order.empty() && r.seq_of[r.order.back()] > seq) {
      r.seq_of.erase(r.order.back());
      r.order.pop_back();
    }
  }
}

std::uint64_t Workshop::known_op(const std::string& participant_id, const std::string& client_op_id) const {
  const auto it = ops_.find(participant_id);
  if (it == ops_.end()) return 0;
  const auto op = it->second.seq_of.find(client_op_id);
  return op == it->second.seq_of.end() ? 0 : op->second;
}

void Workshop::send_to(std::uint64_t connection_id, const Frame& frame) {
  const auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  if (!it->second.welcomed) {
    it->second.deferred.push_back(frame);
    return;
  }
  if (auto client = it->second.client.lock()) client->send(frame);
}

void Workshop::flush_out() {
  // What one send group's task hands to its members: client i gets
  // frames[ends[i - 1], ends[i]).
  struct Parcel {
    std::shared_ptr<SendGroup> group;
    std::vector<std::shared_ptr<Client>> clients;
    std::vector<std::size_t> ends;
    std::vector<Frame> frames;
  };
  std::vector<Parcel> parcels;  // a handful of groups: found by linear search
  for (auto& [cid, c] : connections_) {
    if (c.out.empty()) continue;
    auto client = c.client.lock();
    if (client && !c.group) client->send(c.out);
    if (!client || !c.group) {
      c.out.clear();
      continue;
    }
    // The group by name, not `c`: clang 14 cannot capture a structured binding.
    auto parcel = std::find_if(parcels.begin(), parcels.end(),
                               [&group = c.group](const Parcel& p) { return p.group == group; });
    if (parcel == parcels.end()) {
      parcel = parcels.insert(parcels.end(), Parcel{c.group, {}, {}, {}});
      parcel->clients.reserve(connections_.size());
      parcel->ends.reserve(connections_.size());
    }
    parcel->clients.push_back(std::move(client));
    parcel->frames.insert(parcel->frames.end(), std::make_move_iterator(c.out.begin()),
                          std::make_move_iterator(c.out.end()));
    parcel->ends.push_back(parcel->frames.size());
    c.out.clear();
  }
  for (Parcel& p : parcels) {
    const std::shared_ptr<SendGroup> group = std::move(p.group);
    group->post([p = std::move(p)] {
      std::size_t begin = 0;
      for (std::size_t i = 0; i < p.clients.size(); ++i) {
        p.clients[i]->send(std::span<const Frame>(p.frames.data() + begin, p.ends[i] - begin));
        begin = p.ends[i];
      }
    });
  }
}

void Workshop::store_snapshots(std::vector<std::shared_ptr<const v1::Snapshot>> snapshots) {
  // Queued to the journal's writer; nothing here waits for the write.
  // Counted, so that a person's erasure rewrites the journal only after
  // every older snapshot (which may carry their name) is stored.
  for (const auto& s : snapshots) {
    ++snapshots_storing_;
    journal_.store_snapshot(*s, [self = shared_from_this(), seq = s->seq()](const journal::Status& st) {
      if (!st.ok())
        spdlog::warn("workshop {}: storing the snapshot at seq {} failed: {} (recovery replays more events)",
                     self->id(), seq, st.message());
      asio::post(self->strand_, [self] {
        --self->snapshots_storing_;
        if (!self->durable_waits_.empty()) self->release_durable_waits();
      });
    });
  }
}

void Workshop::meta_follows_board() {
  // A board never rotated holds no code: the one stored at creation is its.
  meta_.set_join_code(board_.join_code().empty() ? durable_join_code_ : board_.join_code());
  meta_.set_closed(board_.closed());
  std::lock_guard lock(info_mutex_);
  meta_copy_ = meta_;
}

void Workshop::store_meta(std::function<void(const journal::Status&)> stored) {
  // Events applied before this change are written before it (meta_ may
  // already carry what they changed).
  if (!append_buffer_.empty()) flush_appends();
  {
    std::lock_guard lock(info_mutex_);
    meta_copy_ = meta_;
  }
  journal_.store_workshop(meta_, [self = shared_from_this(), stored = std::move(stored)](const journal::Status& s) {
    if (!s.ok()) self->health_->failed(s);
    asio::post(self->strand_, [stored, s] { stored(s); });
  });
}

// ---------------------------------------------------------------- erasing a person

void Workshop::do_erase_participant(const std::string& participant_id, ParticipantErased journaled) {
  using Code = journal::Status::Code;
  if (shutting_down_ || erasing_) return journaled({Code::closed, "the workshop is shutting down or being deleted"}, {});
  if (read_only_) return journaled({Code::read_only, "the workshop cannot store changes right now; try again later"}, {});
  const v1::Participant* p = board_.participant(participant_id);
  if (!p) return journaled({Code::not_found, "this workshop has no participant " + participant_id}, {});
  const auto wait = [&](std::string pseudonym) {
    durable_waits_.push_back({board_.seq(), [journaled = std::move(journaled), pseudonym](const journal::Status& st) {
                                journaled(st, st.ok() ? pseudonym : std::string());
                              }});
  };
  if (p->erased()) {
    wait(p->display_name());
    return release_durable_waits();
  }
  const std::string pseudonym =
      journal::erased_participant_name(board_.settings().language(), p->pseudonym_number());
  v1::Op op;
  op.mutable_erase_participant()->set_participant_id(participant_id);
  op.mutable_erase_participant()->set_display_name(pseudonym);
  if (!apply_system(op, {})) return journaled({Code::invalid_argument, "the board refused the erasure"}, {});
  spdlog::info("workshop {}: erasing participant {} on request (at seq {})", id(), participant_id, board_.seq());
  wait(pseudonym);
}

void Workshop::close_by_organiser(std::function<void(const journal::Status&)> done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)]() mutable {
    using Code = journal::Status::Code;
    if (self->shutting_down_ || self->erasing_) return done({Code::closed, "the workshop is shutting down or being deleted"});
    if (self->read_only_) return done({Code::read_only, "the workshop cannot store changes right now; try again later"});
    if (!self->board_.closed()) {
      v1::Op op;
      op.mutable_close_workshop();
      if (!self->apply_system(op, {})) return done({Code::invalid_argument, "the board refused to close"});
      spdlog::info("workshop {}: closed by its organiser (at seq {})", self->id(), self->board_.seq());
    }
    self->durable_waits_.push_back({self->board_.seq(), std::move(done)});
    self->release_durable_waits();
  });
}

void Workshop::release_durable_waits() {
  if (snapshots_storing_ > 0) return;
  std::vector<DurableWait> ready;
  for (auto it = durable_waits_.begin(); it != durable_waits_.end();) {
    if (it->seq <= durable_seq_) {
      ready.push_back(std::move(*it));
      it = durable_waits_.erase(it);
    } else {
      ++it;
    }
  }
  for (DurableWait& w : ready) w.done({});
}

// ---------------------------------------------------------------- journal failure

void Workshop::on_journal_failure(const journal::Status& status) {
  spdlog::error("workshop {}: the journal could not store events after seq {}: {}. The workshop is read-only "
                "until the journal takes writes again",
                id(), durable_seq_, status.message());
  read_only_ = true;
  rebuild_pending_ = true;
  writes_resumed_ = false;
  ++epoch_;
  health_->failed(status);
  wait_for_writes();
  // Nothing that was not stored is acknowledged; the authors learn it now.
  for (const Inflight& e : inflight_) {
    if (e.client_op_id.empty()) continue;
    count_reject(v1::REJECT_CODE_READ_ONLY);
    const Frame reject = reject_frame(e.client_op_id, v1::REJECT_CODE_READ_ONLY,
                                      "the server could not save this edit; the board is read-only for now");
    if (e.author_connection != 0) send_to(e.author_connection, reject);
    for (const std::uint64_t cid : e.resent_by) send_to(cid, reject);
  }
  inflight_.clear();
  append_buffer_.clear();
  forget_ops_after(durable_seq_);
  // Events that were not stored did not happen (the rebuild undoes them).
  for (auto it = durable_waits_.begin(); it != durable_waits_.end();) {
    if (it->seq > durable_seq_) {
      auto done = std::move(it->done);
      it = durable_waits_.erase(it);
      done(status);
    } else {
      ++it;
    }
  }
  const Frame notice = error_frame(v1::ERROR_CODE_READ_ONLY,
                                   "the server cannot save edits right now; the board is read-only until storage "
                                   "recovers, and your unsaved edits were not kept",
                                   false);
  for (auto& [cid, c] : connections_) send_to(cid, notice);
  maybe_rebuild();
  update_info();
  maybe_finish_shutdown();
}

void Workshop::on_moved(const journal::Status& status) {
  if (moved_) return;
  spdlog::warn("workshop {}: another node serves it now ({}); its {} connection(s) are sent there", id(),
               status.message(), connections_.size());
  moved_ = true;
  ++epoch_;  // whatever completes from now on is never acknowledged here
  // Not stored by this node, so neither acknowledged nor rejected: the
  // authors resend these ops to the node that holds the workshop.
  inflight_.clear();
  append_buffer_.clear();
  for (DurableWait& w : durable_waits_) w.done(status);
  durable_waits_.clear();
  if (options_.on_moved) options_.on_moved(id());
  // The shutdown path closes the connections (with MOVED) and, once they
  // are gone and nothing is in flight, stops the timers.
  shutting_down_ = true;
  retry_timer_.cancel();
  if (!shutdown_done_) shutdown_done_ = [] {};
  maybe_finish_shutdown();
}

void Workshop::maybe_rebuild() {
  if (!rebuild_pending_ || appends_in_flight_ > 0) return;
  journal::Status status;
  auto rebuilt = history::rebuild(journal_, id(), std::numeric_limits<std::uint64_t>::max(), &status);
  if (!rebuilt) {
    spdlog::critical("workshop {}: rebuilding the board from the journal failed: {}; retrying", id(), status.message());
    arm_retry();
    return;
  }
  rebuild_pending_ = false;
  if (rebuilt->seq() < durable_seq_) {
    // The journal lost events it had confirmed: clients hold state the
    // server no longer has. They must start over from the journal's state.
    spdlog::critical("workshop {}: the journal ends at seq {} but seq {} was confirmed durable", id(), rebuilt->seq(),
                     durable_seq_);
    recent_.clear();
    recent_bytes_ = 0;
    forget_ops_after(rebuilt->seq());
    const Frame bye = error_frame(v1::ERROR_CODE_INTERNAL, "the server lost recent edits; reload the board", true);
    std::vector<std::uint64_t> all;
    for (const auto& [cid, c] : connections_) all.push_back(cid);
    for (const std::uint64_t cid : all) close_connection(cid, CloseCode::internal, bye);
    durable_seq_ = rebuilt->seq();
  } else if (rebuilt->seq() > durable_seq_) {
    // Stored although the append reported failure: it is history now, so
    // everyone gets it (authors too, as plain events: it was never acked).
    // Replayed from the durable state to compute each event's views.
    journal::Status read_status;
    auto replayed = history::rebuild(journal_, id(), durable_seq_, &read_status);
    std::vector<v1::EventRecord> records;
    if (replayed)
      read_status = journal_.read_events(id(), durable_seq_ + 1, rebuilt->seq(), rebuilt->seq() - durable_seq_, &records);
    if (!replayed || !read_status.ok()) {
      spdlog::critical("workshop {}: reading events after seq {} failed: {}; retrying", id(), durable_seq_,
                       read_status.message());
      rebuild_pending_ = true;
      arm_retry();
      return;
    }
    for (const v1::EventRecord& r : records) {
      const v1::Event e = history::to_event(r);
      if (replayed->replay(e)) break;  // cannot happen: rebuild() replayed the same records
      EncodedEvent encoded = encode_views(replayed->views_of(e));
      if (!r.client_op_id().empty()) remember_op(r.author_id(), r.client_op_id(), r.seq());
      for (auto& [cid, c] : connections_) {
        if (!c.welcomed || c.delivered_seq >= r.seq()) continue;
        c.out.push_back(encoded.for_viewer(c.participant_id, role_of(c.participant_id)));
        c.delivered_seq = r.seq();
      }
      remember_event(std::move(encoded));
    }
    durable_seq_ = rebuilt->seq();
  }
  board_ = std::move(*rebuilt);
  meta_follows_board();  // a rotation or closing that failed to store is undone in the metadata too
  meta_with_next_append_ = false;
  for (auto& [pid, m] : members_) sync_member(pid);
  spdlog::info("workshop {}: board rebuilt from the journal at seq {}", id(), durable_seq_);
  // Welcomes prepared from the lost state are prepared again from the stored one.
  for (PendingWelcome& w : pending_welcomes_) prepare_welcome(w);
  deliver_welcomes(durable_seq_);
  flush_out();
  update_info();
  try_resume();  // the journal may have taken writes again meanwhile
}

void Workshop::arm_retry() {
  if (retry_armed_ || shutting_down_) return;
  retry_armed_ = true;
  retry_timer_.expires_after(options_.retry_interval);
  retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->retry_armed_ = false;
    if (!ec) self->on_retry();
  });
}

void Workshop::on_retry() {
  if (!read_only_ || shutting_down_) return;
  if (rebuild_pending_) {
    maybe_rebuild();
    if (rebuild_pending_) return arm_retry();
  }
  try_resume();
}

void Workshop::wait_for_writes() {
  if (waiting_for_writes_) return;
  waiting_for_writes_ = true;
  health_->when_writable([weak = weak_from_this()] {
    if (auto self = weak.lock())
      asio::post(self->strand_, [self] {
        self->waiting_for_writes_ = false;
        self->writes_resumed_ = true;
        self->try_resume();
      });
  });
}

void Workshop::try_resume() {
  if (!read_only_ || shutting_down_ || rebuild_pending_ || !writes_resumed_) return;
  read_only_ = false;
  writes_resumed_ = false;
  spdlog::info("workshop {}: the journal takes writes again; accepting edits", id());
  reconcile_presence();
  schedule_clock();
  update_info();
}

void Workshop::reconcile_presence() {
  if (read_only_) return;
  const v1::BoardState state = board_.state();
  for (const v1::Participant& p : state.participants()) {
    if (!p.online()) continue;
    const auto it = members_.find(p.id());
    if (it != members_.end() && it->second.connections > 0) continue;
    v1::Op op;
    op.mutable_participant_left()->set_participant_id(p.id());
    apply_system(op, {});
  }
  for (auto& [pid, m] : members_) {
    if (m.connections == 0 || !needs_join_event(m)) continue;
    if (const v1::Participant* p = board_.participant(pid); p && p->removed()) continue;
    v1::Op op;
    auto* p = op.mutable_participant_joined()->mutable_participant();
    p->set_id(m.id);
    p->set_display_name(m.display_name);
    p->set_role(m.role);
    apply_system(op, m.secret_sha256);
  }
}

// ---------------------------------------------------------------- presence

void Workshop::do_presence(std::uint64_t connection_id, const v1::Presence& presence) {
  const auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  Member& m = members_.find(it->second.participant_id)->second;
  // Each Presence is the whole state (latest wins). Values that could not
  // be drawn are dropped rather than passed on to everyone.
  v1::PresenceState& s = m.presence;
  if (presence.has_cursor() && finite_point(presence.cursor())) *s.mutable_cursor() = presence.cursor();
  else s.clear_cursor();
  if (presence.has_viewport() && finite_rect(presence.viewport())) *s.mutable_viewport() = presence.viewport();
  else s.clear_viewport();
  if (presence.typing_note_id().empty() || board::valid_id(presence.typing_note_id())) s.set_typing_note_id(presence.typing_note_id());
  else s.clear_typing_note_id();
  if (presence.has_drag() && valid_drag(presence.drag())) *s.mutable_drag() = presence.drag();
  else s.clear_drag();
  if (m.welcomed > 0) mark_presence_dirty(m);
}

void Workshop::mark_presence_dirty(Member& m) {
  m.presence_dirty = true;
  arm_presence();
}

void Workshop::arm_presence() {
  if (presence_armed_) return;
  presence_armed_ = true;
  presence_timer_.expires_after(options_.presence_interval);
  presence_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->presence_armed_ = false;
    if (!ec) self->flush_presence();
  });
}

void Workshop::flush_presence() {
  v1::ServerMessage full;       // for facilitators
  v1::ServerMessage restricted; // for everyone else
  for (auto& [pid, m] : members_) {
    if (!m.presence_dirty) continue;
    m.presence_dirty = false;
    if (m.welcomed == 0) continue;
    *full.mutable_presence()->add_states() = presence_of(m, true);
    *restricted.mutable_presence()->add_states() = presence_of(m, false);
  }
  for (const std::string& pid : presence_gone_) {
    const auto it = members_.find(pid);
    if (it != members_.end() && it->second.welcomed > 0) continue;
    full.mutable_presence()->add_gone(pid);
    restricted.mutable_presence()->add_gone(pid);
  }
  presence_gone_.clear();
  if (full.presence().states_size() == 0 && full.presence().gone_size() == 0) return;
  const bool per_viewer = std::any_of(full.presence().states().begin(), full.presence().states().end(),
                                      [&](const v1::PresenceState& st) { return names_unseen_notes(st); });
  if (per_viewer) {
    // Someone types into or drags a note not everyone may see: each viewer
    // gets the presence without the ids of notes it may not see (rare:
    // private collection), encoded once per participant.
    std::map<std::string, Frame, std::less<>> by_viewer;
    for (auto& [cid, c] : connections_) {
      if (!c.welcomed) continue;
      auto it = by_viewer.find(c.participant_id);
      if (it == by_viewer.end()) {
        v1::ServerMessage mine = role_of(c.participant_id) == v1::ROLE_FACILITATOR ? full : restricted;
        for (auto& st : *mine.mutable_presence()->mutable_states()) strip_unseen_notes(st, c.participant_id);
        it = by_viewer.emplace(c.participant_id, encode(mine)).first;
      }
      c.out.push_back(it->second);
    }
    return flush_out();
  }
  const Frame for_facilitators = encode(full);
  const Frame for_others = presence_differs_by_role() ? encode(restricted) : for_facilitators;
  for (auto& [cid, c] : connections_)
    if (c.welcomed) c.out.push_back(role_of(c.participant_id) == v1::ROLE_FACILITATOR ? for_facilitators : for_others);
  flush_out();
}

bool Workshop::names_unseen_notes(const v1::PresenceState& s) const {
  const auto unseen = [&](const std::string& note_id) {
    const v1::Note* n = board_.note(note_id);
    return !n || n->hidden();
  };
  if (!s.typing_note_id().empty() && unseen(s.typing_note_id())) return true;
  return s.has_drag() && std::any_of(s.drag().note_ids().begin(), s.drag().note_ids().end(), unseen);
}

void Workshop::strip_unseen_notes(v1::PresenceState& s, std::string_view viewer_id) const {
  if (!s.typing_note_id().empty() && !board_.note_visible_to(s.typing_note_id(), viewer_id)) s.clear_typing_note_id();
  if (!s.has_drag()) return;
  auto* ids = s.mutable_drag()->mutable_note_ids();
  ids->erase(std::remove_if(ids->begin(), ids->end(), [&](const std::string& id) { return !board_.note_visible_to(id, viewer_id); }),
             ids->end());
  if (ids->empty()) s.clear_drag();
}

bool Workshop::presence_differs_by_role() const { return board_.private_phase() || board_.settings().pseudonymous(); }

v1::PresenceState Workshop::presence_of(const Member& m, bool for_facilitators) const {
  v1::PresenceState s;
  s.set_participant_id(m.id);
  s.set_role(m.role);
  if (for_facilitators || !board_.settings().pseudonymous()) {
    s.set_display_name(m.display_name);
  } else {
    // Pseudonyms as the board gives them to a participant ("Person N").
    const v1::Participant* p = board_.participant(m.id);
    s.set_display_name(p ? board_.visible_name(m.id, {}) : std::string());
  }
  // While a voting round is open, a participant's cursor (hovering, clicking
  // a note) would name the voter: it reaches nobody, facilitators included.
  if (board_.open_round() && m.role == v1::ROLE_PARTICIPANT) return s;
  // While collecting privately, participants do not see each other's
  // cursors or what they type into; facilitators' own presence stays visible.
  if (for_facilitators || !board_.private_phase() || m.role == v1::ROLE_FACILITATOR) {
    if (m.presence.has_cursor()) *s.mutable_cursor() = m.presence.cursor();
    if (m.presence.has_viewport()) *s.mutable_viewport() = m.presence.viewport();
    s.set_typing_note_id(m.presence.typing_note_id());
  }
  // A drag names the notes it moves: while collecting privately only
  // facilitators see drags (a facilitator may move a note others may not see).
  if ((for_facilitators || !board_.private_phase()) && m.presence.has_drag()) *s.mutable_drag() = m.presence.drag();
  return s;
}

// ---------------------------------------------------------------- the clock

void Workshop::schedule_clock() {
  const v1::Timer& timer = board_.timer();
  if (timer.state() != v1::Timer::STATE_RUNNING || board_.closed()) {
    if (clock_deadline_ms_ != 0) clock_timer_.cancel();
    clock_deadline_ms_ = 0;
    return;
  }
  if (clock_deadline_ms_ == timer.deadline_ms()) return;
  clock_deadline_ms_ = timer.deadline_ms();
  clock_timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, clock_deadline_ms_ - now_ms())));
  clock_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->do_clock();
  });
}

void Workshop::do_clock() {
  clock_deadline_ms_ = 0;
  const v1::Timer& timer = board_.timer();
  if (timer.state() != v1::Timer::STATE_RUNNING || shutting_down_) return;
  if (read_only_) return;  // schedule_clock() runs again once writes resume
  if (now_ms() < timer.deadline_ms()) return schedule_clock();
  v1::Op op;
  op.mutable_timer()->set_action(v1::TimerControl::ACTION_EXPIRE);
  apply_system(op, {});
}

// ---------------------------------------------------------------- leaving and shutdown

void Workshop::do_detach(std::uint64_t connection_id) {
  const auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  const bool welcomed = it->second.welcomed;
  const std::string pid = it->second.participant_id;
  if (it->second.metric_role) metrics::global().joined(*it->second.metric_role, -1);
  connections_.erase(it);
  std::erase_if(pending_welcomes_, [&](const PendingWelcome& w) { return w.connection_id == connection_id; });
  Member& m = members_.find(pid)->second;
  --m.connections;
  if (welcomed && --m.welcomed == 0) {
    --online_;
    m.presence.clear_cursor();
    m.presence.clear_viewport();
    m.presence.clear_typing_note_id();
    m.presence.clear_drag();
    m.presence_dirty = false;
    presence_gone_.push_back(pid);
    arm_presence();
  }
  if (m.connections == 0 && !read_only_) {
    const v1::Participant* p = board_.participant(pid);
    if (p && p->online()) {
      v1::Op op;
      op.mutable_participant_left()->set_participant_id(pid);
      apply_system(op, {});
    }
  }
  update_info();
  maybe_finish_shutdown();
}

void Workshop::close_connection(std::uint64_t connection_id, CloseCode code, const Frame& last) {
  const auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  if (auto client = it->second.client.lock()) {
    // What was gathered for it in this pass goes first.
    if (!it->second.out.empty()) client->send(it->second.out);
    it->second.out.clear();
    client->close(code, last);
  }
}

void Workshop::maybe_finish_shutdown() {
  if (!shutting_down_) return;
  if (!connections_closed_ && inflight_.empty() && append_buffer_.empty()) {
    // Every op taken before the shutdown is acked (or rejected); now say goodbye.
    connections_closed_ = true;
    const Frame bye = erasing_ ? error_frame(v1::ERROR_CODE_WORKSHOP_DELETED,
                                             "this workshop was deleted; its board and history are erased", true)
                      : moved_ ? error_frame(v1::ERROR_CODE_MOVED,
                                             "another server serves this workshop now; reconnect to continue there", true)
                               : error_frame(v1::ERROR_CODE_SHUTTING_DOWN,
                                             "the server is shutting down; reconnect in a moment to continue", true);
    for (auto& [cid, c] : connections_)
      if (auto client = c.client.lock()) client->close(erasing_ ? CloseCode::policy : CloseCode::going_away, bye);
  }
  if (connections_closed_ && connections_.empty() && inflight_.empty() && append_buffer_.empty() &&
      appends_in_flight_ == 0 && !flush_posted_ && shutdown_done_) {
    retry_timer_.cancel();
    presence_timer_.cancel();
    clock_timer_.cancel();
    shutdown_watch_timer_.cancel();
    // A health of its own stops with it: the journal may go right after.
    if (!options_.journal_health) health_->stop();
    auto done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    spdlog::info("workshop {}: closed at seq {}", id(), durable_seq_);
    done();
  }
}

bool Workshop::matches_link(std::string_view token, const std::string& digest,
                            const std::vector<std::string>& extra_digests) const {
  if (!digest.empty() && matches_digest(token, digest)) return true;
  std::lock_guard lock(info_mutex_);
  bool match = false;  // every digest is compared: the time does not tell which matched
  for (const auto& d : extra_digests) match |= matches_digest(token, d);
  return match;
}

bool Workshop::has_facilitator_token(std::string_view token) const {
  return matches_link(token, facilitator_digest_, extra_facilitator_digests_);
}

bool Workshop::is_observer_token(std::string_view token) const {
  return matches_link(token, observer_digest_, extra_observer_digests_);
}

void Workshop::add_links(LinksMade done) {
  asio::post(strand_, [self = shared_from_this(), done = std::move(done)] {
    if (self->shutting_down_ || self->erasing_)
      return done({journal::Status::Code::closed, "the workshop is shutting down or being deleted"}, {}, {});
    const std::string facilitator = random_token();
    const std::string observer = random_token();
    const auto push = [](auto* digests, std::string digest) {
      digests->Add(std::move(digest));
      if (static_cast<std::size_t>(digests->size()) > kMaxExtraLinks) digests->erase(digests->begin());
    };
    push(self->meta_.mutable_extra_facilitator_token_sha256(), sha256(facilitator));
    push(self->meta_.mutable_extra_observer_token_sha256(), sha256(observer));
    // Stored before anyone is told the tokens, so a link handed out always
    // works after a restart; the links take effect with the same record.
    // (If it is not stored, the digests stay in meta_ unused: nobody knows
    // their tokens.)
    self->store_meta([self, stored = self->meta_, facilitator, observer, done](const journal::Status& st) {
      if (!st.ok()) return done(st, {}, {});
      {
        std::lock_guard lock(self->info_mutex_);
        self->extra_facilitator_digests_.assign(stored.extra_facilitator_token_sha256().begin(),
                                                stored.extra_facilitator_token_sha256().end());
        self->extra_observer_digests_.assign(stored.extra_observer_token_sha256().begin(),
                                             stored.extra_observer_token_sha256().end());
      }
      spdlog::info("workshop {}: the organiser made new links", self->id());
      done({}, facilitator, observer);
    });
  });
}

std::optional<std::string> Workshop::join_screen_code(std::string_view token) const {
  const bool facilitator = has_facilitator_token(token);
  const bool observer = is_observer_token(token);
  std::lock_guard lock(info_mutex_);
  if (join_code_.empty() || !(facilitator || (observer && join_on_projector_))) return std::nullopt;
  return join_code_;
}

v1::WorkshopMeta Workshop::metadata() const {
  std::lock_guard lock(info_mutex_);
  v1::WorkshopMeta m = meta_copy_;
  m.set_title(info_.title);
  m.set_language(info_.language);
  m.set_closed(info_.closed);
  m.set_last_activity_ms(std::max(m.last_activity_ms(), info_.last_activity_ms));
  return m;
}

bool Workshop::has_join_code(std::string_view code) const {
  std::lock_guard lock(info_mutex_);
  return !join_code_sha256_.empty() && matches_digest(normalise_join_code(code), join_code_sha256_);
}

void Workshop::update_info() {
  std::lock_guard lock(info_mutex_);
  // A closed workshop's code admits nobody (and may be another's later).
  join_code_ = board_.closed() ? std::string() : board_.join_code().empty() ? meta_.join_code() : board_.join_code();
  join_code_sha256_ = join_code_.empty() ? std::string() : sha256(join_code_);
  join_on_projector_ = board_.settings().projector() == v1::PROJECTOR_VIEW_JOIN;
  info_.title = board_.settings().title();
  info_.language = board_.settings().language();
  info_.head_seq = durable_seq_;
  info_.participants_online = online_;
  info_.connections = connections_.size();
  info_.read_only = read_only_;
  info_.closed = board_.closed();
  info_.retention_days = meta_.has_retention_days() ? meta_.retention_days() : options_.retention_days;
  info_.last_activity_ms = last_activity_ms_;
}

std::int64_t Workshop::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace werkstatt::workshop
