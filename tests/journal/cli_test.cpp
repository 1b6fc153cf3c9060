// The journal subcommands of the real werkstatt binary, run as a user would.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <sys/wait.h>

#include <rocksdb/db.h>

#include <algorithm>
#include <sstream>

#include "support/process.hpp"
#include "support/recorder.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/journal/open.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;

namespace {

using werkstatt::test::Run;

Run run(const std::string& args) { return werkstatt::test::run_shell(std::string(WERKSTATT_BINARY) + " " + args); }

// A data folder with two recorded workshops.
void make_data(const std::string& data) {
  journal::Status st;
  auto j = journal::RocksJournal::open(journal::journal_dir(data), {}, &st);
  REQUIRE(j);
  for (const char* id : {"alpha", "beta"}) {
    test::Recorder w(id);
    w.standard_session(12);
    REQUIRE(w.apply(ops::create_note("marker", std::string("Merkmal ") + id), "anna"));
    v1::WorkshopMeta meta;
    meta.set_id(id);
    meta.set_created_ms(1'764'158'400'000);
    REQUIRE(j->put_workshop(meta).ok());
    REQUIRE(test::append_sync(*j, w.records).ok());
  }
}

}  // namespace

TEST_CASE("cli: inspect and export read a journal", "[cli]") {
  test::TempDir dir;
  const std::string data = dir / "var";
  make_data(data);
  const Run inspect = run("inspect --data " + data);
  INFO(inspect.output);
  CHECK(inspect.exit_code == 0);
  CHECK_THAT(inspect.output, Catch::Contains("alpha") && Catch::Contains("beta"));

  const Run md = run("export --data " + data + " --workshop beta --format md");
  INFO(md.output);
  CHECK(md.exit_code == 0);
  CHECK_THAT(md.output, Catch::Contains("# Protokoll") && Catch::Contains("Merkmal beta"));
  CHECK_THAT(md.output, !Catch::Contains("Merkmal alpha"));

  // At an earlier seq the marker note does not exist yet.
  const Run early = run("export --data " + data + " --workshop beta --format csv --seq 5");
  CHECK(early.exit_code == 0);
  CHECK_THAT(early.output, !Catch::Contains("Merkmal"));

  const Run to_file = run("export --data " + data + " --workshop alpha --format json --out " + (dir / "a.json"));
  CHECK(to_file.exit_code == 0);
  CHECK(std::filesystem::file_size(dir / "a.json") > 100);

  const Run unknown = run("export --data " + data + " --workshop nope");
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Catch::Contains("no workshop nope"));
  const Run no_data = run("inspect --data " + (dir / "empty"));
  CHECK(no_data.exit_code == 1);
  CHECK_THAT(no_data.output, Catch::Contains("there is no journal"));
  CHECK(run("export --data " + data + " --workshop beta --format gif").exit_code != 0);
}

TEST_CASE("cli: backup, restore and delete-workshop", "[cli]") {
  test::TempDir dir;
  const std::string data = dir / "var";
  make_data(data);
  REQUIRE(run("backup --data " + data + " --to " + (dir / "bk")).exit_code == 0);
  CHECK(run("backup --data " + data + " --to " + (dir / "bk")).exit_code == 1);  // never overwrites

  const Run no_confirm = run("delete-workshop --data " + data + " --workshop alpha");
  CHECK(no_confirm.exit_code == 1);
  CHECK_THAT(no_confirm.output, Catch::Contains("--yes"));
  REQUIRE(run("delete-workshop --data " + data + " --workshop alpha --yes").exit_code == 0);
  CHECK(run("delete-workshop --data " + data + " --workshop alpha --yes").exit_code == 1);
  const Run after = run("inspect --data " + data);
  CHECK_THAT(after.output, !Catch::Contains("alpha") && Catch::Contains("beta"));

  // Restoring refuses to overwrite, then replaces and keeps the old journal.
  CHECK(run("restore --data " + data + " --from " + (dir / "bk")).exit_code == 1);
  const Run restored = run("restore --data " + data + " --from " + (dir / "bk") + " --replace");
  INFO(restored.output);
  REQUIRE(restored.exit_code == 0);
  CHECK_THAT(run("inspect --data " + data).output, Catch::Contains("alpha"));
  CHECK_THAT(run("export --data " + data + " --workshop alpha").output, Catch::Contains("Merkmal alpha"));
  bool kept = false;
  for (const auto& e : std::filesystem::directory_iterator(data))
    kept |= e.path().filename().string().starts_with("journal.replaced-");
  CHECK(kept);
}

namespace {

// The lines of `output` that carry a RocksDB diagnostic or a warning/error level.
std::vector<std::string> noisy_lines(const std::string& output) {
  std::vector<std::string> out;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);)
    if (line.find("rocksdb:") != std::string::npos || line.find("WARN") != std::string::npos ||
        line.find("ERROR") != std::string::npos)
      out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("cli: a successful backup and restore print no RocksDB WARN or ERROR line", "[cli][noise]") {
  test::TempDir dir;
  const std::string data = dir / "var";
  make_data(data);
  const auto quiet = [](const Run& r, const char* what) {
    INFO(what << ":\n" << r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(noisy_lines(r.output) == std::vector<std::string>{});
  };
  // The journal free (no server).
  quiet(run("backup --data " + data + " --to " + (dir / "bk")), "backup");
  // Into an empty data folder, and over an existing journal.
  quiet(run("restore --data " + (dir / "fresh") + " --from " + (dir / "bk")), "restore into a new data folder");
  quiet(run("restore --data " + data + " --from " + (dir / "bk") + " --replace"), "restore --replace");
  {
    // The journal held, as by a running server.
    journal::Status st;
    auto held = journal::RocksJournal::open(journal::journal_dir(data), {}, &st);
    REQUIRE(held);
    quiet(run("backup --data " + data + " --to " + (dir / "live-bk")), "backup while held");
  }
  // What they wrote is usable.
  for (const char* restored : {"fresh", "var"}) {
    const Run exported = run("export --data " + (dir / restored) + " --workshop alpha");
    CHECK(exported.exit_code == 0);
    CHECK_THAT(exported.output, Catch::Contains("Merkmal alpha"));
  }
  quiet(run("restore --data " + (dir / "from-live") + " --from " + (dir / "live-bk")), "restore of a live backup");
  CHECK_THAT(run("export --data " + (dir / "from-live") + " --workshop beta").output, Catch::Contains("Merkmal beta"));
}

TEST_CASE("cli: writing commands refuse while a server holds the journal", "[cli]") {
  test::TempDir dir;
  const std::string data = dir / "var";
  make_data(data);
  journal::Status st;
  auto held = journal::RocksJournal::open(journal::journal_dir(data), {}, &st);  // as a running server would
  REQUIRE(held);
  const Run del = run("delete-workshop --data " + data + " --workshop alpha --yes");
  CHECK(del.exit_code == 1);
  CHECK_THAT(del.output, Catch::Contains("stop the server first"));
  // Reading commands still work.
  CHECK(run("export --data " + data + " --workshop alpha").exit_code == 0);
  CHECK(run("backup --data " + data + " --to " + (dir / "live-bk")).exit_code == 0);
}

TEST_CASE("cli: exports never name a voter - audit-ballots is the operator's explicit audit", "[cli][secrecy]") {
  test::TempDir dir;
  const std::string data = dir / "var";
  {
    journal::Status st;
    auto j = journal::RocksJournal::open(journal::journal_dir(data), {}, &st);
    REQUIRE(j);
    test::Recorder w("vote");
    w.standard_session(2);
    REQUIRE(w.apply(ops::join("voterbert", "Bert Wähler", v1::ROLE_PARTICIPANT), board::kSystemAuthor));
    REQUIRE(w.apply(ops::open_round("r1", 3, 3), "fac"));
    REQUIRE(w.apply(ops::vote("n0"), "voterbert"));
    REQUIRE(w.apply(ops::vote("n1"), "voterbert"));
    REQUIRE(w.apply(ops::retract("n1"), "voterbert"));
    REQUIRE(w.apply(ops::vote("n1"), "anna"));
    REQUIRE(w.apply(ops::close_round("r1"), "fac"));
    v1::WorkshopMeta meta;
    meta.set_id("vote");
    REQUIRE(j->put_workshop(meta).ok());
    REQUIRE(test::append_sync(*j, w.records).ok());
  }
  for (const char* format : {"json", "csv", "md"}) {
    const Run out = run("export --data " + data + " --workshop vote --format " + format);
    INFO(format << ": " << out.output);
    CHECK(out.exit_code == 0);
    // Ballots carry an empty voter (the JSON mapping prints it as "").
    CHECK_THAT(out.output, !Catch::Contains(R"("voter_id": "v)") && !Catch::Contains(R"("voter_id": "a)"));
    if (std::string(format) != "json") CHECK_THAT(out.output, !Catch::Contains("voterbert"));
  }
  // The JSON export lists participants (ids included) but its ballots are counts per round and note.
  const Run json = run("export --data " + data + " --workshop vote --format json");
  CHECK_THAT(json.output, Catch::Contains(R"("round_id": "r1")") && Catch::Contains(R"("voters": 2)"));

  const Run audit = run("audit-ballots --data " + data + " --workshop vote");
  INFO(audit.output);
  CHECK(audit.exit_code == 0);
  CHECK_THAT(audit.output, Catch::Contains("r1\tvoterbert\tBert Wähler\tcast\tn0"));
  CHECK_THAT(audit.output, Catch::Contains("r1\tvoterbert\tBert Wähler\tretract\tn1"));
  CHECK_THAT(audit.output, Catch::Contains("r1\tanna\tAnna\tcast\tn1"));
  CHECK(run("audit-ballots --data " + data + " --workshop nope").exit_code == 1);
}

TEST_CASE("cli: inspect reads every record and reports damage with workshop and key (exit 2)", "[cli][damage]") {
  test::TempDir dir;
  const std::string data = dir / "var";
  make_data(data);
  const Run clean = run("inspect --data " + data);
  INFO(clean.output);
  CHECK(clean.exit_code == 0);
  CHECK_THAT(clean.output, Catch::Contains("no damage found"));
  {
    // Damage one event of beta behind the journal's back.
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), journal::journal_dir(data), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), journal::journal_dir(data), families, &handles, &db).ok());
    const auto cf = static_cast<std::size_t>(std::find(names.begin(), names.end(), "events") - names.begin());
    REQUIRE(db->Put(rocksdb::WriteOptions(), handles[cf], journal::RocksJournal::event_key("beta", 3), "\xff\xff").ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  const Run damaged = run("inspect --data " + data);
  INFO(damaged.output);
  CHECK(damaged.exit_code == 2);
  CHECK_THAT(damaged.output, Catch::Contains("FINDINGS"));
  CHECK_THAT(damaged.output, Catch::Contains("workshop beta"));
  CHECK_THAT(damaged.output, Catch::Contains("beta\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x03"));
  CHECK_THAT(damaged.output, !Catch::Contains("workshop alpha"));
}
