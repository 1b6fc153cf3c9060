#pragma once
// Deterministic workshop tests: a Workshop driven through its public
// interface with no socket, no thread and no sleep.
// - FakeClient: a Client that decodes what it is sent and records its close.
// - HeldJournal: a Journal whose appends wait until the test releases or
//   fails them (the "disk" answers when the test says so); reads see what
//   was released, as the real journals do.
// - Rig: one io_context run by the test thread itself (poll(): every ready
//   handler, nothing else), a workshop from the Impuls-Werkstatt template,
//   and helpers to join and act.
// Thread safety: everything runs on the test thread, but for
// HeldJournal::retry_writes(), which the workshop's JournalHealth calls on
// its own thread (its state for that is atomic).
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "werkstatt/board/templates.hpp"
#include "werkstatt/journal/journal.hpp"
#include "werkstatt/workshop/client.hpp"
#include "werkstatt/workshop/secrets.hpp"
#include "werkstatt/workshop/workshop.hpp"

namespace werkstatt::test {

class FakeClient final : public workshop::Client {
 public:
  std::uint64_t connection_id() const override { return id_; }
  void send(std::span<const workshop::Frame> frames) override {
    ++sends;
    if (closed) return;  // "Later send()s are ignored."
    for (const auto& f : frames) take(*f);
  }
  void credential_refused(Credential) override { ++refusals; }
  void close(workshop::CloseCode code, workshop::Frame last) override {
    if (closed) return;
    if (last) take(*last);
    closed = code;
  }

  // Everything received, in order (a Batch is unpacked).
  std::vector<v1::ServerMessage> received;
  std::optional<workshop::CloseCode> closed;
  std::size_t sends = 0;
  std::size_t refusals = 0;

  // The messages of one kind, in order.
  [[nodiscard]] std::vector<v1::ServerMessage> of(v1::ServerMessage::BodyCase kind) const {
    std::vector<v1::ServerMessage> out;
    for (const auto& m : received)
      if (m.body_case() == kind) out.push_back(m);
    return out;
  }
  [[nodiscard]] const v1::Welcome* welcome() const {
    for (const auto& m : received)
      if (m.has_welcome()) return &m.welcome();
    return nullptr;
  }
  // Seqs of Events and Acks after the Welcome, in arrival order.
  [[nodiscard]] std::vector<std::uint64_t> seqs() const {
    std::vector<std::uint64_t> out;
    for (const auto& m : received) {
      if (m.has_event()) out.push_back(m.event().seq());
      if (m.has_ack()) out.push_back(m.ack().seq());
    }
    return out;
  }
  void forget() { received.clear(); }

 private:
  void take(const std::string& bytes) {
    v1::ServerMessage m;
    if (!m.ParseFromString(bytes)) throw std::runtime_error("FakeClient: the workshop sent an undecodable frame");
    if (m.has_batch()) {
      for (const auto& inner : m.batch().messages()) received.push_back(inner);
    } else {
      received.push_back(std::move(m));
    }
  }
  const std::uint64_t id_ = workshop::next_connection_id();
};

class HeldJournal final : public journal::Journal {
 public:
  using Status = journal::Status;

  void append(std::vector<v1::EventRecord> records, journal::AppendDone done) override {
    held_.push_back({std::move(records), std::move(done), std::nullopt, std::nullopt});
  }
  [[nodiscard]] std::size_t held() const { return held_.size(); }
  [[nodiscard]] std::size_t held_records() const {
    std::size_t n = 0;
    for (const auto& h : held_) n += h.records.size();
    return n;
  }
  // Stores the oldest `n` held appends and reports them durable (in order).
  void release(std::size_t n = SIZE_MAX) {
    while (n-- > 0 && !held_.empty()) {
      Held h = std::move(held_.front());
      held_.pop_front();
      if (broken_) {
        h.done({Status::Code::no_space, "the disk is full (HeldJournal)"});
        continue;
      }
      for (auto& r : h.records) events_.push_back(r);
      if (h.meta) meta_ = std::move(*h.meta);
      if (h.snapshot) snapshots_[h.snapshot->seq()] = std::move(*h.snapshot);
      h.done({});
    }
  }
  // The disk fails: every held append and every later one fails until retry_writes() is allowed to succeed.
  void break_disk() {
    broken_ = true;
    release();
  }
  void allow_retry(bool ok) { retry_ok_ = ok; }
  [[nodiscard]] std::size_t retries() const { return retries_; }

  // Metadata and snapshots join the held writes: stored, in order, when released.
  void store_workshop(v1::WorkshopMeta meta, journal::AppendDone done) override {
    held_.push_back({{}, std::move(done), std::move(meta), std::nullopt});
  }
  void store_snapshot(v1::Snapshot s, journal::AppendDone done) override {
    held_.push_back({{}, std::move(done), std::nullopt, std::move(s)});
  }
  // As RocksJournal: one held write, stored (or failed) as a whole.
  void append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, journal::AppendDone done) override {
    held_.push_back({std::move(records), std::move(done), std::move(meta), std::nullopt});
  }
  Status write_failure() const override {
    if (broken_) return {Status::Code::no_space, "the disk is full (HeldJournal)"};
    return {};
  }
  // The metadata as stored (the last released store_workshop()).
  [[nodiscard]] const v1::WorkshopMeta& stored_meta() const { return meta_; }
  // Stores metadata at once, as the setup before a workshop exists does.
  void set_meta(const v1::WorkshopMeta& meta) { meta_ = meta; }
  Status workshops(std::vector<v1::WorkshopMeta>* out, std::vector<journal::DamagedWorkshop>*) const override {
    out->push_back(meta_);
    return {};
  }
  Status workshop(std::string_view id, v1::WorkshopMeta* out) const override {
    if (id != meta_.id()) return {Status::Code::not_found, "no such workshop"};
    *out = meta_;
    return {};
  }
  Status client_ops(std::string_view, std::vector<journal::ClientOp>*) const override { return {}; }
  std::string incarnation() const override { return "held"; }
  Status erase_workshop(std::string_view) override {  // one workshop per rig: all of it
    events_.clear();
    snapshots_.clear();
    meta_.Clear();
    return {};
  }
  Status read_events(std::string_view, std::uint64_t from_seq, std::uint64_t to_seq, std::size_t limit,
                     std::vector<v1::EventRecord>* out) const override {
    for (const auto& r : events_)
      if (r.seq() >= from_seq && r.seq() <= to_seq && limit > 0) {
        out->push_back(r);
        --limit;
      }
    return {};
  }
  Status latest_snapshot(std::string_view, std::uint64_t at_or_before_seq, v1::Snapshot* out) const override {
    auto it = snapshots_.upper_bound(at_or_before_seq);
    if (it == snapshots_.begin()) return {Status::Code::not_found, "no snapshot"};
    *out = std::prev(it)->second;
    return {};
  }
  Status read_head(std::string_view, std::uint64_t* out) const override {
    *out = events_.empty() ? 0 : events_.back().seq();
    return {};
  }
  Status retry_writes() override {
    ++retries_;
    if (!retry_ok_) return {Status::Code::no_space, "still full"};
    broken_ = false;
    return {};
  }
  [[nodiscard]] const std::vector<v1::EventRecord>& stored() const { return events_; }
  // Moves every stored event's time by `ms`: later, as if the clock had
  // stepped back since they were written.
  void shift_times(std::int64_t ms) {
    for (auto& r : events_) r.set_time_ms(r.time_ms() + ms);
  }

 private:
  struct Held {  // an append, or a metadata record, or a snapshot
    std::vector<v1::EventRecord> records;
    journal::AppendDone done;
    std::optional<v1::WorkshopMeta> meta;
    std::optional<v1::Snapshot> snapshot;
  };
  std::deque<Held> held_;
  std::vector<v1::EventRecord> events_;
  std::map<std::uint64_t, v1::Snapshot> snapshots_;
  v1::WorkshopMeta meta_;
  // Atomic: retry_writes() runs on the JournalHealth's thread.
  std::atomic<bool> broken_ = false;
  std::atomic<bool> retry_ok_ = false;
  std::atomic<std::size_t> retries_ = 0;
};

struct Rig {
  static constexpr const char* kFacilitatorToken = "facilitator-token-for-tests";
  static constexpr const char* kObserverToken = "observer-token-for-tests";
  static constexpr const char* kJoinCode = "K7M2QX";

  boost::asio::io_context io;
  HeldJournal journal;
  std::shared_ptr<workshop::Workshop> workshop;
  int next_op = 0;

  explicit Rig(workshop::WorkshopOptions options = {}) {
    v1::WorkshopMeta meta;
    meta.set_id("wtest");
    meta.set_template_id(std::string(board::kImpulsWerkstattTemplate));
    meta.set_join_code(kJoinCode);
    meta.set_facilitator_token_sha256(workshop::sha256(kFacilitatorToken));
    meta.set_observer_token_sha256(workshop::sha256(kObserverToken));
    journal.set_meta(meta);
    workshop = workshop::Workshop::create(io, journal, meta,
                                          board::template_ops(board::kImpulsWerkstattTemplate, "de", "Test"), options);
    settle();
  }
  ~Rig() {
    workshop->shutdown([] {});
    settle();
  }

  // Runs every ready handler (no timers that are not due, no waiting).
  void poll() {
    io.restart();
    io.poll();
  }
  // Polls, releasing every append, until nothing is held.
  void settle() {
    poll();
    while (journal.held() > 0) {
      journal.release();
      poll();
    }
  }
  // Runs handlers (timers included) until `done()` or `max_rounds` waits of
  // at most 10 ms each: waits on a condition, never asserts a duration.
  template <class F>
  bool run_until(F done, int max_rounds = 500) {
    for (int i = 0; i < max_rounds; ++i) {
      poll();
      if (done()) return true;
      io.restart();
      io.run_one_for(std::chrono::milliseconds(10));
    }
    poll();
    return done();
  }

  std::shared_ptr<FakeClient> hello(v1::Hello h) {
    auto c = std::make_shared<FakeClient>();
    h.set_protocol_version(1);
    h.set_workshop_id("wtest");
    workshop->join(c, std::move(h));
    return c;
  }
  std::shared_ptr<FakeClient> facilitator(const std::string& name = "Moderation") {
    v1::Hello h;
    h.set_display_name(name);
    h.mutable_credential()->set_facilitator_token(kFacilitatorToken);
    return hello(std::move(h));
  }
  std::shared_ptr<FakeClient> participant(const std::string& name, std::uint64_t last_seen_seq = 0,
                                          const FakeClient* resume_as = nullptr) {
    v1::Hello h;
    h.set_display_name(name);
    h.mutable_credential()->set_join_code(kJoinCode);
    h.set_last_seen_seq(last_seen_seq);
    if (resume_as) {
      h.set_participant_id(resume_as->welcome()->participant_id());
      h.set_participant_secret(secrets.at(resume_as->welcome()->participant_id()));
    }
    return hello(std::move(h));
  }
  // Joins and settles, so the client is welcomed.
  std::shared_ptr<FakeClient> joined(std::shared_ptr<FakeClient> c) {
    settle();
    if (!c->welcome()) throw std::runtime_error("Rig: the client got no Welcome");
    if (!c->welcome()->participant_secret().empty())
      secrets[c->welcome()->participant_id()] = c->welcome()->participant_secret();
    return c;
  }
  // Submits `op` from `c` with a fresh client_op_id (returned).
  std::string submit(const FakeClient& c, const v1::Op& op, std::string op_id = {}) {
    if (op_id.empty()) op_id = "op" + std::to_string(++next_op);
    v1::OpRequest r;
    r.set_client_op_id(op_id);
    *r.mutable_op() = op;
    workshop->submit(c.connection_id(), std::move(r));
    return op_id;
  }

  std::map<std::string, std::string> secrets;  // participant id → resume secret
};

}  // namespace werkstatt::test
