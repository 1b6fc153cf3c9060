#include "werkstatt/journal/rocksdb_journal.hpp"

#include "random_id.hpp"

#include "werkstatt/journal/scrub.hpp"

#include <pthread.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/metadata.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>

namespace werkstatt::journal {
namespace {

constexpr const char* kEventsFamily = "events";
constexpr const char* kSnapshotsFamily = "snapshots";
constexpr const char* kWorkshopsFamily = "workshops";
constexpr const char* kClientOpsFamily = "client_ops";
constexpr std::string_view kIncarnationKey = "incarnation";
constexpr std::string_view kErasingPrefix{"erasing\0", 8};

// Every rocksdb::Status becomes a journal Status here, and only here.
Status convert(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return {};
  std::string message = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return {Status::Code::not_found, std::move(message)};
  if (s.IsNoSpace()) return {Status::Code::no_space, std::move(message)};
  if (s.IsCorruption()) return {Status::Code::corruption, std::move(message)};
  if (s.IsInvalidArgument()) return {Status::Code::invalid_argument, std::move(message)};
  return {Status::Code::io_error, std::move(message)};
}

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint64_t get_be64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (const char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string workshop_prefix(std::string_view workshop_id) {
  std::string k(workshop_id);
  k.push_back('\0');
  return k;
}

// The first key after every key of the workshop.
std::string workshop_end(std::string_view workshop_id) {
  std::string k(workshop_id);
  k.push_back('\x01');
  return k;
}

std::string seq_key(std::string_view workshop_id, std::uint64_t seq) {
  std::string k = workshop_prefix(workshop_id);
  put_be64(k, seq);
  return k;
}

std::string client_op_key(std::string_view workshop_id, std::string_view author, std::string_view op_id) {
  std::string k = workshop_prefix(workshop_id);
  k.append(author);
  k.push_back('\0');
  k.append(op_id);
  return k;
}

std::string erasing_key(std::string_view workshop_id) {
  std::string k(kErasingPrefix);
  k.append(workshop_id);
  return k;
}

constexpr std::string_view kParticipantErasingPrefix{"erasing-participant\0", 20};

std::string participant_erasing_key(std::string_view workshop_id, std::string_view participant_id) {
  std::string k(kParticipantErasingPrefix);
  k.append(workshop_id);
  k.push_back('\0');
  k.append(participant_id);
  return k;
}

// Test hook for "killed halfway": WERKSTATT_TEST_KILL_ERASE=<step> makes the
// process SIGKILL itself right after that step of an erasure ("marker" or
// "tombstones"), so tests can prove a rerun finishes it. Unset in production.
void maybe_die_after(std::string_view step) {
  const char* wanted = std::getenv("WERKSTATT_TEST_KILL_ERASE");
  if (wanted && step == wanted) std::raise(SIGKILL);
}

std::string printable_key(const rocksdb::Slice& key) {
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

// Recovery after a failed write is ours to drive (retry_writes → DB::Resume).
// RocksDB would otherwise start its own background recovery for a full disk,
// and a manual Resume meanwhile only answers Busy.
class ManualRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// RocksDB's info log goes to stderr (warnings and worse), not to a LOG file
// in the data folder: when that disk is full, Debian's RocksDB (built with
// assertions) aborts the process on the next LOG write after a failed one.
// A journal must survive a full disk, so its diagnostics live elsewhere.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::size_t n = std::strlen(line);
    while (n > 0 && line[n - 1] == '\n') line[--n] = '\0';  // some of RocksDB's formats end in one
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};

// The clean-stop mark: what the database was at the last clean stop - its
// last sequence number and every live SST file (family, name, size) - in a
// file of our own beside RocksDB's (RocksDB ignores names it did not make).
// RocksDB recovers an older version of a damaged database without a word:
// a MANIFEST cut short makes it take the version before its last records
// (a flush's new files, a family's files) and delete the newer files as
// obsolete. Between a clean stop and the next open nothing changes the
// files, so the next open must find exactly that; a writable open removes
// the mark (durably) before it writes anything, so after a crash there is
// no mark and no false alarm.
constexpr const char* kCleanStopFile = "WERKSTATT-CLEAN-STOP";

struct CleanStop {
  std::uint64_t sequence = 0;
  std::vector<std::string> files;  // "family name size", sorted
};

std::string clean_stop_path(const std::string& dir) { return (std::filesystem::path(dir) / kCleanStopFile).string(); }

std::vector<std::string> live_files(rocksdb::DB& db) {
  std::vector<rocksdb::LiveFileMetaData> meta;
  db.GetLiveFilesMetaData(&meta);
  std::vector<std::string> out;
  for (const auto& f : meta) {
    std::string name = f.name;
    if (const auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    out.push_back(f.column_family_name + " " + name + " " + std::to_string(f.size));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// nullopt: no mark (never stopped cleanly by this version, or opened writable since).
Status read_clean_stop(const std::string& dir, std::optional<CleanStop>* out) {
  const std::string path = clean_stop_path(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    return {Status::Code::io_error, "reading " + path + ": " + std::strerror(errno)};
  }
  const Status bad{Status::Code::corruption,
                   path + " is damaged (werkstatt writes it on a clean stop); nothing was changed. If the journal "
                          "itself is fine, delete that file and run 'werkstatt inspect'"};
  CleanStop mark;
  std::string line;
  if (!std::getline(in, line) || !line.starts_with("sequence ") ||
      line.find_first_not_of("0123456789", 9) != std::string::npos || line.size() == 9)
    return bad;
  mark.sequence = std::stoull(line.substr(9));
  bool ended = false;
  while (std::getline(in, line)) {
    if (line == "end") {
      ended = true;
      break;
    }
    if (!line.starts_with("file ")) return bad;
    mark.files.push_back(line.substr(5));
  }
  if (!ended) return bad;  // cut short
  std::sort(mark.files.begin(), mark.files.end());
  *out = std::move(mark);
  return {};
}

void sync_dir(const std::string& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// Durably replaces the mark: a temporary file, fsync, rename, fsync the folder.
Status write_clean_stop(const std::string& dir, const CleanStop& mark) {
  const std::string path = clean_stop_path(dir);
  const std::string tmp = path + ".tmp";
  std::string text = "sequence " + std::to_string(mark.sequence) + "\n";
  for (const auto& f : mark.files) text += "file " + f + "\n";
  text += "end\n";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return {Status::Code::io_error, "writing " + tmp + ": " + std::strerror(errno)};
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!written) return {Status::Code::io_error, "writing " + tmp + ": " + std::strerror(saved)};
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return {Status::Code::io_error, "renaming " + tmp + ": " + std::strerror(errno)};
  sync_dir(dir);
  return {};
}

Status remove_clean_stop(const std::string& dir) {
  if (std::remove(clean_stop_path(dir).c_str()) != 0 && errno != ENOENT)
    return {Status::Code::io_error, "removing " + clean_stop_path(dir) + ": " + std::strerror(errno)};
  sync_dir(dir);
  return {};
}

// Not ok when `db` is not what the mark says it was at the clean stop.
Status check_clean_stop(const std::string& dir, rocksdb::DB& db, const CleanStop& mark) {
  std::string what;
  if (db.GetLatestSequenceNumber() < mark.sequence) {
    what = "its last sequence is " + std::to_string(db.GetLatestSequenceNumber()) + ", it was " +
           std::to_string(mark.sequence);
  } else {
    const std::vector<std::string> now = live_files(db);
    std::vector<std::string> missing;
    std::set_difference(mark.files.begin(), mark.files.end(), now.begin(), now.end(), std::back_inserter(missing));
    if (!missing.empty()) what = "it no longer names the file(s) " + missing.front() + (missing.size() > 1 ? ", …" : "");
  }
  if (what.empty()) return {};
  return {Status::Code::corruption,
          "the journal in " + dir + " is not what it was at its last clean stop (" + what + "; see " +
              kCleanStopFile +
              "): its files are damaged (one was cut short, deleted or replaced, e.g. its MANIFEST) and events it "
              "held are missing. Nothing was changed. Restore the latest backup (werkstatt restore --from <backup> --replace); see "
              "README, Durability"};
}

}  // namespace

std::string RocksJournal::event_key(std::string_view workshop_id, std::uint64_t seq) { return seq_key(workshop_id, seq); }

std::unique_ptr<RocksJournal> RocksJournal::open(const std::string& dir, const RocksJournalOptions& options,
                                                 Status* status) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Two cores: one background thread for flushes, one for compactions.
  db_options.IncreaseParallelism(2);
  // Bound the WAL so that a restart replays little of it.
  db_options.max_total_wal_size = 64u << 20;
  db_options.max_bgerror_resume_count = 0;  // see ManualRecovery
  db_options.listeners.push_back(std::make_shared<ManualRecovery>());
  db_options.info_log = std::make_shared<StderrLogger>();
  // A torn last record (never acknowledged) is dropped; damage in the middle
  // of the log fails the open with Corruption instead of silently cutting
  // off every later (acknowledged) event, as kPointInTimeRecovery would.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  db_options.paranoid_checks = true;  // the default, stated: damaged files fail open and background work

  rocksdb::ColumnFamilyOptions cf_options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kEventsFamily, cf_options},
      {kSnapshotsFamily, cf_options},
      {kWorkshopsFamily, cf_options},
  };
  // Creating the folder first spares an alarming "[ERROR] … NotFound" in
  // the log of every first start.
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  // The idempotency index came later: a read-only open of an older journal
  // (which cannot create families) goes without it.
  bool has_client_ops = !options.read_only;
  if (options.read_only) {
    std::vector<std::string> names;
    if (rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok())
      has_client_ops = std::find(names.begin(), names.end(), kClientOpsFamily) != names.end();
  }
  if (has_client_ops) families.emplace_back(kClientOpsFamily, cf_options);
  const auto damaged = [&](const std::string& what) -> Status {
    return {Status::Code::corruption,
            "opening the journal in " + dir + ": " + what +
                " — the journal's files are damaged; nothing was changed. Restore the latest backup "
                "(werkstatt restore --from <backup> --replace); see README, Durability"};
  };
  // An existing database must name the families every journal has had since
  // its first open. One that does not lost the MANIFEST records creating
  // them (e.g. cut short): refused, never given fresh, empty families
  // (create_missing_column_families would, and serve an empty journal).
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    std::vector<std::string> names;
    if (rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok()) {
      for (const char* required : {kEventsFamily, kSnapshotsFamily, kWorkshopsFamily}) {
        if (std::find(names.begin(), names.end(), required) != names.end()) continue;
        if (status) *status = damaged(std::string("its MANIFEST names no column family \"") + required + "\"");
        return nullptr;
      }
    }
    // Not listed: the open below reports why.
  }
  std::optional<CleanStop> clean_stop;
  if (Status marked = read_clean_stop(dir, &clean_stop); !marked.ok()) {
    if (status) *status = std::move(marked);
    return nullptr;
  }
  if (clean_stop && !options.read_only) {
    // Checked through a read-only view first: a writable open of a database
    // that went back would already delete the newer files as obsolete and
    // write a new MANIFEST over the evidence.
    std::vector<std::string> names;
    std::vector<rocksdb::ColumnFamilyDescriptor> present;
    if (rocksdb::DB::ListColumnFamilies(db_options, dir, &names).ok())
      for (const auto& n : names) present.emplace_back(n, cf_options);
    std::vector<rocksdb::ColumnFamilyHandle*> view_handles;
    rocksdb::DB* view = nullptr;
    const rocksdb::Status viewed =
        present.empty() ? rocksdb::Status::Corruption("its MANIFEST names no column family")
                        : rocksdb::DB::OpenForReadOnly(db_options, dir, present, &view_handles, &view);
    if (!viewed.ok()) {
      // Fails closed: a journal that stopped cleanly opens read-only.
      if (status)
        *status = viewed.IsCorruption() ? damaged(viewed.ToString())
                                        : convert(viewed, "opening the journal in " + dir + " to check it");
      return nullptr;
    }
    const Status checked = check_clean_stop(dir, *view, *clean_stop);
    for (auto* h : view_handles) view->DestroyColumnFamilyHandle(h);
    delete view;
    if (!checked.ok()) {
      if (status) *status = checked;
      return nullptr;
    }
    // From here on the files change: the mark goes before anything is written.
    if (Status removed = remove_clean_stop(dir); !removed.ok()) {
      if (status) *status = removed;
      return nullptr;
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = options.read_only
                                ? rocksdb::DB::OpenForReadOnly(db_options, dir, families, &handles, &raw)
                                : rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  if (!s.ok()) {
    Status failed = convert(s, "opening the journal in " + dir);
    if (s.IsCorruption())
      failed = {Status::Code::corruption,
                failed.message() +
                    " — the journal's files are damaged; nothing was changed. Restore the latest backup "
                    "(werkstatt restore --from <backup> --replace); see README, Durability"};
    if (status) *status = std::move(failed);
    return nullptr;
  }
  std::unique_ptr<RocksJournal> j(new RocksJournal());
  j->options_ = options;
  j->dir_ = dir;
  j->db_.reset(raw);
  j->default_ = handles[0];
  j->events_ = handles[1];
  j->snapshots_ = handles[2];
  j->workshops_ = handles[3];
  if (has_client_ops) j->client_ops_ = handles[4];
  if (options.read_only) j->failure_ = {Status::Code::read_only, "the journal was opened read-only"};
  if (clean_stop && options.read_only) {
    // (A writable open was checked before it opened.) The handles go with j.
    if (Status checked = check_clean_stop(dir, *raw, *clean_stop); !checked.ok()) {
      if (status) *status = checked;
      return nullptr;
    }
  }
  j->writer_ = std::thread([p = j.get()] {
    ::pthread_setname_np(::pthread_self(), "journal-writer");
    p->run_writer();
  });

  // The incarnation: made once, when the journal is new.
  std::string value;
  const rocksdb::Status got =
      j->db_->Get(rocksdb::ReadOptions(), j->default_, rocksdb::Slice(kIncarnationKey.data(), kIncarnationKey.size()),
                  &value);
  if (got.ok()) {
    j->incarnation_ = value;
  } else if (got.IsNotFound() && !options.read_only) {
    if (Status renewed = j->renew_incarnation(); !renewed.ok()) {
      if (status) *status = renewed;
      return nullptr;
    }
  } else if (!got.IsNotFound()) {
    if (status) *status = convert(got, "reading the journal's incarnation in " + dir);
    return nullptr;
  }
  // An erasure the last process did not finish is finished now, before
  // anything can serve the half-erased workshop.
  if (!options.read_only) {
    std::vector<std::string> pending;
    Status listed = j->pending_erasures(&pending);
    for (const std::string& id : pending) {
      if (!listed.ok()) break;
      std::fprintf(stderr, "journal: finishing the interrupted erasure of workshop %s\n", id.c_str());
      listed = j->erase_workshop(id);
      if (listed.ok()) j->finished_at_open_.push_back(id);
    }
    if (!listed.ok()) {
      if (status) *status = listed;
      return nullptr;
    }
    // Likewise a person's erasure: the rewrite is idempotent.
    std::vector<PendingParticipantErasure> people;
    listed = j->pending_participant_erasures(&people);
    for (const auto& p : people) {
      if (!listed.ok()) break;
      std::fprintf(stderr, "journal: finishing the interrupted erasure of participant %s of workshop %s\n",
                   p.participant_id.c_str(), p.workshop_id.c_str());
      listed = j->finish_participant_erasure(p.workshop_id, p.participant_id, p.display_name);
    }
    if (!listed.ok()) {
      if (status) *status = listed;
      return nullptr;
    }
  }
  if (status) *status = {};
  return j;
}

RocksJournal::~RocksJournal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (db_ && !options_.read_only && failure_.ok()) {
    // A clean stop leaves no event only in the WAL: a WAL damaged or cut
    // short afterwards then costs nothing.
    std::vector<rocksdb::ColumnFamilyHandle*> all;
    for (auto* h : {events_, snapshots_, workshops_, default_, client_ops_})
      if (h) all.push_back(h);
    if (const rocksdb::Status s = db_->Flush(rocksdb::FlushOptions(), all); !s.ok()) {
      std::fprintf(stderr, "journal: flushing on close failed (the WAL still holds everything): %s\n",
                   s.ToString().c_str());
    } else {
      // No compaction may change the files between the list and the close.
      rocksdb::CancelAllBackgroundWork(db_.get(), true);
      const CleanStop mark{db_->GetLatestSequenceNumber(), live_files(*db_)};
      // Without it, only the next open's check is lost.
      if (Status marked = write_clean_stop(dir_, mark); !marked.ok())
        std::fprintf(stderr, "journal: %s\n", marked.message().c_str());
    }
  }
  for (auto* h : {events_, snapshots_, workshops_, default_, client_ops_})
    if (h) db_->DestroyColumnFamilyHandle(h);
  if (db_) db_->Close();
}

void RocksJournal::append(std::vector<v1::EventRecord> records, AppendDone done) {
  queue_append(std::move(records), std::nullopt, std::move(done));
}

void RocksJournal::append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, AppendDone done) {
  queue_append(std::move(records), std::move(meta), std::move(done));
}

void RocksJournal::queue_append(std::vector<v1::EventRecord> records, std::optional<v1::WorkshopMeta> meta,
                                AppendDone done) {
  Status rejected;
  {
    std::lock_guard lock(mutex_);
    if (records.empty()) {
      rejected = {Status::Code::invalid_argument, "append of no records"};
    } else {
      const std::string& workshop = records.front().workshop_id();
      std::uint64_t head = 0;
      // A head that cannot be read refuses the append: never written over damage.
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
    // A rejected append is completed by the writer too: in order, never inside append().
    queue_.push_back({std::move(records), std::move(done), std::move(rejected), std::move(meta), std::nullopt});
  }
  wake_.notify_one();
}

void RocksJournal::run_writer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    // Take what is queued, up to the batch bound: this is the group commit.
    std::deque<Pending> group;
    std::size_t bytes = 0;
    while (!queue_.empty() && (group.empty() || bytes < options_.max_batch_bytes)) {
      bytes += queue_.front().bytes();
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const Status failure = failure_;
    lock.unlock();
    Status result = failure.ok() ? write_group(group) : failure;
    lock.lock();
    if (!result.ok() && failure_.ok()) failure_ = result;
    if (!result.ok()) last_queued_seq_.clear();  // reload heads from disk: what failed is not there
    if (result.ok()) {
      for (const auto& p : group) {
        if (!p.rejected.ok() || p.records.empty()) continue;
        auto& head = durable_head_[p.records.back().workshop_id()];
        head = std::max(head, p.records.back().seq());
      }
    }
    lock.unlock();
    for (auto& p : group) p.done(p.rejected.ok() ? result : p.rejected);
    lock.lock();
  }
}

Status RocksJournal::write_group(std::deque<Pending>& group) {
  rocksdb::WriteBatch batch;
  std::string value;
  bool sync = false;
  for (const auto& p : group) {
    if (!p.rejected.ok()) continue;
    if (p.meta) {
      sync = true;
      if (rocksdb::Status s = batch.Put(workshops_, p.meta->id(), p.meta->SerializeAsString()); !s.ok())
        return convert(s, "batching workshop " + p.meta->id());
    }
    if (p.snapshot) {
      if (rocksdb::Status s = batch.Put(snapshots_, seq_key(p.snapshot->workshop_id(), p.snapshot->seq()),
                                        p.snapshot->SerializeAsString());
          !s.ok())
        return convert(s, "batching a snapshot of " + p.snapshot->workshop_id());
    }
    if (!p.records.empty()) sync = true;
    for (const auto& r : p.records) {
      value.clear();
      r.SerializeToString(&value);
      rocksdb::Status s = batch.Put(events_, seq_key(r.workshop_id(), r.seq()), value);
      if (s.ok() && client_ops_ && !r.client_op_id().empty()) {
        std::string seq;
        put_be64(seq, r.seq());
        s = batch.Put(client_ops_, client_op_key(r.workshop_id(), r.author_id(), r.client_op_id()), seq);
        if (s.ok() && !r.evicts_client_op_id().empty())
          s = batch.Delete(client_ops_, client_op_key(r.workshop_id(), r.author_id(), r.evicts_client_op_id()));
      }
      if (!s.ok()) return convert(s, "batching events");
    }
  }
  rocksdb::WriteOptions wo;
  // The ack promise: fdatasync'ed before any completion runs. A group of
  // snapshots only is not synced: one lost in a crash is rebuilt from events.
  wo.sync = sync;
  Status written = convert(db_->Write(wo, &batch), "writing events");
  if (written.ok() && sync) {
    group_commits_.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t events = 0;
    for (const auto& p : group)
      if (p.rejected.ok()) events += p.records.size();
    events_written_.fetch_add(events, std::memory_order_relaxed);
  }
  return written;
}

std::size_t RocksJournal::Pending::bytes() const {
  std::size_t n = 0;
  for (const auto& r : records) n += r.ByteSizeLong();
  if (meta) n += meta->ByteSizeLong();
  if (snapshot) n += snapshot->ByteSizeLong();
  return n;
}

void RocksJournal::enqueue(Pending pending) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
  }
  wake_.notify_one();
}

void RocksJournal::store_workshop(v1::WorkshopMeta meta, AppendDone done) {
  Pending p;
  p.meta = std::move(meta);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void RocksJournal::store_snapshot(v1::Snapshot snapshot, AppendDone done) {
  Pending p;
  p.snapshot = std::move(snapshot);
  p.done = std::move(done);
  enqueue(std::move(p));
}

Status RocksJournal::write_failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

Status RocksJournal::workshops(std::vector<v1::WorkshopMeta>* out, std::vector<DamagedWorkshop>* damaged) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), workshops_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::WorkshopMeta meta;
    const std::string id = it->key().ToString();
    if (meta.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) && meta.id() == id) {
      out->push_back(std::move(meta));
    } else {
      damaged->push_back({id, {Status::Code::corruption, "workshop " + printable_key(it->key()) +
                                                             ": its metadata record does not decode (family " +
                                                             kWorkshopsFamily + ", key " + printable_key(it->key()) +
                                                             ")"}});
    }
  }
  return convert(it->status(), "listing the workshops (family workshops)");
}

Status RocksJournal::workshop(std::string_view id, v1::WorkshopMeta* out) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), workshops_, rocksdb::Slice(id.data(), id.size()), &value);
  if (!s.ok()) return convert(s, "reading the metadata of workshop " + std::string(id));
  if (!out->ParseFromString(value) || out->id() != id)
    return {Status::Code::corruption, "workshop " + std::string(id) +
                                          ": its metadata record does not decode (family workshops, key " +
                                          std::string(id) + ")"};
  return {};
}

Status RocksJournal::read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq,
                                 std::size_t limit, std::vector<v1::EventRecord>* out) const {
  if (from_seq > to_seq || limit == 0) return {};
  const std::string start = seq_key(workshop_id, from_seq);
  const std::string end = to_seq == std::numeric_limits<std::uint64_t>::max() ? workshop_end(workshop_id)
                                                                                : seq_key(workshop_id, to_seq + 1);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  for (it->Seek(start); it->Valid() && limit > 0; it->Next(), --limit) {
    v1::EventRecord r;
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return {Status::Code::corruption, "workshop " + std::string(workshop_id) +
                                            ": undecodable event record at key " + printable_key(it->key())};
    if (r.workshop_id() != workshop_id || seq_key(workshop_id, r.seq()) != it->key().ToString())
      return {Status::Code::corruption, "workshop " + std::string(workshop_id) + ": the event record at key " +
                                            printable_key(it->key()) + " names another key"};
    out->push_back(std::move(r));
  }
  return convert(it->status(), "workshop " + std::string(workshop_id) + ": reading events (family events)");
}

Status RocksJournal::latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                     v1::Snapshot* out) const {
  const std::string lower_key = workshop_prefix(workshop_id);
  rocksdb::Slice lower(lower_key);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, snapshots_));
  it->SeekForPrev(seq_key(workshop_id, at_or_before_seq));
  if (!it->Valid()) {
    if (!it->status().ok())
      return convert(it->status(), "workshop " + std::string(workshop_id) + ": reading snapshots (family snapshots)");
    return {Status::Code::not_found, "no snapshot of " + std::string(workshop_id) + " at or before that seq"};
  }
  if (!out->ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
    return {Status::Code::corruption,
            "workshop " + std::string(workshop_id) + ": undecodable snapshot at key " + printable_key(it->key())};
  return {};
}

Status RocksJournal::stored_head(std::string_view workshop_id, std::uint64_t* out) const {
  const std::string lower_key = workshop_prefix(workshop_id);
  rocksdb::Slice lower(lower_key);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  it->SeekForPrev(seq_key(workshop_id, std::numeric_limits<std::uint64_t>::max()));
  if (!it->status().ok())
    return convert(it->status(), "workshop " + std::string(workshop_id) + ": reading its head (family events)");
  if (!it->Valid()) {
    *out = 0;
    return {};
  }
  if (it->key().size() != lower_key.size() + 8 || !it->key().starts_with(lower_key))
    return {Status::Code::corruption,
            "workshop " + std::string(workshop_id) + ": malformed event key " + printable_key(it->key())};
  const std::uint64_t head = get_be64(std::string_view(it->key().data() + lower_key.size(), 8));
  // The newest record itself must be readable: its block is the one a
  // damaged tail would hit first.
  v1::EventRecord r;
  if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) || r.seq() != head ||
      r.workshop_id() != workshop_id)
    return {Status::Code::corruption, "workshop " + std::string(workshop_id) +
                                          ": undecodable event record at key " + printable_key(it->key())};
  *out = head;
  return {};
}

Status RocksJournal::queued_head_locked(std::string_view workshop_id, std::uint64_t* out) const {
  if (const auto cached = last_queued_seq_.find(workshop_id); cached != last_queued_seq_.end()) {
    *out = cached->second;
    return {};
  }
  std::uint64_t head = 0;
  if (Status s = stored_head(workshop_id, &head); !s.ok()) return s;
  last_queued_seq_.emplace(std::string(workshop_id), head);
  *out = head;
  return {};
}

Status RocksJournal::read_head(std::string_view workshop_id, std::uint64_t* out) const {
  {
    std::lock_guard lock(mutex_);
    if (const auto cached = durable_head_.find(workshop_id); cached != durable_head_.end()) {
      *out = cached->second;
      return {};
    }
  }
  // Not known yet: what is on disk is durable (the WAL is synced before a
  // write becomes visible). Read outside the lock: it may touch the disk.
  std::uint64_t head = 0;
  if (Status s = stored_head(workshop_id, &head); !s.ok()) return s;
  std::lock_guard lock(mutex_);
  auto& cached = durable_head_[std::string(workshop_id)];
  cached = std::max(cached, head);
  *out = cached;
  return {};
}

Status RocksJournal::client_ops(std::string_view workshop_id, std::vector<ClientOp>* out) const {
  if (!client_ops_) return {};
  const std::string begin = workshop_prefix(workshop_id);
  const std::string end = workshop_end(workshop_id);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, client_ops_));
  for (it->Seek(begin); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data() + begin.size(), it->key().size() - begin.size());
    const auto sep = key.find('\0');
    if (sep == std::string_view::npos || sep == 0 || it->value().size() != 8)
      return {Status::Code::corruption, "workshop " + std::string(workshop_id) +
                                            ": malformed idempotency record at key " + printable_key(it->key())};
    out->push_back({std::string(key.substr(0, sep)), std::string(key.substr(sep + 1)),
                    get_be64(std::string_view(it->value().data(), 8))});
  }
  return convert(it->status(), "workshop " + std::string(workshop_id) + ": reading its idempotency index");
}

std::string RocksJournal::incarnation() const {
  std::lock_guard lock(mutex_);
  return incarnation_;
}

Status RocksJournal::renew_incarnation() {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  const std::string fresh = random_hex_id();
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (Status s = convert(db_->Put(wo, default_, rocksdb::Slice(kIncarnationKey.data(), kIncarnationKey.size()), fresh),
                         "storing the journal's incarnation");
      !s.ok())
    return s;
  std::lock_guard lock(mutex_);
  incarnation_ = fresh;
  return {};
}

Status RocksJournal::retry_writes() {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  {
    std::lock_guard lock(mutex_);
    if (failure_.ok()) return {};
  }
  // Resume clears RocksDB's background error if the cause is gone (space freed).
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) return convert(resumed, "resuming writes");
  std::lock_guard lock(mutex_);
  failure_ = {};
  last_queued_seq_.clear();
  durable_head_.clear();
  return {};
}

Status RocksJournal::pending_erasures(std::vector<std::string>* out) const {
  const std::string begin(kErasingPrefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), default_));
  for (it->Seek(begin); it->Valid() && it->key().starts_with(begin); it->Next())
    out->push_back(std::string(it->key().data() + begin.size(), it->key().size() - begin.size()));
  return convert(it->status(), "listing unfinished erasures");
}

Status RocksJournal::erase_workshop(std::string_view workshop_id) {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  const std::string id(workshop_id);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  // 1. The marker: from here on the erasure is finished by any later call or open.
  if (auto s = convert(db_->Put(wo, default_, erasing_key(id), ""), "marking workshop " + id + " for erasure");
      !s.ok())
    return s;
  maybe_die_after("marker");
  return finish_erasure(id);
}

Status RocksJournal::flush_and_compact(std::string_view begin, std::string_view end,
                                       std::initializer_list<rocksdb::ColumnFamilyHandle*> ranged, bool compact_others) {
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  const rocksdb::Slice b(begin.data(), begin.size());
  const rocksdb::Slice e(end.data(), end.size());
  for (auto* cf : {events_, snapshots_, workshops_, default_, client_ops_}) {
    if (!cf) continue;
    if (auto s = convert(db_->Flush(rocksdb::FlushOptions(), cf), "flushing"); !s.ok()) return s;
    const bool in_range = std::find(ranged.begin(), ranged.end(), cf) != ranged.end();
    if (!in_range && !compact_others) continue;
    if (auto s = convert(db_->CompactRange(cro, cf, in_range ? &b : nullptr, in_range ? &e : nullptr), "compacting");
        !s.ok())
      return s;
  }
  return {};
}

Status RocksJournal::finish_erasure(const std::string& id) {
  const std::string begin = workshop_prefix(id);
  const std::string end = workshop_end(id);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  // 2. Every key, in one batch: the workshop is gone at once for readers.
  rocksdb::WriteBatch batch;
  for (auto* cf : {events_, snapshots_, client_ops_}) {
    if (!cf) continue;
    const rocksdb::Status s = batch.DeleteRange(cf, begin, end);
    if (!s.ok()) return convert(s, "erasing workshop " + id);
  }
  batch.Delete(workshops_, id);
  if (auto s = convert(db_->Write(wo, &batch), "erasing workshop " + id); !s.ok()) return s;
  {
    std::lock_guard lock(mutex_);
    last_queued_seq_.erase(id);
    durable_head_.erase(id);
  }
  maybe_die_after("tombstones");
  // 3. Flush the memtables and compact, so that the erased values are gone
  // from the files too, not just shadowed by tombstones. Flushing every
  // family also retires the WAL files that held the values.
  if (Status s = flush_and_compact(begin, end, {events_, snapshots_, client_ops_}, true); !s.ok()) return s;
  // 4. Done: the marker goes.
  return convert(db_->Delete(wo, default_, erasing_key(id)), "finishing the erasure of workshop " + id);
}

Status RocksJournal::erase_participant(std::string_view workshop_id, std::string_view participant_id,
                                       std::string_view display_name) {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  const std::string id(workshop_id);
  const std::string pid(participant_id);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  // 1. The marker (ids and the pseudonym only): finished by a later call or open.
  if (auto s = convert(db_->Put(wo, default_, participant_erasing_key(id, pid), std::string(display_name)),
                       "marking participant " + pid + " of workshop " + id + " for erasure");
      !s.ok())
    return s;
  maybe_die_after("participant marker");
  return finish_participant_erasure(id, pid, std::string(display_name));
}

Status RocksJournal::finish_participant_erasure(const std::string& id, const std::string& pid,
                                                const std::string& display_name) {
  const std::string begin = workshop_prefix(id);
  const std::string end = workshop_end(id);
  const std::string what = "erasing participant " + pid + " of workshop " + id;
  // 2. Every record that carries the name or the secret, rewritten in one
  // batch: readers see the old or the new history, never a mix.
  rocksdb::WriteBatch batch;
  const auto rewrite = [&](rocksdb::ColumnFamilyHandle* cf, auto record) -> Status {
    rocksdb::ReadOptions ro;
    const rocksdb::Slice upper(end);
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    for (it->Seek(begin); it->Valid(); it->Next()) {
      if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
        return {Status::Code::corruption, what + ": cannot decode the record at " + printable_key(it->key())};
      if (!scrub_participant(record, pid, display_name)) continue;
      if (auto s = convert(batch.Put(cf, it->key(), record.SerializeAsString()), what); !s.ok()) return s;
    }
    return convert(it->status(), what);
  };
  if (Status s = rewrite(events_, v1::EventRecord()); !s.ok()) return s;
  if (Status s = rewrite(snapshots_, v1::Snapshot()); !s.ok()) return s;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto s = convert(db_->Write(wo, &batch), what); !s.ok()) return s;
  maybe_die_after("participant rewritten");
  // 3. Flush and force-compact, as finish_erasure does: the old versions are
  // then gone from the SST files, and the WAL files that held them retire.
  if (Status s = flush_and_compact(begin, end, {events_, snapshots_}, false); !s.ok()) return s;
  // 4. Done: the marker goes.
  return convert(db_->Delete(wo, default_, participant_erasing_key(id, pid)), what);
}

Status RocksJournal::pending_participant_erasures(std::vector<PendingParticipantErasure>* out) const {
  const std::string begin(kParticipantErasingPrefix);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), default_));
  for (it->Seek(begin); it->Valid() && it->key().starts_with(begin); it->Next()) {
    const std::string rest(it->key().data() + begin.size(), it->key().size() - begin.size());
    const auto zero = rest.find('\0');
    if (zero == std::string::npos) continue;
    out->push_back({rest.substr(0, zero), rest.substr(zero + 1), it->value().ToString()});
  }
  return convert(it->status(), "listing unfinished participant erasures");
}

Status RocksJournal::checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  if (auto s = convert(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing a checkpoint"); !s.ok()) return s;
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  return convert(cp->CreateCheckpoint(dir), "writing a checkpoint to " + dir);
}

Status RocksJournal::copy_to(const std::string& dir) const {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.create_missing_column_families = true;
  options.info_log = std::make_shared<StderrLogger>();
  // error_if_exists looks for a database in `dir`, not for the folder; an
  // absent folder would make RocksDB log "[ERROR] … dir NotFound" before
  // creating it (as open() explains).
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir))
    return {Status::Code::invalid_argument, dir + " already exists and is not empty"};
  std::error_code created;
  std::filesystem::create_directories(dir, created);
  if (created) return {Status::Code::io_error, "creating " + dir + ": " + created.message()};
  std::vector<std::pair<const char*, rocksdb::ColumnFamilyHandle*>> families = {
      {rocksdb::kDefaultColumnFamilyName.c_str(), default_},
      {kEventsFamily, events_},
      {kSnapshotsFamily, snapshots_},
      {kWorkshopsFamily, workshops_}};
  if (client_ops_) families.emplace_back(kClientOpsFamily, client_ops_);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& [name, handle] : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (auto s = convert(rocksdb::DB::Open(options, dir, descriptors, &handles, &raw), "creating the copy in " + dir);
      !s.ok())
    return s;
  std::unique_ptr<rocksdb::DB> target(raw);
  const auto close_target = [&] {
    for (auto* h : handles) target->DestroyColumnFamilyHandle(h);
    target->Close();
  };
  // One consistent view of the source for all families.
  const rocksdb::Snapshot* view = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  Status result;
  for (std::size_t i = 0; i < families.size() && result.ok(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, families[i].second));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid() && result.ok(); it->Next()) {
      batch.Put(handles[i], it->key(), it->value());
      if (batch.GetDataSize() >= (1u << 20)) {
        result = convert(target->Write(rocksdb::WriteOptions(), &batch), "copying");
        batch.Clear();
      }
    }
    if (result.ok()) result = convert(it->status(), "reading for the copy");
    if (result.ok()) result = convert(target->Write(rocksdb::WriteOptions(), &batch), "copying");
  }
  if (view) db_->ReleaseSnapshot(view);
  if (result.ok()) {
    rocksdb::FlushOptions fo;
    result = convert(target->Flush(fo, handles), "flushing the copy");
  }
  if (result.ok()) result = convert(target->SyncWAL(), "syncing the copy");
  close_target();
  return result;
}

Status RocksJournal::backup(const std::string& db_dir, const std::string& target_dir) {
  if (std::filesystem::exists(target_dir)) return {Status::Code::invalid_argument, target_dir + " already exists"};
  if (!std::filesystem::exists(db_dir)) return {Status::Code::not_found, "no journal in " + db_dir};
  // Always a record-by-record copy through a read-only view, held by a
  // server or not: every block's checksum is verified on the way, so a
  // damaged journal fails the backup instead of being hard-linked into it
  // (a checkpoint copies damage unseen), the source is never written to,
  // and there is no probing writable open whose lock failure RocksDB logs.
  RocksJournalOptions ro;
  ro.read_only = true;
  Status opened;
  auto j = open(db_dir, ro, &opened);
  if (!j) return opened;
  return j->copy_to(target_dir);
}

Status RocksJournal::verify(std::vector<Finding>* findings) const {
  // The workshop a key belongs to: everything before the first 0x00.
  const auto owner = [](const rocksdb::Slice& key) {
    const std::string_view k(key.data(), key.size());
    return std::string(k.substr(0, k.find('\0')));
  };
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  // The workshops the keys name, to attribute unreadable blocks: a block
  // that cannot be read hides its keys, so each workshop's range is read on
  // its own and every workshop whose range fails is named.
  std::vector<std::string> ids;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, workshops_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ids.push_back(it->key().ToString());
  }
  const auto scan = [&](rocksdb::ColumnFamilyHandle* cf, const char* family, auto&& check) -> Status {
    const std::size_t before = findings->size();
    if (cf != workshops_) {
      for (const std::string& id : ids) {
        const std::string begin = workshop_prefix(id);
        const std::string end = workshop_end(id);
        rocksdb::Slice upper(end);
        rocksdb::ReadOptions bounded = ro;
        bounded.iterate_upper_bound = &upper;
        std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(bounded, cf));
        for (it->Seek(begin); it->Valid(); it->Next()) {
        }
        if (!it->status().ok())
          findings->push_back({id, std::string("family ") + family + ": its records cannot be read: " +
                                       it->status().ToString()});
      }
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    std::string last_good;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (std::string problem = check(it->key(), it->value()); !problem.empty())
        findings->push_back({owner(it->key()), std::string("family ") + family + ", key " +
                                                   printable_key(it->key()) + ": " + problem});
      last_good = it->key().ToString();
    }
    if (!it->status().ok() && (cf == workshops_ || findings->size() == before)) {
      // The block after the last good key cannot be read: name that spot.
      findings->push_back({last_good.empty() ? std::string() : owner(last_good),
                           std::string("family ") + family + ", after key " +
                               (last_good.empty() ? std::string("(start)") : printable_key(last_good)) + ": " +
                               it->status().ToString()});
    }
    return {};
  };
  const auto seq_record = [](auto message) {
    return [](const rocksdb::Slice& key, const rocksdb::Slice& value) -> std::string {
      decltype(message) m;
      if (key.size() < 9 || key[key.size() - 9] != '\0') return "malformed key";
      if (!m.ParseFromArray(value.data(), static_cast<int>(value.size()))) return "the record does not decode";
      if (m.seq() != get_be64(std::string_view(key.data() + key.size() - 8, 8)))
        return "the record names another seq";
      return {};
    };
  };
  if (auto s = scan(events_, kEventsFamily, seq_record(v1::EventRecord())); !s.ok()) return s;
  if (auto s = scan(snapshots_, kSnapshotsFamily, seq_record(v1::Snapshot())); !s.ok()) return s;
  if (auto s = scan(workshops_, kWorkshopsFamily,
                    [](const rocksdb::Slice& key, const rocksdb::Slice& value) -> std::string {
                      v1::WorkshopMeta m;
                      if (!m.ParseFromArray(value.data(), static_cast<int>(value.size())))
                        return "the metadata record does not decode";
                      if (m.id() != key.ToString()) return "the metadata names another workshop";
                      return {};
                    });
      !s.ok())
    return s;
  if (client_ops_) {
    if (auto s = scan(client_ops_, kClientOpsFamily,
                      [](const rocksdb::Slice&, const rocksdb::Slice& value) -> std::string {
                        return value.size() == 8 ? std::string() : "malformed idempotency record";
                      });
        !s.ok())
      return s;
  }
  return {};
}

Status RocksJournal::stats(std::string_view workshop_id, WorkshopStats* out) const {
  const std::string end = workshop_end(workshop_id);
  const std::string begin = workshop_prefix(workshop_id);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::uint64_t bytes = 0;
  const auto count = [&](rocksdb::ColumnFamilyHandle* cf, std::uint64_t* n) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    for (it->Seek(begin); it->Valid(); it->Next()) {
      ++*n;
      bytes += it->key().size() + it->value().size();
    }
    return convert(it->status(), "counting records");
  };
  *out = {};
  if (auto s = count(events_, &out->events); !s.ok()) return s;
  if (auto s = count(snapshots_, &out->snapshots); !s.ok()) return s;
  out->approximate_bytes = bytes;
  return {};
}

}  // namespace werkstatt::journal
