// The real binary: `werkstatt serve` prints the demo workshop's links, serves
// them, exits 0 on SIGTERM after closing clients with 1001, and (RocksDB)
// prints the same demo links again after a restart.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"

extern char** environ;

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    out_ = fds[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_);
  }
  // Reads stdout until `pattern` has matched or the timeout passes.
  bool read_until(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    fcntl(out_, F_SETFL, O_NONBLOCK);
    while (output_.find(needle) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      char buf[4096];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n > 0) output_.append(buf, static_cast<std::size_t>(n));
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  // SIGTERM, then the exit status (or -1 on timeout / a signal death).
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    kill(pid_, SIGTERM);
    return wait(timeout);
  }
  // The exit status once the process ends by itself (or -1).
  int wait(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  [[nodiscard]] const std::string& output() const { return output_; }

 private:
  pid_t pid_ = 0;
  int out_ = -1;
  std::string output_;
};

struct Demo {
  std::uint16_t port = 0;
  std::string id, code, token;
};

Demo parse_demo(const std::string& out) {
  Demo d;
  std::smatch m;
  REQUIRE(std::regex_search(out, m, std::regex(R"(ready at http://127\.0\.0\.1:(\d+)/)")));
  d.port = static_cast<std::uint16_t>(std::stoi(m[1]));
  REQUIRE(std::regex_search(out, m, std::regex(R"(participants: http://\S+/\?w=([a-z2-7]+)&code=([A-Z2-9]{6}))")));
  d.id = m[1];
  d.code = m[2];
  REQUIRE(std::regex_search(out, m, std::regex(R"(facilitator:  http://\S+/#w=[a-z2-7]+&t=([A-Za-z0-9_-]{43}))")));
  d.token = m[1];
  return d;
}

}  // namespace

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

TEST_CASE("werkstatt serve reads a TOML config file; flags win over it", "[binary][config]") {
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
