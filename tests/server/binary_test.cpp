// The real binary: `werkstatt serve` prints the demo workshop's links, serves
// them, exits 0 on SIGTERM after closing clients with 1001, and (RocksDB)
// prints the same demo links again after a restart.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

TEST_CASE("werkstatt serve prints a working demo workshop and exits 0 on SIGTERM after closing with 1001",
          "[binary]") {
  TempDir dir;
  Process server({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "memory", "--data", dir / "var",
                  "--threads", "2"});
  REQUIRE(server.read_until("observer:"));
  const Demo demo = parse_demo(server.output());
  struct stat st {};
  REQUIRE(stat((dir.path() / "var" / "demo-workshop.txt").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  Peer anna(demo.port);
  REQUIRE(anna.join(demo.id, join_code(demo.code), "Anna"));
  CHECK(anna.board().settings().title() == "Impuls-Werkstatt (Demo)");
  Peer fac(demo.port);
  REQUIRE(fac.join(demo.id, facilitator(demo.token), "Fran"));
  CHECK(fac.welcome().role() == v1::ROLE_FACILITATOR);
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("n1", "Hallo"))));

  // Clients keep reading while the server shuts down (a browser would), so
  // the close handshake completes.
  std::optional<std::uint16_t> anna_code, fac_code;
  std::thread a([&] { anna_code = anna.ws().wait_closed(std::chrono::seconds(20)); });
  std::thread f([&] { fac_code = fac.ws().wait_closed(std::chrono::seconds(20)); });
  CHECK(server.terminate() == 0);
  a.join();
  f.join();
  CHECK(anna_code == std::uint16_t{1001});
  CHECK(fac_code == std::uint16_t{1001});
}

TEST_CASE("with RocksDB, the demo workshop and its edits survive a restart and its links are printed again",
          "[binary][recovery]") {
  TempDir dir;
  Demo first;
  std::uint64_t seq = 0;
  {
    Process server({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "rocksdb", "--data", dir / "var"});
    REQUIRE(server.read_until("observer:"));
    first = parse_demo(server.output());
    Peer anna(first.port);
    REQUIRE(anna.join(first.id, join_code(first.code), "Anna"));
    REQUIRE(anna.wait_ack(anna.send(ops::create_note("kept", "über den Neustart"))));
    seq = anna.seq();
    CHECK(server.terminate() == 0);
  }
  Process server({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "rocksdb", "--data", dir / "var"});
  REQUIRE(server.read_until("observer:"));
  const Demo again = parse_demo(server.output());
  CHECK(again.id == first.id);
  CHECK(again.code == first.code);
  CHECK(again.token == first.token);
  Peer fac(again.port);
  REQUIRE(fac.join(again.id, facilitator(again.token), "Fran"));
  REQUIRE(fac.board().note("kept"));
  CHECK(fac.board().note("kept")->text() == "über den Neustart");
  CHECK(fac.seq() > seq);  // Anna's leave was recorded, then the facilitator's join
  CHECK(server.terminate() == 0);
}

TEST_CASE("werkstatt serve reads a TOML config file - flags win over it", "[binary][config]") {
  TempDir dir;
  {
    std::ofstream(dir / "werkstatt.toml") << "port = 1\njournal = \"memory\"\ndata = \"" << (dir / "var")
                                          << "\"\nallowed-origin = [\"https://a.example\"]\ndemo = true\n";
  }
  Process server({WERKSTATT_BINARY, "serve", "--config", dir / "werkstatt.toml", "--port", "0"});
  REQUIRE(server.read_until("observer:"));
  const Demo demo = parse_demo(server.output());
  CHECK(demo.port != 1);
  ConnectOptions o;
  o.headers["Origin"] = "https://a.example";
  CHECK(WsClient::upgrade_status(demo.port, o) == 101);
  o.headers["Origin"] = "https://b.example";
  CHECK(WsClient::upgrade_status(demo.port, o) == 403);
  CHECK(server.terminate() == 0);

  // The settings in the file took effect: the data folder and the journal kind.
  CHECK(std::filesystem::exists(dir.path() / "var" / "demo-workshop.txt"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "var" / "journal"));  // memory, not RocksDB

  std::ofstream(dir / "bad.toml") << "no-such-setting = 3\n";
  Process bad({WERKSTATT_BINARY, "serve", "--config", dir / "bad.toml", "--port", "0"});
  CHECK(bad.wait() == 2);
  std::ofstream(dir / "bad-value.toml") << "journal = \"floppy\"\n";
  Process bad_value({WERKSTATT_BINARY, "serve", "--config", dir / "bad-value.toml", "--port", "0"});
  CHECK(bad_value.wait() == 2);
}
