#pragma once
// The real werkstatt binary as a child process, for tests that start, kill
// and restart it: stdout captured, SIGTERM with a timeout, SIGKILL on demand.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace werkstatt::test {

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
    fcntl(out_, F_SETFL, O_NONBLOCK);
  }
  ~Process() {
    kill_now();
    close(out_);
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Reads stdout until `needle` appears or the timeout passes.
  bool read_until(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output_.find(needle) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      char buf[4096];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n > 0) output_.append(buf, static_cast<std::size_t>(n));
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  // SIGTERM, then the exit status (or -1 on timeout or a death by signal).
  int terminate(std::chrono::seconds timeout = std::chrono::seconds(20)) {
    kill(pid_, SIGTERM);
    return wait(timeout);
  }
  // The exit status once the process ends by itself (or -1 as above).
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
  // SIGKILL: no shutdown code runs, as in a crash.
  void kill_now() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] const std::string& output() const { return output_; }

 private:
  pid_t pid_ = 0;
  int out_ = -1;
  std::string output_;
};

// The demo workshop `werkstatt serve` prints on start.
struct Demo {
  std::uint16_t port = 0;
  std::string id, code, token;
};

inline Demo parse_demo(const std::string& out) {
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

// A shell command run to its end: exit code and stdout+stderr together.
struct Run {
  int exit_code = -1;
  std::string output;
};
inline Run run_shell(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  Run r;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), pipe)) r.output.append(buf.data(), n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace werkstatt::test
