// Damage to a stopped journal's files: byte flips and truncations of the
// WAL, SST blocks (newest, old, metadata/footer) and the MANIFEST of a real
// RocksDB database in a temporary folder, each with its expected outcome.
// None may end in a silently shorter, empty or rewritten history.
#include <catch2/catch.hpp>

#include <rocksdb/db.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/journal_files.hpp"
#include "support/ops.hpp"
#include "support/recorder.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
using journal::RocksJournal;
using journal::Status;
namespace fs = std::filesystem;
namespace ops = werkstatt::test::ops;
using werkstatt::test::append_sync;
using werkstatt::test::Recorder;
using werkstatt::test::file_bytes;
using werkstatt::test::flush_behind;

namespace {


// Files of `dir` whose name ends in `suffix` (or starts with it, for "MANIFEST").
std::vector<fs::path> files_named(const fs::path& dir, const std::string& part) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.find(part) != std::string::npos) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The one file of `dir` holding `needle`, and where.
std::pair<fs::path, std::size_t> locate(const fs::path& dir, const std::string& needle) {
  std::vector<std::pair<fs::path, std::size_t>> found;
  for (const auto& f : files_named(dir, ".sst")) {
    const std::string bytes = file_bytes(f);
    if (const auto at = bytes.find(needle); at != std::string::npos) found.emplace_back(f, at);
  }
  INFO("looking for " << needle);
  REQUIRE(found.size() == 1);
  return found.front();
}

void flip_byte(const fs::path& file, std::size_t offset) {
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  REQUIRE(f);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5A));
  REQUIRE(f.good());
}


std::unique_ptr<RocksJournal> open_ok(const std::string& dir) {
  Status s;
  auto j = RocksJournal::open(dir, {}, &s);
  INFO(s.message());
  REQUIRE(j);
  return j;
}

void store(RocksJournal& j, const Recorder& w, const std::string& join_code = "K7Q2XP") {
  v1::WorkshopMeta meta;
  meta.set_id(w.workshop);
  meta.set_join_code(join_code);
  REQUIRE(j.put_workshop(meta).ok());
  REQUIRE(append_sync(j, w.records).ok());
}

// A workshop "w1" whose first note says `oldest` and newest says `newest`,
// with enough events between them to span many SST blocks, and a workshop
// "a0" (sorting before it) that must stay readable.
struct TwoWorkshops {
  Recorder other{"a0"};
  Recorder w1{"w1"};
  TwoWorkshops(const std::string& oldest, const std::string& newest) {
    other.standard_session(5);
    w1.standard_session(0);
    REQUIRE(w1.apply(ops::create_note("first", oldest, 0, 0, "a1"), "anna"));
    for (int i = 0; i < 300; ++i)
      REQUIRE(w1.apply(ops::create_note("n" + std::to_string(i), "Notiz Nummer " + std::to_string(i * 7919), i, i, "a1"),
                       "anna"));
    REQUIRE(w1.apply(ops::create_note("last", newest, 1, 1, "a1"), "anna"));
  }
};

}  // namespace

TEST_CASE("damage: a flipped byte in the SST block of a workshop's newest events - its head is an error, never 0, "
          "nothing is appended over it, the other workshop reads",
          "[journal][damage]") {
  test::TempDir dir;
  TwoWorkshops data("OLDEST-Kp2w9x", "NEWEST-Zq8x3v");
  {
    auto j = open_ok(dir / "db");
    store(*j, data.other);
    store(*j, data.w1);
  }
  flush_behind(dir / "db");
  const auto [file, at] = locate(dir.path() / "db", "NEWEST-Zq8x3v");
  flip_byte(file, at + 4);

  auto j = open_ok(dir / "db");
  std::uint64_t head = 12345;
  const Status s = j->read_head("w1", &head);
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains("w1"));
  CHECK(head == 12345);  // untouched: an unreadable head is never 0
  CHECK_FALSE(j->head_seq("w1").has_value());
  // An append that would start the history again at seq 1 is refused.
  Recorder fresh("w1");
  fresh.standard_session(0);
  const Status appended = append_sync(*j, {fresh.records.front()});
  CHECK(appended.code() == Status::Code::corruption);
  // The other workshop is intact.
  CHECK(j->head_seq("a0") == data.other.board.seq());
  Status rs;
  CHECK(history::rebuild(*j, "a0", UINT64_MAX, &rs));
  // And the damage is still there to be seen after the refused append.
  j.reset();
  j = open_ok(dir / "db");
  CHECK(j->read_head("w1", &head).code() == Status::Code::corruption);
}

TEST_CASE("damage: a flipped byte in an old SST block - the head reads, every read across it fails naming the "
          "workshop, verify() finds it",
          "[journal][damage]") {
  test::TempDir dir;
  TwoWorkshops data("OLDEST-Kp2w9x", "NEWEST-Zq8x3v");
  {
    auto j = open_ok(dir / "db");
    store(*j, data.other);
    store(*j, data.w1);
  }
  flush_behind(dir / "db");
  const auto [file, at] = locate(dir.path() / "db", "OLDEST-Kp2w9x");
  flip_byte(file, at + 4);

  auto j = open_ok(dir / "db");
  CHECK(j->head_seq("w1") == data.w1.board.seq());  // the newest block is fine
  std::vector<v1::EventRecord> out;
  const Status s = j->read_events("w1", 1, UINT64_MAX, 100000, &out);
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains("w1"));
  Status rs;
  CHECK_FALSE(history::rebuild(*j, "w1", UINT64_MAX, &rs));
  CHECK(rs.code() == Status::Code::corruption);
  std::vector<RocksJournal::Finding> findings;
  REQUIRE(j->verify(&findings).ok());
  // The damaged block is w1's (and may also hold a0's last events: then a0 is named too).
  const auto w1 = std::find_if(findings.begin(), findings.end(), [](const auto& f) { return f.workshop_id == "w1"; });
  REQUIRE(w1 != findings.end());
  CHECK_THAT(w1->what, Catch::Contains("family events"));
}

TEST_CASE("damage: a workshop's metadata - a record that does not decode is listed as damaged, a damaged block "
          "fails the listing - neither is skipped",
          "[journal][damage]") {
  test::TempDir dir;
  Recorder a("a0"), w("w1");
  a.standard_session(1);
  w.standard_session(1);
  {
    auto j = open_ok(dir / "db");
    store(*j, a, "JOINAA-Q7m2");
    store(*j, w, "JOINWW-R4t8");
  }
  SECTION("a record that does not decode") {
    {
      std::vector<std::string> names;
      REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir / "db", &names).ok());
      std::vector<rocksdb::ColumnFamilyDescriptor> families;
      for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      rocksdb::DB* db = nullptr;
      REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), dir / "db", families, &handles, &db).ok());
      const auto cf = std::find(names.begin(), names.end(), "workshops") - names.begin();
      REQUIRE(db->Put(rocksdb::WriteOptions(), handles[static_cast<std::size_t>(cf)], "w1", "\xff\xff garbage").ok());
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
      delete db;
    }
    auto j = open_ok(dir / "db");
    std::vector<v1::WorkshopMeta> metas;
    std::vector<journal::DamagedWorkshop> damaged;
    REQUIRE(j->workshops(&metas, &damaged).ok());
    REQUIRE(metas.size() == 1);
    CHECK(metas.front().id() == "a0");
    REQUIRE(damaged.size() == 1);
    CHECK(damaged.front().workshop_id == "w1");
    CHECK(damaged.front().status.code() == Status::Code::corruption);
    v1::WorkshopMeta meta;
    CHECK(j->workshop("w1", &meta).code() == Status::Code::corruption);
    CHECK(j->workshop("a0", &meta).ok());
  }
  SECTION("a flipped byte in the SST block") {
    flush_behind(dir / "db");
    const auto [file, at] = locate(dir.path() / "db", "JOINWW-R4t8");
    flip_byte(file, at + 2);
    auto j = open_ok(dir / "db");
    std::vector<v1::WorkshopMeta> metas;
    std::vector<journal::DamagedWorkshop> damaged;
    const Status s = j->workshops(&metas, &damaged);
    CHECK(s.code() == Status::Code::corruption);
    v1::WorkshopMeta meta;
    CHECK(j->workshop("w1", &meta).code() == Status::Code::corruption);
  }
}

TEST_CASE("damage: an SST file's metadata (its footer) - never an empty or shorter history", "[journal][damage]") {
  test::TempDir dir;
  TwoWorkshops data("OLDEST-Kp2w9x", "NEWEST-Zq8x3v");
  {
    auto j = open_ok(dir / "db");
    store(*j, data.other);
    store(*j, data.w1);
  }
  flush_behind(dir / "db");
  const auto [file, at] = locate(dir.path() / "db", "NEWEST-Zq8x3v");
  const auto size = fs::file_size(file);
  flip_byte(file, size - 52);  // the footer's metaindex handle (footer: 53 bytes, checksum type first)
  Status s;
  auto j = RocksJournal::open(dir / "db", {}, &s);
  if (!j) {
    // Refused at open: corruption, with advice.
    CHECK(s.code() == Status::Code::corruption);
    CHECK_THAT(s.message(), Catch::Contains("restore"));
  } else {
    std::uint64_t head = 0;
    CHECK_FALSE(j->read_head("w1", &head).ok());
  }
}

TEST_CASE("damage: the MANIFEST - open is refused as corruption with advice, nothing is created afresh",
          "[journal][damage]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(20);
  {
    auto j = open_ok(dir / "db");
    store(*j, w);
  }
  const auto manifests = files_named(dir.path() / "db", "MANIFEST-");
  REQUIRE(manifests.size() == 1);
  flip_byte(manifests.front(), fs::file_size(manifests.front()) / 2);
  Status s;
  CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains("restore"));
  // A second try fails the same way (the first did not replace the database).
  CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
  CHECK(s.code() == Status::Code::corruption);
}

TEST_CASE("damage: the WAL after a power loss - a torn last record is dropped, a flipped byte in the middle "
          "refuses to open",
          "[journal][damage][wal]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(40);
  const std::uint64_t n = w.records.size();
  {
    auto j = open_ok(dir / "db");
    v1::WorkshopMeta meta;
    meta.set_id("w1");
    REQUIRE(j->put_workshop(meta).ok());
    for (const auto& r : w.records) REQUIRE(append_sync(*j, {r}).ok());  // one WAL record each
    // The files as a power loss would leave them: everything synced, only in the WAL.
    fs::copy(dir / "db", dir / "torn", fs::copy_options::recursive);
    fs::copy(dir / "db", dir / "flipped", fs::copy_options::recursive);
  }
  SECTION("torn tail") {
    const auto logs = files_named(dir.path() / "torn", ".log");
    REQUIRE(logs.size() == 1);
    fs::resize_file(logs.front(), fs::file_size(logs.front()) - 5);  // the last record, cut short
    auto j = open_ok(dir / "torn");
    CHECK(j->head_seq("w1") == n - 1);
    std::vector<v1::EventRecord> out;
    REQUIRE(j->read_events("w1", 1, UINT64_MAX, 1000, &out).ok());
    CHECK(out.size() == n - 1);
  }
  SECTION("a flipped byte in the middle") {
    const auto logs = files_named(dir.path() / "flipped", ".log");
    REQUIRE(logs.size() == 1);
    flip_byte(logs.front(), fs::file_size(logs.front()) / 2);
    Status s;
    CHECK_FALSE(RocksJournal::open(dir / "flipped", {}, &s));
    CHECK(s.code() == Status::Code::corruption);
    CHECK_THAT(s.message(), Catch::Contains("restore"));
  }
}

TEST_CASE("damage: after a clean stop nothing lives only in the WAL - a WAL cut short or emptied loses nothing",
          "[journal][damage][wal]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(40);
  {
    auto j = open_ok(dir / "db");
    v1::WorkshopMeta meta;
    meta.set_id("w1");
    REQUIRE(j->put_workshop(meta).ok());
    for (const auto& r : w.records) REQUIRE(append_sync(*j, {r}).ok());
  }
  for (const auto& log : files_named(dir.path() / "db", ".log")) fs::resize_file(log, 0);
  auto j = open_ok(dir / "db");
  CHECK(j->head_seq("w1") == w.records.size());
  v1::WorkshopMeta meta;
  CHECK(j->workshop("w1", &meta).ok());
}

TEST_CASE("damage: an SST file cut short - open is refused as corruption with advice, never a shorter history",
          "[journal][damage]") {
  test::TempDir dir;
  TwoWorkshops data("OLDEST-Kp2w9x", "NEWEST-Zq8x3v");
  {
    auto j = open_ok(dir / "db");
    store(*j, data.other);
    store(*j, data.w1);
  }
  flush_behind(dir / "db");
  const auto [file, at] = locate(dir.path() / "db", "NEWEST-Zq8x3v");
  SECTION("by a few bytes (its footer gone)") { fs::resize_file(file, fs::file_size(file) - 10); }
  SECTION("to half its size") { fs::resize_file(file, fs::file_size(file) / 2); }
  SECTION("to nothing") { fs::resize_file(file, 0); }
  Status s;
  CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains("restore"));
  // Still refused on a second try: the first open replaced nothing.
  CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
  CHECK(s.code() == Status::Code::corruption);
}

namespace {

// Name and size of every file RocksDB keeps in `dir`: what "nothing was changed" compares.
std::string listing(const fs::path& dir) {
  std::vector<std::string> lines;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name == "LOCK" || name.starts_with("LOG")) continue;
    lines.push_back(name + " " + std::to_string(fs::file_size(e.path())));
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("damage: the MANIFEST of a stopped journal cut short at every length - the whole history or refused as "
          "corruption, never an older (shorter) version, nothing changed",
          "[journal][damage]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(20);
  Recorder later = w;
  for (int i = 0; i < 10; ++i) REQUIRE(later.apply(ops::create_note("later" + std::to_string(i), "später"), "anna"));
  {
    auto j = open_ok(dir / "db");
    store(*j, w);
  }
  {
    // A second session, flushed on its clean stop into an SST file that only
    // the MANIFEST's last records name. Without the clean-stop mark, a
    // MANIFEST cut by 16 bytes or more opened at head 30 of 40 without a word
    // (RocksDB takes the version before and deletes the newer file).
    auto j = open_ok(dir / "db");
    const std::vector<v1::EventRecord> tail(later.records.begin() + static_cast<std::ptrdiff_t>(w.records.size()),
                                            later.records.end());
    REQUIRE(append_sync(*j, tail).ok());
  }
  const auto manifests = files_named(dir.path() / "db", "MANIFEST-");
  REQUIRE(manifests.size() == 1);
  const auto name = manifests.front().filename();
  const auto size = fs::file_size(manifests.front());
  std::size_t opened = 0, refused = 0;
  for (std::uintmax_t cut = 1; cut < size; cut += cut < 64 ? 1 : 3) {
    INFO("MANIFEST of " << size << " bytes, cut by " << cut);
    const fs::path copy = dir.path() / "cut";
    fs::remove_all(copy);
    fs::copy(dir.path() / "db", copy, fs::copy_options::recursive);
    fs::resize_file(copy / name, size - cut);
    const std::string before = listing(copy);
    journal::RocksJournalOptions read_only;
    read_only.read_only = true;
    for (const bool writable : {true, false}) {
      Status s;
      auto j = RocksJournal::open(copy.string(), writable ? journal::RocksJournalOptions() : read_only, &s);
      INFO((writable ? "writable: " : "read-only: ") << s.message());
      if (j) {
        CHECK(j->head_seq("w1") == later.records.size());
        std::vector<v1::EventRecord> all;
        CHECK(j->read_events("w1", 1, UINT64_MAX, 1000, &all).ok());
        CHECK(all.size() == later.records.size());
        opened += writable;
        break;  // a writable open rewrites the MANIFEST: the read-only try would test another file
      }
      CHECK(s.code() == Status::Code::corruption);
      CHECK_THAT(s.message(), Catch::Contains("restore"));
      CHECK(listing(copy) == before);  // refused without touching a file
      refused += writable;
    }
  }
  // Both outcomes occur (a cut within the last, redundant record opens whole).
  CHECK(opened > 0);
  CHECK(refused > 0);
}

TEST_CASE("damage: the clean-stop mark - a damaged mark refuses to open, a journal without one opens", "[journal][damage]") {
  test::TempDir dir;
  Recorder w("w1");
  w.standard_session(5);
  {
    auto j = open_ok(dir / "db");
    store(*j, w);
  }
  const fs::path mark = dir.path() / "db" / "WERKSTATT-CLEAN-STOP";
  REQUIRE(fs::exists(mark));
  CHECK_THAT(file_bytes(mark), Catch::StartsWith("sequence "));
  SECTION("damaged") {
    std::ofstream(mark, std::ios::binary | std::ios::trunc) << "sequence 12x\n";
    Status s;
    CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
    CHECK(s.code() == Status::Code::corruption);
    CHECK_THAT(s.message(), Catch::Contains("WERKSTATT-CLEAN-STOP"));
  }
  SECTION("absent (a journal from before the mark)") {
    fs::remove(mark);
    auto j = open_ok(dir / "db");
    CHECK(j->head_seq("w1") == w.records.size());
  }
  SECTION("cut short") {
    const std::string text = file_bytes(mark);
    std::ofstream(mark, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() - 4);
    Status s;
    CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
    CHECK(s.code() == Status::Code::corruption);
  }
  SECTION("above the database's sequence (the journal went back)") {
    std::string text = file_bytes(mark);
    text.replace(0, text.find('\n'), "sequence 999999");
    std::ofstream(mark, std::ios::binary | std::ios::trunc) << text;
    Status s;
    CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
    CHECK(s.code() == Status::Code::corruption);
    CHECK_THAT(s.message(), Catch::Contains("not what it was at its last clean stop"));
    CHECK(fs::exists(mark));  // refused before anything changed
  }
  SECTION("naming a file that is gone") {
    std::string text = file_bytes(mark);
    text.insert(text.find('\n') + 1, "file events 999999.sst 1234\n");
    std::ofstream(mark, std::ios::binary | std::ios::trunc) << text;
    Status s;
    CHECK_FALSE(RocksJournal::open(dir / "db", {}, &s));
    CHECK_THAT(s.message(), Catch::Contains("999999.sst"));
  }
  SECTION("a writable open removes it (a crash then leaves none to mislead), a clean stop writes it again") {
    {
      auto j = open_ok(dir / "db");
      CHECK_FALSE(fs::exists(mark));
    }
    CHECK(fs::exists(mark));
    journal::RocksJournalOptions ro;
    ro.read_only = true;
    Status s;
    CHECK(RocksJournal::open(dir / "db", ro, &s));
    CHECK(fs::exists(mark));  // a read-only open leaves it
  }
}

TEST_CASE("damage: a backup of a journal with a damaged block fails naming the file, it never copies the damage",
          "[journal][damage][backup]") {
  test::TempDir dir;
  TwoWorkshops data("OLDEST-Kp2w9x", "NEWEST-Zq8x3v");
  {
    auto j = open_ok(dir / "db");
    store(*j, data.other);
    store(*j, data.w1);
  }
  flush_behind(dir / "db");
  const auto [file, at] = locate(dir.path() / "db", "OLDEST-Kp2w9x");
  flip_byte(file, at + 4);
  const Status s = RocksJournal::backup(dir / "db", dir / "bk");
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains(file.filename().string()));
}
