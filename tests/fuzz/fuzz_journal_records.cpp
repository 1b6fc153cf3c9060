// The journal record decoders and everything that consumes decoded records:
// recovery and replay (history::rebuild), the session reader behind replay
// and exports (history::load_session, history::seq_at_time) and the three exports.
//
// The input is what a journal holds for one workshop, as stored values: each
// chunk's tag says which column the value is in (tag % 4: 0 event, 1
// snapshot, 2 workshop metadata, 3 event stored one seq further on, which
// makes a gap). Events are keyed by consecutive seqs like the RocksDB
// journal's keys; a snapshot is keyed by the seq in its tag (tag >> 2). The
// in-memory journal below decodes a value when it is read, exactly as
// RocksJournal does (ParseFromArray; an undecodable value is corruption
// naming its key), so a damaged record reaches the readers the same way.
// Checks: nothing crashes; what fails, fails with a status, never a board;
// without a snapshot rebuild() (seen as the record shows it) and
// load_session() agree byte for byte.
#include <cstdint>
#include <limits>
#include <map>
#include <string>

#include "chunks.hpp"
#include "werkstatt/history/exports.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/history/session.hpp"

using namespace werkstatt;
using journal::Status;

namespace {

constexpr std::string_view kWorkshop = "wfuzz";

class StoredValues final : public journal::Journal {
 public:
  std::map<std::uint64_t, std::string> events;     // seq key → value
  std::map<std::uint64_t, std::string> snapshots;  // seq key → value
  std::optional<std::string> meta;

  void append(std::vector<v1::EventRecord>, journal::AppendDone done) override {
    done({Status::Code::read_only, "the fuzz journal is read-only"});
  }
  void store_workshop(v1::WorkshopMeta, journal::AppendDone done) override {
    done({Status::Code::read_only, "the fuzz journal is read-only"});
  }
  void store_snapshot(v1::Snapshot, journal::AppendDone done) override {
    done({Status::Code::read_only, "the fuzz journal is read-only"});
  }
  Status write_failure() const override { return {Status::Code::read_only, "the fuzz journal is read-only"}; }
  Status workshops(std::vector<v1::WorkshopMeta>* out, std::vector<journal::DamagedWorkshop>* damaged) const override {
    v1::WorkshopMeta m;
    const Status s = workshop(kWorkshop, &m);
    if (s.ok()) out->push_back(std::move(m));
    else if (s.code() != Status::Code::not_found) damaged->push_back({std::string(kWorkshop), s});
    return {};
  }
  Status workshop(std::string_view id, v1::WorkshopMeta* out) const override {
    if (id != kWorkshop || !meta) return {Status::Code::not_found, "no such workshop"};
    if (!out->ParseFromString(*meta)) return {Status::Code::corruption, "undecodable workshop metadata"};
    return {};
  }
  Status read_events(std::string_view id, std::uint64_t from_seq, std::uint64_t to_seq, std::size_t limit,
                     std::vector<v1::EventRecord>* out) const override {
    if (id != kWorkshop || from_seq > to_seq) return {};
    for (auto it = events.lower_bound(from_seq); it != events.end() && it->first <= to_seq && limit > 0; ++it, --limit) {
      v1::EventRecord r;
      if (!r.ParseFromArray(it->second.data(), static_cast<int>(it->second.size())))
        return {Status::Code::corruption, "undecodable event record at seq " + std::to_string(it->first)};
      if (r.workshop_id() != kWorkshop || r.seq() != it->first)  // as RocksJournal: a record names its key
        return {Status::Code::corruption, "the event record at seq " + std::to_string(it->first) + " names another key"};
      out->push_back(std::move(r));
    }
    return {};
  }
  Status latest_snapshot(std::string_view id, std::uint64_t at_or_before_seq, v1::Snapshot* out) const override {
    auto it = id == kWorkshop ? snapshots.upper_bound(at_or_before_seq) : snapshots.begin();
    if (id != kWorkshop || it == snapshots.begin()) return {Status::Code::not_found, "no snapshot"};
    --it;
    if (!out->ParseFromArray(it->second.data(), static_cast<int>(it->second.size())))
      return {Status::Code::corruption, "undecodable snapshot at seq " + std::to_string(it->first)};
    return {};
  }
  Status read_head(std::string_view id, std::uint64_t* out) const override {
    *out = id == kWorkshop && !events.empty() ? events.rbegin()->first : 0;
    return {};
  }
  Status client_ops(std::string_view, std::vector<journal::ClientOp>*) const override { return {}; }
  std::string incarnation() const override { return "fuzz"; }
  Status erase_workshop(std::string_view) override { return {Status::Code::read_only, "read-only"}; }
  Status retry_writes() override { return {}; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  StoredValues stored;
  std::uint64_t next_seq = 1;
  fuzz::Chunks chunks(data, size);
  fuzz::Chunk chunk;
  for (int n = 0; n < 2000 && chunks.next(chunk); ++n) {
    switch (chunk.tag % 4) {
      case 3: ++next_seq; [[fallthrough]];
      case 0: stored.events[next_seq++] = std::string(chunk.bytes); break;
      case 1: stored.snapshots[chunk.tag >> 2] = std::string(chunk.bytes); break;
      default: stored.meta = std::string(chunk.bytes); break;
    }
  }
  constexpr std::uint64_t kHead = std::numeric_limits<std::uint64_t>::max();

  Status rebuilt_status;
  const std::optional<board::Board> rebuilt = history::rebuild(stored, kWorkshop, kHead, &rebuilt_status);
  if (rebuilt.has_value() != rebuilt_status.ok()) fuzz::fail("rebuild: board and status disagree");
  if (rebuilt) {
    if (const auto broken = rebuilt->check_invariants()) fuzz::fail("rebuilt board breaks an invariant: " + *broken);
    // A middle seq too: replay stops there.
    Status mid_status;
    const auto mid = history::rebuild(stored, kWorkshop, rebuilt->seq() / 2, &mid_status);
    if (mid && mid->seq() > rebuilt->seq() / 2 && stored.snapshots.empty()) fuzz::fail("rebuild went past up_to_seq");
  }

  Status session_status;
  const auto session = history::load_session(stored, kWorkshop, kHead, &session_status);
  if (session.has_value() != session_status.ok()) fuzz::fail("load_session: session and status disagree");
  if (session) {
    if (stored.snapshots.empty() && rebuilt && rebuilt->record_view(rebuilt->record_policy()).SerializeAsString() !=
                                                   session->state.SerializeAsString())
      fuzz::fail("rebuild and load_session disagree on the same events");
    for (const std::int64_t t : {std::int64_t{0}, session->timeline.first_ms, session->timeline.last_ms}) {
      Status at_status;
      const auto at = history::seq_at_time(stored, kWorkshop, t, &at_status);
      if (at.has_value() != at_status.ok()) fuzz::fail("seq_at_time: seq and status disagree");
      if (!at) fuzz::fail("seq_at_time failed where load_session read every event: " + at_status.message());
      if (*at > session->state.seq()) fuzz::fail("seq_at_time answered a seq above the head");
      if (*at > 0 && session->seq_time_ms[*at] > t) fuzz::fail("seq_at_time answered a later event");
    }
    for (const auto format : {history::ExportFormat::markdown, history::ExportFormat::csv, history::ExportFormat::json}) {
      const std::string out = history::export_as(*session, format);
      if (out.empty()) fuzz::fail("an export is empty");
      (void)history::download_filename(*session, format);
    }
  }
  for (const auto& [seq, value] : stored.events) {
    v1::EventRecord r;
    if (r.ParseFromString(value)) (void)history::to_event(r);
  }
  return 0;
}
