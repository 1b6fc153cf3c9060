// werkstatt-loopback-floor: what loopback TCP fan-out costs on this machine
// with no application at all, as the floor under werkstatt-bench's figures.
//
// N connections over 127.0.0.1 (TCP_NODELAY, like the server's). A sender
// thread runs R rounds per second, open loop; each round sends one message
// of --bytes to every connection with plain send() calls. A receiver thread
// reads all connections through one epoll set, like a one-thread loader.
// Reported: the latency of a round until its last message was read ("to
// all", the same measure as werkstatt-bench's "to all others"), how long
// the sends of a round took, and each thread's CPU per message. Loopback
// only; counts and durations are bounded.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxConnections = 5000;
constexpr int kMaxRounds = 100'000;
constexpr int kMaxSeconds = 120;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

[[noreturn]] void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

// One message: the round number and its start time, padded to --bytes.
struct Stamp {
  std::int64_t round;
  std::int64_t sent_ns;
};

}  // namespace

int main(int argc, char** argv) {
  int connections = 1000;
  int rounds_per_second = 200;
  int seconds = 5;
  int bytes = 120;  // about an Event frame of a note edit, with its WebSocket header
  CLI::App app{"werkstatt-loopback-floor: the cost of loopback TCP fan-out without any application"};
  app.add_option("--connections", connections, "connections (the N of werkstatt-bench)")
      ->check(CLI::Range(1, kMaxConnections))
      ->capture_default_str();
  app.add_option("--rate", rounds_per_second, "rounds per second; a round sends one message to every connection")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  app.add_option("--seconds", seconds, "duration")->check(CLI::Range(1, kMaxSeconds))->capture_default_str();
  app.add_option("--bytes", bytes, "message size")->check(CLI::Range(16, 4096))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const int rounds = std::min(kMaxRounds, rounds_per_second * seconds);
  const std::size_t size = static_cast<std::size_t>(bytes);

  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = std::min<rlim_t>(files.rlim_max, static_cast<rlim_t>(2 * connections + 64));
  setrlimit(RLIMIT_NOFILE, &files);

  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) die("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(listener, 4096) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    die("listen on 127.0.0.1");
  std::vector<int> senders, receivers;
  const int one = 1;
  for (int i = 0; i < connections; ++i) {
    const int client = socket(AF_INET, SOCK_STREAM, 0);
    if (client < 0 || connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("connect");
    const int server = accept(listener, nullptr, nullptr);
    if (server < 0) die("accept");
    for (const int fd : {client, server}) {
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fcntl(fd, F_SETFL, O_NONBLOCK);
    }
    senders.push_back(server);
    receivers.push_back(client);
  }

  // Receiver: per round, how many messages arrived and when the last did.
  std::vector<int> arrived(static_cast<std::size_t>(rounds), 0);
  std::vector<std::int64_t> last_ns(static_cast<std::size_t>(rounds), 0);
  std::atomic<bool> stop{false};
  std::int64_t received = 0;
  double receiver_cpu = 0;
  std::thread receiver([&] {
    const int ep = epoll_create1(0);
    std::vector<std::vector<char>> partial(static_cast<std::size_t>(connections));
    for (int i = 0; i < connections; ++i) {
      epoll_event e{};
      e.events = EPOLLIN | EPOLLET;
      e.data.u32 = static_cast<std::uint32_t>(i);
      epoll_ctl(ep, EPOLL_CTL_ADD, receivers[static_cast<std::size_t>(i)], &e);
    }
    std::vector<epoll_event> events(1024);
    std::vector<char> buffer(64 * 1024);
    const double cpu0 = thread_cpu_seconds();
    while (!stop.load(std::memory_order_relaxed)) {
      const int ready = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
      for (int k = 0; k < ready; ++k) {
        const std::uint32_t i = events[static_cast<std::size_t>(k)].data.u32;
        std::vector<char>& rest = partial[i];
        for (;;) {  // edge-triggered: read until EAGAIN
          const ssize_t n = read(receivers[i], buffer.data(), buffer.size());
          if (n <= 0) break;
          const std::int64_t at = now_ns();
          rest.insert(rest.end(), buffer.data(), buffer.data() + n);
          std::size_t off = 0;
          for (; rest.size() - off >= size; off += size) {
            Stamp s{};
            std::memcpy(&s, rest.data() + off, sizeof s);
            if (s.round < 0 || s.round >= rounds) continue;
            ++arrived[static_cast<std::size_t>(s.round)];
            last_ns[static_cast<std::size_t>(s.round)] = std::max(last_ns[static_cast<std::size_t>(s.round)], at);
            ++received;
          }
          rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(off));
        }
      }
    }
    receiver_cpu = thread_cpu_seconds() - cpu0;
    close(ep);
  });

  std::vector<char> message(size, 'x');
  std::vector<std::int64_t> started(static_cast<std::size_t>(rounds), 0);
  std::vector<double> send_ms;
  std::int64_t sent = 0, short_sends = 0;
  const auto t0 = Clock::now();
  const double cpu0 = thread_cpu_seconds();
  for (int r = 0; r < rounds; ++r) {
    std::this_thread::sleep_until(t0 + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * r / rounds_per_second)));
    const Stamp s{r, now_ns()};
    started[static_cast<std::size_t>(r)] = s.sent_ns;
    std::memcpy(message.data(), &s, sizeof s);
    for (const int fd : senders) {
      // The receiver keeps up or the kernel buffers it (a few MiB per
      // socket): a short send would break the framing, so it is counted.
      if (send(fd, message.data(), size, MSG_NOSIGNAL) == static_cast<ssize_t>(size)) ++sent;
      else ++short_sends;
    }
    send_ms.push_back(static_cast<double>(now_ns() - s.sent_ns) / 1e6);
  }
  const double sender_cpu = thread_cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the receiver drain
  stop = true;
  receiver.join();

  std::vector<double> to_all_ms;
  int incomplete = 0;
  for (int r = 0; r < rounds; ++r) {
    if (arrived[static_cast<std::size_t>(r)] != connections) {
      ++incomplete;
      continue;
    }
    to_all_ms.push_back(static_cast<double>(last_ns[static_cast<std::size_t>(r)] - started[static_cast<std::size_t>(r)]) / 1e6);
  }
  std::printf("werkstatt-loopback-floor: %d connections, %d rounds/s for %d s, %d-byte messages\n", connections,
              rounds_per_second, seconds, bytes);
  std::printf("  messages               sent %lld (%.0f/s), received %lld, short sends %lld, incomplete rounds %d\n",
              static_cast<long long>(sent), static_cast<double>(sent) / wall, static_cast<long long>(received),
              static_cast<long long>(short_sends), incomplete);
  std::printf("  sends of one round     p50 %.2f ms  p99 %.2f ms\n", percentile(send_ms, 0.5), percentile(send_ms, 0.99));
  std::printf("  latency to all         p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", percentile(to_all_ms, 0.5),
              percentile(to_all_ms, 0.99), percentile(to_all_ms, 1.0));
  std::printf("  sender                 CPU %.0f%% of one core, %.2f us per message\n", 100 * sender_cpu / wall,
              1e6 * sender_cpu / static_cast<double>(std::max<std::int64_t>(sent, 1)));
  std::printf("  receiver               CPU %.0f%% of one core, %.2f us per message\n", 100 * receiver_cpu / wall,
              1e6 * receiver_cpu / static_cast<double>(std::max<std::int64_t>(received, 1)));
  for (const int fd : senders) close(fd);
  for (const int fd : receivers) close(fd);
  close(listener);
  return incomplete == 0 && short_sends == 0 ? 0 : 1;
}
