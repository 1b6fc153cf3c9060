// The RocksDB journal over a real database in a per-test temporary directory.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <random>
#include <sstream>
#include <thread>

#include "support/ops.hpp"
#include "support/journal_checks.hpp"
#include "support/recorder.hpp"
#include "support/render.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/memory_journal.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
using journal::RocksJournal;
using journal::Status;
namespace ops = werkstatt::test::ops;
using werkstatt::test::append_sync;
using werkstatt::test::Recorder;
using werkstatt::test::render_head;

namespace {

std::unique_ptr<RocksJournal> open_journal(const std::string& dir) {
  Status s;
  auto j = RocksJournal::open(dir, {}, &s);
  INFO(s.message());
  REQUIRE(j);
  return j;
}

std::vector<v1::WorkshopMeta> list_workshops(const journal::Journal& j) {
  std::vector<v1::WorkshopMeta> out;
  std::vector<journal::DamagedWorkshop> damaged;
  REQUIRE(j.workshops(&out, &damaged).ok());
  CHECK(damaged.empty());
  return out;
}

std::optional<v1::WorkshopMeta> meta_of(const journal::Journal& j, const std::string& id) {
  v1::WorkshopMeta meta;
  const Status s = j.workshop(id, &meta);
  if (s.code() == Status::Code::not_found) return std::nullopt;
  INFO(s.message());
  REQUIRE(s.ok());
  return meta;
}


}  // namespace

TEST_CASE("journal: events round-trip and survive a reopen", "[journal]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(50);
  std::string before;
  {
    auto j = open_journal(dir / "db");
    v1::WorkshopMeta meta;
    meta.set_id("w1");
    meta.set_join_code("K7Q2XP");
    REQUIRE(j->put_workshop(meta).ok());
    // Appends of several records and of single records.
    std::vector<v1::EventRecord> first(w.records.begin(), w.records.begin() + 10);
    REQUIRE(append_sync(*j, first).ok());
    for (std::size_t i = 10; i < w.records.size(); ++i) REQUIRE(append_sync(*j, {w.records[i]}).ok());
    CHECK(j->head_seq("w1") == w.board.seq());
    CHECK(j->head_seq("w2") == 0);
    before = render_head(*j, "w1");
    CHECK(before == test::render(w.board.state()));
  }
  auto j = open_journal(dir / "db");
  CHECK(render_head(*j, "w1") == before);
  CHECK(j->head_seq("w1") == w.board.seq());
  REQUIRE(list_workshops(*j).size() == 1);
  CHECK(meta_of(*j, "w1")->join_code() == "K7Q2XP");
  CHECK_FALSE(meta_of(*j, "nope"));

  std::vector<v1::EventRecord> page;
  REQUIRE(j->read_events("w1", 5, 9, 100, &page).ok());
  REQUIRE(page.size() == 5);
  CHECK(page.front().seq() == 5);
  CHECK(page.back().seq() == 9);
  CHECK(page[2].SerializeAsString() == w.records[6].SerializeAsString());
  page.clear();
  REQUIRE(j->read_events("w1", 1, UINT64_MAX, 7, &page).ok());
  CHECK(page.size() == 7);
}

TEST_CASE("journal: an append must continue the workshop's seq - nothing is written otherwise", "[journal]") {
  test::TempDir dir;
  auto j = open_journal(dir / "db");
  Recorder w("w1");
  w.standard_session(3);
  CHECK(append_sync(*j, {w.records[1]}).code() == Status::Code::invalid_argument);  // seq 2 before 1
  REQUIRE(append_sync(*j, {w.records[0], w.records[1]}).ok());
  CHECK(append_sync(*j, {w.records[1]}).code() == Status::Code::invalid_argument);  // duplicate
  v1::EventRecord other = w.records[2];
  other.set_workshop_id("w2");
  CHECK(append_sync(*j, {w.records[2], other}).code() == Status::Code::invalid_argument);  // mixed workshops
  CHECK(append_sync(*j, {}).code() == Status::Code::invalid_argument);
  CHECK(j->head_seq("w1") == 2);
  REQUIRE(append_sync(*j, {w.records[2]}).ok());
  CHECK(j->head_seq("w1") == 3);
}

TEST_CASE("journal: events and the metadata they change are stored in one write - both or neither", "[journal]") {
  test::TempDir dir;
  auto j = open_journal(dir / "db");
  Recorder w("w1");
  w.standard_session(2);
  v1::WorkshopMeta meta;
  meta.set_id("w1");
  meta.set_join_code("AAAAAA");
  REQUIRE(j->put_workshop(meta).ok());
  const auto with_meta = [&](std::vector<v1::EventRecord> records, const std::string& code) {
    v1::WorkshopMeta changed = meta;
    changed.set_join_code(code);
    std::promise<Status> done;
    j->append_with_meta(std::move(records), changed, [&](const Status& s) { done.set_value(s); });
    return done.get_future().get();
  };
  // A refused append (seq 2 before 1) stores neither.
  CHECK(with_meta({w.records[1]}, "BBBBBB").code() == Status::Code::invalid_argument);
  CHECK(meta_of(*j, "w1")->join_code() == "AAAAAA");
  CHECK(j->head_seq("w1") == 0);
  // An accepted one stores both, in one synced batch.
  REQUIRE(with_meta({w.records[0], w.records[1]}, "CCCCCC").ok());
  CHECK(j->head_seq("w1") == 2);
  CHECK(meta_of(*j, "w1")->join_code() == "CCCCCC");
  // And both survive a reopen.
  j.reset();
  j = open_journal(dir / "db");
  CHECK(j->head_seq("w1") == 2);
  CHECK(meta_of(*j, "w1")->join_code() == "CCCCCC");
}

TEST_CASE("journal: concurrent appends from many workshops complete in order per workshop", "[journal][group-commit]") {
  test::TempDir dir;
  auto j = open_journal(dir / "db");
  constexpr int kWorkshops = 8;
  constexpr int kEvents = 300;
  std::vector<Recorder> recorders;
  for (int w = 0; w < kWorkshops; ++w) {
    recorders.emplace_back("w" + std::to_string(w));
    recorders.back().standard_session(kEvents);
  }
  test::append_concurrently(*j, recorders, std::chrono::seconds(30));
}

TEST_CASE("journal: snapshot + tail equals full replay at every seq", "[journal][replay]") {
  test::TempDir dir;
  auto j = open_journal(dir / "db");
  Recorder w("w1");
  w.standard_session(0);
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    const std::string id = "n" + std::to_string(rng() % 60);
    switch (rng() % 5) {
      case 0: w.apply(ops::create_note(id, "Idee " + std::to_string(i)), "anna"); break;
      case 1: w.apply(ops::update_note_text(id, "neu " + std::to_string(i)), "anna"); break;
      case 2: w.apply(ops::move(v1::OBJECT_KIND_NOTE, id, i, -i), "anna"); break;
      case 3: w.apply(ops::vote(id), "anna"); break;
      default: w.apply(ops::remove(v1::OBJECT_KIND_NOTE, id), "anna"); break;
    }
  }
  REQUIRE(append_sync(*j, w.records).ok());
  // The expected state at each seq, from a plain replay in memory.
  std::vector<std::string> expected{""};
  board::Board b;
  for (const auto& r : w.records) {
    REQUIRE_FALSE(b.replay(history::to_event(r)));
    expected.push_back(b.serialize());
    // Snapshot every 37 events, as the live server does every K.
    if (r.seq() % 37 == 0) {
      v1::Snapshot snap;
      snap.set_workshop_id("w1");
      snap.set_seq(r.seq());
      *snap.mutable_state() = b.state();
      REQUIRE(j->put_snapshot(snap).ok());
    }
  }
  v1::Snapshot snap;
  REQUIRE(j->latest_snapshot("w1", 40, &snap).ok());
  CHECK(snap.seq() == 37);
  CHECK(j->latest_snapshot("w1", 36, &snap).code() == Status::Code::not_found);
  for (std::uint64_t seq = 1; seq <= w.board.seq(); ++seq) {
    Status s;
    auto at = history::rebuild(*j, "w1", seq, &s);
    INFO("seq " << seq << ": " << s.message());
    REQUIRE(at);
    REQUIRE(at->seq() == seq);
    REQUIRE(at->serialize() == expected[seq]);
  }
}

TEST_CASE("journal: a corrupt record is reported with its key, never skipped", "[journal][corruption]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(5);
  {
    auto j = open_journal(dir / "db");
    REQUIRE(append_sync(*j, w.records).ok());
  }
  {
    // Damage seq 4 behind the journal's back.
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir / "db", &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir / "db", families, &handles, &db).ok());
    const auto events = static_cast<std::size_t>(std::find(names.begin(), names.end(), "events") - names.begin());
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[events], RocksJournal::event_key("w1", 4), "\xff\xff garbage").ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto j = open_journal(dir / "db");
  std::vector<v1::EventRecord> out;
  const Status s = j->read_events("w1", 1, UINT64_MAX, 100, &out);
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains("w1\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x04"));
  Status rs;
  CHECK_FALSE(history::rebuild(*j, "w1", UINT64_MAX, &rs));
  CHECK(rs.code() == Status::Code::corruption);
  // "The state at the time of seq 4" must read seq 4: an error, not seq 3.
  const auto fourth = std::find_if(w.records.begin(), w.records.end(), [](const auto& r) { return r.seq() == 4; });
  REQUIRE(fourth != w.records.end());
  Status ts;
  CHECK_FALSE(history::seq_at_time(*j, "w1", fourth->time_ms(), &ts));
  CHECK(ts.code() == Status::Code::corruption);
}

TEST_CASE("journal: delete-workshop leaves no key and no trace in the files", "[journal][erase]") {
  test::TempDir dir;
  auto j = open_journal(dir / "db");
  Recorder keep("keep");
  keep.standard_session(5);
  Recorder gone("gone");
  gone.standard_session(0);
  REQUIRE(gone.apply(ops::create_note("secret", "Geheimnis-7f3a9c Vertraulich"), "anna"));
  for (auto* w : {&keep, &gone}) {
    v1::WorkshopMeta meta;
    meta.set_id(w->workshop);
    REQUIRE(j->put_workshop(meta).ok());
    REQUIRE(append_sync(*j, w->records).ok());
  }
  v1::Snapshot snap;
  snap.set_workshop_id("gone");
  snap.set_seq(gone.board.seq());
  *snap.mutable_state() = gone.board.state();
  REQUIRE(j->put_snapshot(snap).ok());

  REQUIRE(j->erase_workshop("gone").ok());
  CHECK(j->head_seq("gone") == 0);
  CHECK_FALSE(meta_of(*j, "gone"));
  CHECK(j->latest_snapshot("gone", UINT64_MAX, &snap).code() == Status::Code::not_found);
  RocksJournal::WorkshopStats st;
  REQUIRE(j->stats("gone", &st).ok());
  CHECK(st.events == 0);
  CHECK(st.snapshots == 0);
  // The other workshop is intact.
  CHECK(render_head(*j, "keep") == test::render(keep.board.state()));
  j.reset();

  // No file of the database still contains the deleted note's text.
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "db")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    INFO(entry.path());
    CHECK(bytes.str().find("Geheimnis-7f3a9c") == std::string::npos);
  }
}

TEST_CASE("journal: a checkpoint taken while open restores an identical state", "[journal][backup]") {
  test::TempDir dir;
  auto j = open_journal(dir / "db");
  Recorder w("w1");
  w.standard_session(30);
  REQUIRE(append_sync(*j, w.records).ok());
  REQUIRE(j->checkpoint(dir / "backup").ok());
  CHECK_FALSE(j->checkpoint(dir / "backup").ok());  // refuses to overwrite
  // Later appends do not reach the backup.
  Recorder more = w;
  REQUIRE(more.apply(ops::create_note("late", "nach dem Backup"), "anna"));
  REQUIRE(append_sync(*j, {more.records.back()}).ok());
  auto restored = open_journal(dir / "backup");
  CHECK(render_head(*restored, "w1") == test::render(w.board.state()));
}

TEST_CASE("journal: a full disk fails appends, loses nothing acknowledged, and recovers", "[journal][disk-full]") {
  if (geteuid() != 0) FAIL("this test mounts a small tmpfs and must run as root (CI does)");
  test::TempDir dir;
  const std::string mnt = dir / "small";
  std::filesystem::create_directories(mnt);
  REQUIRE(mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=3m") == 0);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};

  std::vector<std::uint64_t> acked;
  Recorder w("w1");
  w.standard_session(0);
  Status failure;
  {
    auto j = open_journal(mnt + "/db");
    REQUIRE(append_sync(*j, w.records).ok());
    for (const auto& r : w.records) acked.push_back(r.seq());
    const std::string big(480, 'x');
    for (int i = 0; i < 20000 && failure.ok(); ++i) {
      REQUIRE(w.apply(ops::create_note("n" + std::to_string(i), big), "anna"));
      failure = append_sync(*j, {w.records.back()});
      if (failure.ok()) acked.push_back(w.records.back().seq());
    }
    REQUIRE_FALSE(failure.ok());
    CHECK((failure.code() == Status::Code::no_space || failure.code() == Status::Code::io_error));
    INFO(failure.message());
    // Every later append fails fast until space returns.
    v1::EventRecord next = w.records.back();
    CHECK_FALSE(append_sync(*j, {next}).ok());
    CHECK_FALSE(j->retry_writes().ok());

    // Free space: grow the tmpfs, then writes resume at the first unstored seq.
    REQUIRE(mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
    const Status resumed = j->retry_writes();
    INFO(resumed.message());
    REQUIRE(resumed.ok());
    CHECK(j->head_seq("w1") == acked.back());
    REQUIRE(append_sync(*j, {w.records.back()}).ok());
    acked.push_back(w.records.back().seq());
  }
  // After a restart every acknowledged event is there, exactly once, in order.
  auto j = open_journal(mnt + "/db");
  std::vector<v1::EventRecord> stored;
  REQUIRE(j->read_events("w1", 1, UINT64_MAX, 1'000'000, &stored).ok());
  REQUIRE(stored.size() == acked.size());
  for (std::size_t i = 0; i < stored.size(); ++i) REQUIRE(stored[i].seq() == acked[i]);
}

TEST_CASE("memory journal: same contract, and simulated write failures", "[journal][memory]") {
  journal::MemoryJournal j;
  Recorder w("w1");
  w.standard_session(5);
  REQUIRE(append_sync(j, w.records).ok());
  CHECK(render_head(j, "w1") == test::render(w.board.state()));
  j.fail_writes(true);
  REQUIRE(w.apply(ops::create_note("x", "x"), "anna"));
  CHECK(append_sync(j, {w.records.back()}).code() == Status::Code::no_space);
  CHECK_FALSE(j.retry_writes().ok());
  j.fail_writes(false);
  REQUIRE(j.retry_writes().ok());
  REQUIRE(append_sync(j, {w.records.back()}).ok());
  CHECK(j.head_seq("w1") == w.board.seq());
}

TEST_CASE("journal: backup works with the database free and held by a server", "[journal][backup]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(40);
  const std::string expected = test::render(w.board.state());
  {
    auto j = open_journal(dir / "db");
    v1::WorkshopMeta meta;
    meta.set_id("w1");
    REQUIRE(j->put_workshop(meta).ok());
    REQUIRE(append_sync(*j, w.records).ok());
    // Held: this process has the database open for writing, as a server would.
    const Status held = RocksJournal::backup(dir / "db", dir / "while-serving");
    INFO(held.message());
    REQUIRE(held.ok());
    CHECK(RocksJournal::backup(dir / "db", dir / "while-serving").code() == Status::Code::invalid_argument);
  }
  REQUIRE(RocksJournal::backup(dir / "db", dir / "stopped").ok());
  CHECK(RocksJournal::backup(dir / "nothing-here", dir / "x").code() == Status::Code::not_found);
  for (const char* copy : {"while-serving", "stopped"}) {
    auto j = open_journal(dir / copy);
    INFO(copy);
    CHECK(render_head(*j, "w1") == expected);
    CHECK(meta_of(*j, "w1"));
  }
}

TEST_CASE("journal: a read-only journal reads but refuses every write", "[journal]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(3);
  auto writer = open_journal(dir / "db");
  REQUIRE(append_sync(*writer, w.records).ok());
  journal::RocksJournalOptions options;
  options.read_only = true;
  Status st;
  auto reader = RocksJournal::open(dir / "db", options, &st);
  INFO(st.message());
  REQUIRE(reader);
  CHECK(render_head(*reader, "w1") == test::render(w.board.state()));
  REQUIRE(w.apply(ops::create_note("x", "x"), "anna"));
  CHECK(append_sync(*reader, {w.records.back()}).code() == Status::Code::read_only);
  CHECK(reader->put_workshop(v1::WorkshopMeta()).code() == Status::Code::read_only);
  CHECK(reader->erase_workshop("w1").code() == Status::Code::read_only);
  // The writer is unaffected.
  CHECK(append_sync(*writer, {w.records.back()}).ok());
}
