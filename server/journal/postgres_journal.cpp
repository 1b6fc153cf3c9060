#include "werkstatt/journal/postgres_journal.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>
#include <set>

#include "pg_connection.hpp"
#include "postgres_schema.hpp"
#include "random_id.hpp"
#include "werkstatt/journal/scrub.hpp"

namespace werkstatt::journal {
namespace {

using pg::Result;
using pg::Statement;

// Seqs and limits beyond bigint's range mean "no bound".
std::uint64_t clamp_bigint(std::uint64_t v) {
  return std::min<std::uint64_t>(v, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
}

std::string event_where(std::string_view workshop_id, std::uint64_t seq) {
  return "werkstatt_events (" + std::string(workshop_id) + ", " + std::to_string(seq) + ")";
}

}  // namespace

std::size_t PostgresJournal::Pending::bytes() const {
  std::size_t n = 0;
  for (const auto& r : records) n += r.ByteSizeLong();
  if (meta) n += meta->ByteSizeLong();
  if (snapshot) n += snapshot->ByteSizeLong();
  return n;
}

const std::string* PostgresJournal::Pending::fenced_workshop() const {
  if (!records.empty()) return &records.front().workshop_id();
  if (snapshot) return &snapshot->workshop_id();
  return nullptr;  // metadata (creation, summaries) and releases need no lease
}

std::unique_ptr<PostgresJournal> PostgresJournal::open(const PostgresJournalOptions& options, Status* status) {
  std::unique_ptr<PostgresJournal> j(new PostgresJournal());
  j->options_ = options;
  j->node_id_ = options.node_name + "/" + random_hex_id().substr(0, 12);
  // A node frozen in the middle of a group commit holds its lease rows
  // locked: PostgreSQL ends that transaction after a lease, so the node's
  // workshops can be taken over (the frozen node then finds its connection
  // gone). Taking a lease waits at most that long for such a lock.
  const std::string lease_ms = std::to_string(options.lease.count());
  j->writer_conn_ =
      pg::Connection::connect(options.url, status, {"SET idle_in_transaction_session_timeout = " + lease_ms});
  if (!j->writer_conn_) return nullptr;
  j->reader_conn_ = pg::Connection::connect(options.url, status, {"SET lock_timeout = " + lease_ms});
  if (!j->reader_conn_) return nullptr;
  j->renewal_conn_ =
      pg::Connection::connect(options.url, status, {"SET lock_timeout = " + lease_ms, "LISTEN werkstatt_handover"});
  if (!j->renewal_conn_) return nullptr;
  if (*status = migrate_schema(*j->writer_conn_, kSchemaVersion, &j->incarnation_); !status->ok()) return nullptr;
  j->writer_ = std::thread([raw = j.get()] { raw->run_writer(); });
  j->renewal_ = std::thread([raw = j.get()] { raw->run_renewal(); });
  return j;
}

PostgresJournal::~PostgresJournal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  renewal_wake_.notify_all();
  if (renewal_.joinable()) renewal_.join();
  if (writer_.joinable()) writer_.join();
  // Hand every workshop back at once: the next node need not wait out the leases.
  if (writer_conn_ && !held_.empty()) {
    const Status s = writer_conn_->exec("releasing the leases",
                                        {"DELETE FROM werkstatt_owners WHERE node_id = $1", {pg::text(node_id_)}});
    if (!s.ok()) spdlog::warn("postgres journal: {} (they expire in {} ms)", s.message(), options_.lease.count());
  }
}

std::string PostgresJournal::lease_interval() const { return std::to_string(options_.lease.count()) + " milliseconds"; }

// --- writes ---

void PostgresJournal::append(std::vector<v1::EventRecord> records, AppendDone done) {
  queue_append(std::move(records), std::nullopt, std::move(done));
}

void PostgresJournal::append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, AppendDone done) {
  queue_append(std::move(records), std::move(meta), std::move(done));
}

void PostgresJournal::queue_append(std::vector<v1::EventRecord> records, std::optional<v1::WorkshopMeta> meta,
                                   AppendDone done) {
  Status rejected;
  {
    std::lock_guard lock(mutex_);
    if (records.empty()) {
      rejected = {Status::Code::invalid_argument, "append of no records"};
    } else if (!failure_.ok()) {
      rejected = failure_;  // fails fast, as the writer would
    } else {
      const std::string& workshop = records.front().workshop_id();
      std::uint64_t head = 0;
      rejected = queued_head_locked(workshop, &head);
      std::uint64_t expected = head + 1;
      for (const auto& r : records) {
        if (!rejected.ok()) break;
        if (r.workshop_id() != workshop || r.seq() != expected) {
          rejected = {Status::Code::invalid_argument,
                      "append to " + workshop + " does not continue its seq at " + std::to_string(expected)};
          break;
        }
        ++expected;
      }
      if (rejected.ok()) last_queued_seq_[workshop] = expected - 1;
    }
    Pending p;
    p.records = std::move(records);
    p.done = std::move(done);
    p.rejected = std::move(rejected);
    p.meta = std::move(meta);
    queue_.push_back(std::move(p));
  }
  wake_.notify_one();
}

Status PostgresJournal::queued_head_locked(std::string_view workshop_id, std::uint64_t* out) const {
  // Only a held workshop is written, and acquire_workshop() read its head.
  if (!held_.contains(workshop_id))
    return {Status::Code::moved, "this node does not hold workshop " + std::string(workshop_id)};
  if (const auto it = last_queued_seq_.find(workshop_id); it != last_queued_seq_.end()) {
    *out = it->second;
    return {};
  }
  return {Status::Code::moved, "workshop " + std::string(workshop_id) + " must be acquired again"};
}

void PostgresJournal::enqueue(Pending pending) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
}

void PostgresJournal::store_workshop(v1::WorkshopMeta meta, AppendDone done) {
  Pending p;
  p.meta = std::move(meta);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void PostgresJournal::store_snapshot(v1::Snapshot snapshot, AppendDone done) {
  Pending p;
  p.snapshot = std::move(snapshot);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void PostgresJournal::run_writer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    std::deque<Pending> group;
    std::size_t bytes = 0;
    while (!queue_.empty() && (group.empty() || bytes < options_.max_batch_bytes)) {
      bytes += queue_.front().bytes();
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const Status failure = failure_;
    lock.unlock();
    const Status result = failure.ok() ? write_group(group) : failure;
    lock.lock();
    if (result.code() == Status::Code::moved) {
      // A primary key taken under a lease this node held: another writer
      // bypassed the leases. Nothing of the group is stored; its workshops
      // must be acquired (and their heads read) again.
      for (const auto& p : group)
        if (const std::string* w = p.fenced_workshop()) {
          held_.erase(*w);
          held_since_.erase(*w);
          last_queued_seq_.erase(*w);
          durable_head_.erase(*w);
        }
    } else if (!result.ok()) {
      if (failure_.ok()) failure_ = result;
      last_queued_seq_.clear();  // read again at the next acquire: what failed is not stored
      durable_head_.clear();
    } else {
      for (const auto& p : group) {
        if (p.release && p.rejected.ok()) {
          held_.erase(*p.release);
          held_since_.erase(*p.release);
          last_queued_seq_.erase(*p.release);
          durable_head_.erase(*p.release);
        }
        if (!p.rejected.ok() || p.records.empty()) continue;
        auto& head = durable_head_[p.records.back().workshop_id()];
        head = std::max(head, p.records.back().seq());
      }
    }
    for (const auto& p : group)
      if (p.release) releases_in_flight_.erase(*p.release);
    group_written_.notify_all();
    lock.unlock();
    for (auto& p : group)
      if (p.done) p.done(p.rejected.ok() ? result : p.rejected);
    lock.lock();
  }
}

Status PostgresJournal::write_group(std::deque<Pending>& group) {
  // 1. Lock and extend the lease of every workshop written, at the epoch held.
  std::map<std::string, std::uint64_t> epochs;
  {
    std::lock_guard lock(mutex_);
    for (auto& p : group) {
      if (!p.rejected.ok()) continue;
      if (p.release) {
        const auto held = held_.find(*p.release);
        if (held == held_.end() || releasing_.erase(*p.release) == 0) {
          p.rejected = {Status::Code::closed, "acquired again: not released"};
        } else {
          p.release_epoch = held->second;
          releases_in_flight_.insert(*p.release);  // too late to cancel: acquire_workshop() waits for it
        }
        continue;
      }
      const std::string* w = p.fenced_workshop();
      if (!w) continue;
      const auto held = held_.find(*w);
      if (held == held_.end()) p.rejected = {Status::Code::moved, "this node does not hold workshop " + *w};
      else epochs.emplace(*w, held->second);
    }
  }
  std::vector<Statement> check{{"BEGIN", {}}};
  for (const auto& [w, epoch] : epochs)
    check.push_back({"UPDATE werkstatt_owners SET expires_at = now() + $3::interval "
                     "WHERE workshop_id = $1 AND node_id = $2 AND epoch = $4",
                     {pg::text(w), pg::text(node_id_), pg::text(lease_interval()), pg::int8(epoch)}});
  std::vector<Result> checked;
  const auto roll_back = [&] { (void)writer_conn_->exec("rolling back", {"ROLLBACK", {}}); };
  if (Status s = writer_conn_->pipeline("checking the leases", check, &checked); !s.ok()) {
    if (!writer_conn_->broken()) roll_back();
    return s;
  }
  std::vector<std::string> lost;
  {
    std::size_t i = 1;
    for (const auto& [w, epoch] : epochs)
      if (checked[i++].affected() == 0) lost.push_back(w);
  }
  for (auto& p : group) {
    const std::string* w = p.fenced_workshop();
    if (w && p.rejected.ok() && std::find(lost.begin(), lost.end(), *w) != lost.end())
      p.rejected = {Status::Code::moved, "workshop " + *w + " is served by another node now"};
  }
  // 2. The rows, then COMMIT.
  std::vector<Statement> writes;
  std::uint64_t events = 0;
  bool any = false;
  for (const auto& p : group) {
    if (!p.rejected.ok()) continue;
    for (const auto& r : p.records) {
      ++events;
      writes.push_back({"INSERT INTO werkstatt_events (workshop_id, seq, record) VALUES ($1, $2, $3)",
                        {pg::text(r.workshop_id()), pg::int8(r.seq()), pg::bytes(r.SerializeAsString())}});
      if (r.client_op_id().empty()) continue;
      writes.push_back({"INSERT INTO werkstatt_client_ops (workshop_id, author_id, client_op_id, seq) "
                        "VALUES ($1, $2, $3, $4) ON CONFLICT (workshop_id, author_id, client_op_id) "
                        "DO UPDATE SET seq = EXCLUDED.seq",
                        {pg::text(r.workshop_id()), pg::text(r.author_id()), pg::text(r.client_op_id()),
                         pg::int8(r.seq())}});
      if (!r.evicts_client_op_id().empty())
        writes.push_back({"DELETE FROM werkstatt_client_ops "
                          "WHERE workshop_id = $1 AND author_id = $2 AND client_op_id = $3",
                          {pg::text(r.workshop_id()), pg::text(r.author_id()), pg::text(r.evicts_client_op_id())}});
    }
    if (p.meta)
      writes.push_back({"INSERT INTO werkstatt_workshops (workshop_id, join_code, meta) "
                        "VALUES ($1, NULLIF($2, ''), $3) ON CONFLICT (workshop_id) "
                        "DO UPDATE SET join_code = EXCLUDED.join_code, meta = EXCLUDED.meta",
                        {pg::text(p.meta->id()), pg::text(p.meta->closed() ? "" : p.meta->join_code()),
                         pg::bytes(p.meta->SerializeAsString())}});
    if (p.snapshot)
      writes.push_back({"INSERT INTO werkstatt_snapshots (workshop_id, seq, snapshot) VALUES ($1, $2, $3) "
                        "ON CONFLICT (workshop_id, seq) DO UPDATE SET snapshot = EXCLUDED.snapshot",
                        {pg::text(p.snapshot->workshop_id()), pg::int8(p.snapshot->seq()),
                         pg::bytes(p.snapshot->SerializeAsString())}});
    if (p.release)
      writes.push_back({"DELETE FROM werkstatt_owners WHERE workshop_id = $1 AND node_id = $2 AND epoch = $3",
                        {pg::text(*p.release), pg::text(node_id_), pg::int8(p.release_epoch)}});
    any = any || !p.records.empty() || p.meta;
  }
  writes.push_back({"COMMIT", {}});
  if (Status s = writer_conn_->pipeline("storing events", writes); !s.ok()) {
    if (!writer_conn_->broken()) roll_back();
    return s;
  }
  if (any) {
    group_commits_.fetch_add(1, std::memory_order_relaxed);
    events_written_.fetch_add(events, std::memory_order_relaxed);
  }
  if (!lost.empty()) lose(lost);
  return {};
}

Status PostgresJournal::write_failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

Status PostgresJournal::retry_writes() {
  {
    std::lock_guard lock(mutex_);
    if (failure_.ok()) return {};
  }
  // The writer does not touch its connection while the failure stands.
  if (Status s = writer_conn_->reset(); !s.ok()) return s;
  Result r;
  if (Status s = writer_conn_->exec("checking that the database takes writes",
                                    {"SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'",
                                     {}},
                                    &r);
      !s.ok())
    return s;
  if (r.rows() != 1 || r.bytes(0, 0) != std::string_view("\1", 1))
    return {Status::Code::read_only, "the database is read-only (a standby, or not yet promoted)"};
  // The heads as committed (a COMMIT whose answer was lost may have stored
  // more than was acknowledged); the leases are checked by the next write.
  std::map<std::string, std::uint64_t> heads;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [w, epoch] : held_) heads.emplace(w, 0);
  }
  for (auto& [w, head] : heads)
    if (Status s = stored_head(w, &head); !s.ok()) return s;
  std::lock_guard lock(mutex_);
  for (const auto& [w, head] : heads) {
    if (!held_.contains(w)) continue;
    last_queued_seq_[w] = head;
    durable_head_[w] = head;
  }
  failure_ = {};
  return {};
}

// --- ownership ---

Status PostgresJournal::acquire_workshop(std::string_view workshop_id) {
  const std::string id(workshop_id);
  {
    std::unique_lock lock(mutex_);
    // A release being written cannot be cancelled: once it is, the lease is
    // taken afresh below. One still queued is cancelled (write_group sees it
    // gone). Still held: the caller loads what is stored, so the appends an
    // earlier instance queued (a hand-over leaves them to be written) must be
    // stored first, or the new instance starts behind the seq they continue.
    const auto settled = [&] {
      if (releases_in_flight_.contains(id)) return false;
      const auto queued = last_queued_seq_.find(id);
      if (!held_.contains(id) || queued == last_queued_seq_.end()) return true;
      const auto durable = durable_head_.find(id);
      return durable != durable_head_.end() && durable->second >= queued->second;
    };
    group_written_.wait(lock, settled);
    releasing_.erase(id);
    if (held_.contains(id) && last_queued_seq_.contains(id)) return {};
  }
  Result taken;
  Status s = read("taking the lease of workshop " + id,
                  {"INSERT INTO werkstatt_owners (workshop_id, node_id, epoch, expires_at) "
                   "VALUES ($1, $2, 1, now() + $3::interval) ON CONFLICT (workshop_id) DO UPDATE "
                   "SET node_id = EXCLUDED.node_id, epoch = werkstatt_owners.epoch + 1, "
                   "expires_at = EXCLUDED.expires_at "
                   "WHERE werkstatt_owners.node_id = EXCLUDED.node_id OR werkstatt_owners.expires_at < now() "
                   "RETURNING epoch",
                   {pg::text(id), pg::text(node_id_), pg::text(lease_interval())}},
                  &taken);
  if (!s.ok()) return s;
  if (taken.rows() == 0) {
    Result holder;
    std::string by = "another node";
    if (read("reading the lease of workshop " + id,
             {"SELECT node_id FROM werkstatt_owners WHERE workshop_id = $1", {pg::text(id)}}, &holder)
            .ok() &&
        holder.rows() == 1)
      by = std::string(holder.bytes(0, 0));
    // Ask the holder to hand it over: the proxy sends its clients here now.
    (void)read("asking for workshop " + id, {"SELECT pg_notify('werkstatt_handover', $1)", {pg::text(id)}}, nullptr);
    return {Status::Code::moved, "workshop " + id + " is served by " + by};
  }
  const std::uint64_t epoch = taken.int8(0, 0);
  // The head as of now: no other node can write it while this lease holds.
  std::uint64_t head = 0;
  if (s = stored_head(id, &head); !s.ok()) return s;
  std::lock_guard lock(mutex_);
  held_[id] = epoch;
  held_since_[id] = std::chrono::steady_clock::now();
  last_queued_seq_[id] = head;
  durable_head_[id] = head;
  leases_taken_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

void PostgresJournal::release_workshop(std::string_view workshop_id) {
  {
    std::lock_guard lock(mutex_);
    if (!held_.contains(workshop_id)) return;
    releasing_.emplace(workshop_id);
  }
  Pending p;
  p.release = std::string(workshop_id);
  enqueue(std::move(p));
}

void PostgresJournal::on_hand_over(std::function<void(const std::string&)> hand_over) {
  std::lock_guard lock(mutex_);
  hand_over_ = std::move(hand_over);
}

void PostgresJournal::lose(const std::vector<std::string>& workshops) {
  std::vector<std::string> gone;
  std::function<void(const std::string&)> tell;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& w : workshops) {
      if (releasing_.contains(w) || held_.erase(w) == 0) continue;
      held_since_.erase(w);
      last_queued_seq_.erase(w);
      durable_head_.erase(w);
      gone.push_back(w);
    }
    tell = hand_over_;
  }
  leases_lost_.fetch_add(gone.size(), std::memory_order_relaxed);
  for (const std::string& w : gone) {
    spdlog::warn("workshop {}: another node serves it now (its lease was taken over)", w);
    if (tell) tell(w);
  }
}

void PostgresJournal::run_renewal() {
  const auto every = std::max<std::chrono::milliseconds>(options_.lease / 3, std::chrono::milliseconds(10));
  std::unique_lock lock(mutex_);
  for (;;) {
    renewal_wake_.wait_for(lock, every, [&] { return stopping_; });
    if (stopping_) return;
    std::map<std::string, std::uint64_t> held;
    std::set<std::string> settled;  // held for a lease at least: may be handed over on request
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [w, epoch] : held_) {
      if (releasing_.contains(w)) continue;
      held.emplace(w, epoch);
      if (const auto since = held_since_.find(w); since == held_since_.end() || now - since->second >= options_.lease)
        settled.insert(w);
    }
    const auto tell = hand_over_;
    lock.unlock();
    // Requests from the node the proxy now sends a workshop's clients to;
    // one for a workshop acquired less than a lease ago waits (no ping-pong
    // while the proxy's view of the nodes settles).
    for (std::string& w : renewal_conn_->notifications())
      if (held.contains(w)) asked_.insert(std::move(w));
    for (auto it = asked_.begin(); it != asked_.end();) {
      if (!held.contains(*it)) {
        it = asked_.erase(it);
      } else if (tell && settled.contains(*it)) {
        spdlog::info("workshop {}: another node asks for it (its clients are routed there); handing it over", *it);
        tell(*it);
        it = asked_.erase(it);
      } else {
        ++it;
      }
    }
    if (!held.empty()) {
      // One statement for every lease: ids are [a-z2-7] (board::valid_id), safe in an array literal.
      std::string ids = "{";
      for (const auto& [w, epoch] : held) ids += (ids.size() > 1 ? "," : "") + ("\"" + w + "\"");
      ids += "}";
      Result renewed;
      const Status s = renewal_conn_->exec(
          "renewing the leases",
          {"UPDATE werkstatt_owners SET expires_at = now() + $2::interval "
           "WHERE node_id = $1 AND workshop_id = ANY($3::text[]) RETURNING workshop_id, epoch",
           {pg::text(node_id_), pg::text(lease_interval()), pg::text(ids)}},
          &renewed);
      if (s.ok()) {
        std::map<std::string, std::uint64_t> still;
        for (int i = 0; i < renewed.rows(); ++i) still.emplace(renewed.bytes(i, 0), renewed.int8(i, 1));
        std::vector<std::string> lost;
        for (const auto& [w, epoch] : held)
          if (const auto it = still.find(w); it == still.end() || it->second != epoch) lost.push_back(w);
        if (!lost.empty()) lose(lost);
      } else {
        // Unknown whether the leases still hold; the writes' fence decides. Reconnect for the next round.
        spdlog::warn("postgres journal: {}", s.message());
        if (renewal_conn_->broken()) (void)renewal_conn_->reset();
      }
    }
    lock.lock();
  }
}

// --- reads ---

Status PostgresJournal::read(std::string_view what, const Statement& statement, Result* out) const {
  std::lock_guard lock(reader_mutex_);
  Status s = reader_conn_->exec(what, statement, out);
  // One reconnect: the server restarted or failed over since the last read.
  if (!s.ok() && reader_conn_->broken() && reader_conn_->reset().ok()) s = reader_conn_->exec(what, statement, out);
  return s;
}

Status PostgresJournal::workshops(std::vector<v1::WorkshopMeta>* out, std::vector<DamagedWorkshop>* damaged) const {
  Result r;
  if (Status s = read("listing the workshops",
                      {"SELECT workshop_id, meta FROM werkstatt_workshops ORDER BY workshop_id", {}}, &r);
      !s.ok())
    return s;
  for (int i = 0; i < r.rows(); ++i) {
    v1::WorkshopMeta meta;
    const std::string_view id = r.bytes(i, 0), value = r.bytes(i, 1);
    if (!meta.ParseFromArray(value.data(), static_cast<int>(value.size())) || meta.id() != id) {
      if (damaged)
        damaged->push_back({std::string(id), {Status::Code::corruption,
                                              "workshop " + std::string(id) +
                                                  ": undecodable metadata in werkstatt_workshops"}});
      continue;
    }
    out->push_back(std::move(meta));
  }
  return {};
}

Status PostgresJournal::workshop(std::string_view id, v1::WorkshopMeta* out) const {
  Result r;
  if (Status s = read("reading workshop " + std::string(id),
                      {"SELECT meta FROM werkstatt_workshops WHERE workshop_id = $1", {pg::text(id)}}, &r);
      !s.ok())
    return s;
  if (r.rows() == 0) return {Status::Code::not_found, "there is no workshop " + std::string(id)};
  const std::string_view value = r.bytes(0, 0);
  if (!out->ParseFromArray(value.data(), static_cast<int>(value.size())) || out->id() != id)
    return {Status::Code::corruption, "workshop " + std::string(id) + ": undecodable metadata in werkstatt_workshops"};
  return {};
}

Status PostgresJournal::workshop_by_join_code(std::string_view code, std::string* workshop_id) const {
  Result r;
  // New codes are drawn against this table (JoinCodeBook::refuse_also), so
  // two open workshops hold one only if two nodes drew it at the same
  // moment; then the smaller id answers, on every node alike.
  if (Status s = read("looking up a join code",
                      {"SELECT workshop_id FROM werkstatt_workshops WHERE join_code = $1 ORDER BY workshop_id LIMIT 1",
                       {pg::text(code)}},
                      &r);
      !s.ok())
    return s;
  if (r.rows() == 0) return {Status::Code::not_found, "no workshop has this join code"};
  *workshop_id = std::string(r.bytes(0, 0));
  return {};
}

Status PostgresJournal::read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq,
                                    std::size_t limit, std::vector<v1::EventRecord>* out) const {
  if (limit == 0 || from_seq > to_seq) return {};
  Result r;
  if (Status s = read("reading events of workshop " + std::string(workshop_id),
                      {"SELECT seq, record FROM werkstatt_events WHERE workshop_id = $1 AND seq >= $2 AND seq <= $3 "
                       "ORDER BY seq LIMIT $4",
                       {pg::text(workshop_id), pg::int8(clamp_bigint(from_seq)), pg::int8(clamp_bigint(to_seq)),
                        pg::int8(clamp_bigint(limit))}},
                      &r);
      !s.ok())
    return s;
  for (int i = 0; i < r.rows(); ++i) {
    const std::uint64_t seq = r.int8(i, 0);
    const std::string_view value = r.bytes(i, 1);
    v1::EventRecord e;
    if (!e.ParseFromArray(value.data(), static_cast<int>(value.size())) || e.seq() != seq ||
        e.workshop_id() != workshop_id)
      return {Status::Code::corruption, "workshop " + std::string(workshop_id) + ": undecodable event record at " +
                                            event_where(workshop_id, seq)};
    out->push_back(std::move(e));
  }
  return {};
}

Status PostgresJournal::latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                        v1::Snapshot* out) const {
  Result r;
  if (Status s = read("reading a snapshot of workshop " + std::string(workshop_id),
                      {"SELECT seq, snapshot FROM werkstatt_snapshots WHERE workshop_id = $1 AND seq <= $2 "
                       "ORDER BY seq DESC LIMIT 1",
                       {pg::text(workshop_id), pg::int8(clamp_bigint(at_or_before_seq))}},
                      &r);
      !s.ok())
    return s;
  if (r.rows() == 0) return {Status::Code::not_found, "no snapshot at or before that seq"};
  const std::string_view value = r.bytes(0, 1);
  if (!out->ParseFromArray(value.data(), static_cast<int>(value.size())) || out->seq() != r.int8(0, 0))
    return {Status::Code::corruption, "workshop " + std::string(workshop_id) + ": undecodable snapshot at seq " +
                                          std::to_string(r.int8(0, 0))};
  return {};
}

Status PostgresJournal::stored_head(std::string_view workshop_id, std::uint64_t* out) const {
  Result r;
  if (Status s = read("reading the head of workshop " + std::string(workshop_id),
                      {"SELECT seq, record FROM werkstatt_events WHERE workshop_id = $1 ORDER BY seq DESC LIMIT 1",
                       {pg::text(workshop_id)}},
                      &r);
      !s.ok())
    return s;
  if (r.rows() == 0) {
    *out = 0;
    return {};
  }
  const std::uint64_t head = r.int8(0, 0);
  const std::string_view value = r.bytes(0, 1);
  v1::EventRecord e;
  if (!e.ParseFromArray(value.data(), static_cast<int>(value.size())) || e.seq() != head ||
      e.workshop_id() != workshop_id)
    return {Status::Code::corruption, "workshop " + std::string(workshop_id) + ": undecodable event record at " +
                                          event_where(workshop_id, head)};
  *out = head;
  return {};
}

Status PostgresJournal::read_head(std::string_view workshop_id, std::uint64_t* out) const {
  {
    std::lock_guard lock(mutex_);
    if (const auto it = durable_head_.find(workshop_id); it != durable_head_.end()) {
      *out = it->second;
      return {};
    }
  }
  return stored_head(workshop_id, out);  // not held here: what another node committed
}

Status PostgresJournal::client_ops(std::string_view workshop_id, std::vector<ClientOp>* out) const {
  Result r;
  if (Status s = read("reading the idempotency index of workshop " + std::string(workshop_id),
                      {"SELECT author_id, client_op_id, seq FROM werkstatt_client_ops WHERE workshop_id = $1",
                       {pg::text(workshop_id)}},
                      &r);
      !s.ok())
    return s;
  for (int i = 0; i < r.rows(); ++i)
    out->push_back({std::string(r.bytes(i, 0)), std::string(r.bytes(i, 1)), r.int8(i, 2)});
  return {};
}

std::string PostgresJournal::incarnation() const { return incarnation_; }

// --- erasure ---

Status PostgresJournal::vacuum(const char* tables) {
  // Outside a transaction (VACUUM cannot run in one): dead row versions'
  // space is reclaimed; a failure here loses nothing, the rows are deleted.
  const Status s = read("vacuuming", {std::string("VACUUM ") + tables, {}}, nullptr);
  if (!s.ok()) spdlog::warn("postgres journal: {}", s.message());
  return {};
}

Status PostgresJournal::erase_workshop(std::string_view workshop_id) {
  {
    std::lock_guard lock(reader_mutex_);
    std::vector<Statement> erase{{"BEGIN", {}}};
    for (const char* table : {"werkstatt_events", "werkstatt_snapshots", "werkstatt_client_ops", "werkstatt_workshops",
                              "werkstatt_owners"})
      erase.push_back({std::string("DELETE FROM ") + table + " WHERE workshop_id = $1", {pg::text(workshop_id)}});
    erase.push_back({"COMMIT", {}});
    if (Status s = reader_conn_->pipeline("erasing workshop " + std::string(workshop_id), erase); !s.ok()) {
      if (!reader_conn_->broken()) (void)reader_conn_->exec("rolling back", {"ROLLBACK", {}});
      else (void)reader_conn_->reset();
      return s;
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (const auto it = held_.find(workshop_id); it != held_.end()) held_.erase(it);
    if (const auto it = held_since_.find(workshop_id); it != held_since_.end()) held_since_.erase(it);
    if (const auto it = last_queued_seq_.find(workshop_id); it != last_queued_seq_.end()) last_queued_seq_.erase(it);
    if (const auto it = durable_head_.find(workshop_id); it != durable_head_.end()) durable_head_.erase(it);
  }
  return vacuum("werkstatt_events, werkstatt_snapshots, werkstatt_client_ops, werkstatt_workshops");
}

Status PostgresJournal::erase_participant(std::string_view workshop_id, std::string_view participant_id,
                                          std::string_view display_name) {
  std::lock_guard lock(reader_mutex_);
  const auto fail = [&](Status s) {
    if (!reader_conn_->broken()) (void)reader_conn_->exec("rolling back", {"ROLLBACK", {}});
    else (void)reader_conn_->reset();
    return s;
  };
  const std::string what = "erasing a participant of workshop " + std::string(workshop_id);
  if (Status s = reader_conn_->exec(what, {"BEGIN", {}}); !s.ok()) return fail(s);
  std::vector<Statement> rewrites;
  Result events;
  if (Status s = reader_conn_->exec(
          what, {"SELECT seq, record FROM werkstatt_events WHERE workshop_id = $1 FOR UPDATE", {pg::text(workshop_id)}},
          &events);
      !s.ok())
    return fail(s);
  for (int i = 0; i < events.rows(); ++i) {
    v1::EventRecord e;
    const std::string_view value = events.bytes(i, 1);
    if (!e.ParseFromArray(value.data(), static_cast<int>(value.size())))
      return fail({Status::Code::corruption, "workshop " + std::string(workshop_id) + ": undecodable event record at " +
                                                 event_where(workshop_id, events.int8(i, 0))});
    if (scrub_participant(e, participant_id, display_name))
      rewrites.push_back({"UPDATE werkstatt_events SET record = $3 WHERE workshop_id = $1 AND seq = $2",
                          {pg::text(workshop_id), pg::int8(events.int8(i, 0)), pg::bytes(e.SerializeAsString())}});
  }
  Result snapshots;
  if (Status s = reader_conn_->exec(what,
                                    {"SELECT seq, snapshot FROM werkstatt_snapshots WHERE workshop_id = $1 FOR UPDATE",
                                     {pg::text(workshop_id)}},
                                    &snapshots);
      !s.ok())
    return fail(s);
  for (int i = 0; i < snapshots.rows(); ++i) {
    v1::Snapshot snap;
    const std::string_view value = snapshots.bytes(i, 1);
    if (!snap.ParseFromArray(value.data(), static_cast<int>(value.size())))
      return fail({Status::Code::corruption, "workshop " + std::string(workshop_id) + ": undecodable snapshot at seq " +
                                                 std::to_string(snapshots.int8(i, 0))});
    if (scrub_participant(snap, participant_id, display_name))
      rewrites.push_back({"UPDATE werkstatt_snapshots SET snapshot = $3 WHERE workshop_id = $1 AND seq = $2",
                          {pg::text(workshop_id), pg::int8(snapshots.int8(i, 0)), pg::bytes(snap.SerializeAsString())}});
  }
  rewrites.push_back({"COMMIT", {}});
  if (Status s = reader_conn_->pipeline(what, rewrites); !s.ok()) return fail(s);
  const Status v = reader_conn_->exec("vacuuming", {"VACUUM werkstatt_events, werkstatt_snapshots", {}});
  if (!v.ok()) spdlog::warn("postgres journal: {}", v.message());
  return {};
}

}  // namespace werkstatt::journal
