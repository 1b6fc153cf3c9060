// A full disk under a live server: the journal lives on a 3 MiB tmpfs, the
// clients write until it is full. The workshop must turn read-only with typed
// errors, acknowledge nothing it did not store, keep serving, and take edits
// again once space is freed. Needs root (mount), as CI runs.
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

TEST_CASE("disk full: read-only with typed errors, nothing acknowledged is lost, writes resume", "[disk-full]") {
  if (geteuid() != 0) FAIL("this test mounts a small tmpfs and must run as root (CI does)");
  TempDir dir;
  const std::string mnt = dir / "small";
  std::filesystem::create_directories(mnt);
  REQUIRE(mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=3m") == 0);
  struct Unmount {
    std::string path;
    ~Unmount() { umount2(path.c_str(), MNT_DETACH); }
  } unmount{mnt};

  std::map<std::string, std::uint64_t> acked;  // client op id → seq
  std::string workshop_id;
  {
    TestServerOptions options;
    options.rocksdb_dir = std::filesystem::path(mnt) / "journal";
    options.workshop.retry_interval = std::chrono::milliseconds(200);
    options.limits.ops_per_second = 100'000;  // this test is about the disk, not the rate limit
    options.limits.ops_burst = 100'000;
    TestServer server(options);
    const auto& w = server.workshop();
    workshop_id = w.id;
    {  // the clients disconnect before the server shuts down
      Peer anna(server.port());
      REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
      Peer ben(server.port());
      REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));

      // Write 480-character notes until the journal refuses.
      const std::string big(480, 'x');
      std::string refused;
      for (int i = 0; i < 20000 && refused.empty(); ++i) {
        const std::string id = anna.send(ops::create_note("n" + std::to_string(i), big));
        REQUIRE(anna.pump_until([&] { return anna.acks().contains(id) || anna.rejects().contains(id); },
                                std::chrono::seconds(10)));
        if (anna.rejects().contains(id)) refused = id;
      }
      REQUIRE_FALSE(refused.empty());
      CHECK(anna.rejects().at(refused) == v1::REJECT_CODE_READ_ONLY);
      for (const auto& [id, seq] : anna.acks()) acked.emplace(id, seq);

      // Everyone is told, with a typed error; later edits are refused, reads go on.
      REQUIRE(ben.pump_until([&] { return !ben.errors().empty(); }));
      CHECK(ben.errors().front().code() == v1::ERROR_CODE_READ_ONLY);
      CHECK_FALSE(ben.errors().front().fatal());
      const std::string ben_op = ben.send(ops::create_note("b1", "noch eine"));
      REQUIRE(ben.pump_until([&] { return ben.rejects().contains(ben_op); }));
      CHECK(ben.rejects().at(ben_op) == v1::REJECT_CODE_READ_ONLY);
      Peer late(server.port());  // the server stays up and still welcomes
      const bool late_joined = late.join(w.id, join_code(w.join_code), "Late");
      for (const auto& e : late.errors()) INFO("late got " << v1::ErrorCode_Name(e.code()) << ": " << e.message());
      CHECK(late_joined);
      CHECK(late.seq() >= anna.acks().at(std::prev(anna.acks().end())->first));

      // Space returns: the workshop takes edits again by itself.
      REQUIRE(mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT, "size=64m") == 0);
      std::string resumed;
      REQUIRE(eventually(
          [&] {
            const std::string id = ben.send(ops::create_note("after-" + std::to_string(acked.size() + ben.acks().size()),
                                                             "wieder da"));
            ben.pump_until([&] { return ben.acks().contains(id) || ben.rejects().contains(id); }, std::chrono::seconds(2));
            if (ben.acks().contains(id)) resumed = id;
            return !resumed.empty();
          },
          std::chrono::seconds(15)));
      acked.emplace(resumed, ben.acks().at(resumed));
      for (const auto& [id, seq] : anna.acks()) acked.emplace(id, seq);
      anna.ws().close();
      ben.ws().close();
      late.ws().close();
    }
    REQUIRE(server.shutdown());
  }

  // Every acknowledged op is in the journal at its seq, the journal is gapless.
  journal::Status st;
  auto j = journal::RocksJournal::open(mnt + "/journal", {}, &st);
  INFO(st.message());
  REQUIRE(j);
  std::vector<v1::EventRecord> records;
  REQUIRE(j->read_events(workshop_id, 1, UINT64_MAX, 1'000'000, &records).ok());
  for (std::size_t i = 0; i < records.size(); ++i) REQUIRE(records[i].seq() == i + 1);
  for (const auto& [id, seq] : acked) {
    INFO(id << " acked at " << seq);
    REQUIRE(seq <= records.size());
    CHECK(records[seq - 1].client_op_id() == id);
  }
  CHECK(acked.size() > 20);
}
