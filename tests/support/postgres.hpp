#pragma once
// A throw-away PostgreSQL cluster for tests: Debian's initdb + pg_ctl
// (WERKSTATT_PG_BINDIR) in a fresh directory, listening on an ephemeral
// loopback port and a socket in that directory, trust authentication for
// the user `werkstatt`, stopped (immediate) and removed at the end.
// PostgreSQL refuses to run as root: as root, its commands run as the
// Debian `postgres` user (runuser), which owns the directory.
// fsync stays on: the durability the tests check is PostgreSQL's real one.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/ports.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace werkstatt::test {

class PostgresCluster {
 public:
  PostgresCluster() : port_(free_loopback_port()) {
    make_dir();
    const Run init = run_shell(as_ + bin("initdb") + " -D " + data() + " -U werkstatt -A trust --no-instructions -E UTF8");
    INFO(init.output);
    REQUIRE(init.exit_code == 0);
    start();
  }
  // A streaming standby of `primary` (pg_basebackup -R), started. With
  // make_synchronous(), the primary commits only once this standby has the
  // WAL: an acknowledged event survives the primary's loss.
  struct StandbyOf {
    const PostgresCluster& primary;
  };
  explicit PostgresCluster(StandbyOf of) : port_(free_loopback_port()) {
    make_dir();
    const Run copy = run_shell(as_ + bin("pg_basebackup") + " -D " + data() + " -R -X stream -c fast -h 127.0.0.1 -p " +
                               std::to_string(of.primary.port()) + " -U werkstatt");
    INFO(copy.output);
    REQUIRE(copy.exit_code == 0);
    start();
  }
  void make_synchronous() const {
    (void)sql("ALTER SYSTEM SET synchronous_standby_names = '*'");
    (void)sql("SELECT pg_reload_conf()");
    for (int i = 0; i < 200 && sql("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") != "1"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(sql("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == "1");
  }
  // pg_ctl promote: a standby becomes a primary that takes writes.
  void promote() const {
    const Run r = run_shell(as_ + bin("pg_ctl") + " -D " + data() + " -w -t 60 promote");
    INFO(r.output << log());
    REQUIRE(r.exit_code == 0);
  }
  ~PostgresCluster() { (void)run_shell(as_ + bin("pg_ctl") + " -D " + data() + " -m immediate -w stop"); }
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  void start() {
    const Run r = run_shell(as_ + bin("pg_ctl") + " -D " + data() + " -l " + (dir_ / "log").string() +
                            " -w -t 60 -o \"-p " + std::to_string(port_) + " -k " + dir_.string() +
                            " -c listen_addresses=127.0.0.1 -c max_connections=200\" start");
    INFO(r.output << log());
    REQUIRE(r.exit_code == 0);
  }
  // pg_ctl stop -m immediate: the server dies as in a crash (no checkpoint).
  void crash() {
    const Run r = run_shell(as_ + bin("pg_ctl") + " -D " + data() + " -m immediate -w stop");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
  }
  // SQL through psql; its output (unaligned, tuples only).
  std::string sql(const std::string& statement) const {
    const Run r = run_shell(bin("psql") + " -X -q -A -t -v ON_ERROR_STOP=1 -d '" + url() + "' -c \"" + statement + "\"");
    INFO(statement << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    std::string out = r.output;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  [[nodiscard]] std::string url() const {
    return "postgresql://werkstatt@127.0.0.1:" + std::to_string(port_) + "/postgres";
  }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string log() const { return run_shell("cat " + (dir_ / "log").string()).output; }

 private:
  void make_dir() {
    dir_ = tmp_ / "pg";
    std::filesystem::create_directories(dir_);
    if (geteuid() == 0) {
      const passwd* pw = getpwnam("postgres");
      REQUIRE(pw);  // Debian's postgresql package creates it
      REQUIRE(chown(tmp_.path().c_str(), pw->pw_uid, pw->pw_gid) == 0);
      REQUIRE(chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) == 0);
      as_ = "runuser -u postgres -- ";
    }
  }
  static std::string bin(const std::string& name) { return std::string(WERKSTATT_PG_BINDIR) + "/" + name; }
  [[nodiscard]] std::string data() const { return (dir_ / "data").string(); }

  TempDir tmp_;
  std::filesystem::path dir_;
  std::uint16_t port_;
  std::string as_;
};

}  // namespace werkstatt::test
