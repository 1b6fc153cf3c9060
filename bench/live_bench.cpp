// werkstatt-bench: fan-out latency and throughput of a running werkstatt
// server, measured from N real WebSocket participants in one process.
//
// M of the N participants edit (each its own sticky note's text) at an
// aggregate, open-loop rate R: edits are sent on a schedule whether or not
// earlier ones were answered, so a slow server shows up as latency, not as a
// politely reduced load. Each edit's text carries its send time; every other
// connection records when it received the event. Reported: latency per
// delivery and per edit until *every* other participant had it (p50/p99/max),
// deliveries per second, the server's CPU and RSS (from /proc/<pid>) and the
// benchmark's own CPU. Loopback only; counts and durations are bounded.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "werkstatt/board/limits.hpp"
#include "werkstatt/protocol/version.hpp"
#include "werkstatt/v1/protocol.pb.h"
#include "werkstatt/workshop/frames.hpp"

extern char** environ;

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using werkstatt::v1::ClientMessage;
using werkstatt::v1::ServerMessage;

// Bounds, so a typo cannot turn the benchmark into a denial of service.
constexpr std::size_t kMaxClients = 5000;
constexpr double kMaxRate = 1e6;
constexpr int kMaxSeconds = 600;
// Fresh identities per workshop stay below the board's participant limit;
// further connections reuse identities (a person with several devices).
constexpr std::size_t kMaxIdentities = werkstatt::board::limits::kMaxParticipants - 20;

struct Options {
  std::string url = "ws://127.0.0.1:8080/ws";
  std::string workshop;
  std::string code;
  std::size_t clients = 50;
  std::size_t editors = 10;
  double rate = 50;
  int seconds = 10;
  double warmup = 1;
  int server_pid = 0;
  std::size_t slow = 0;
  bool saturate = false;
  double saturate_p99_ms = 100;
  std::string spawn_server;
  // Each connection names its own client address in X-Forwarded-For
  // (198.18.0.0/15, the benchmarking range), for a server started with
  // --trusted-proxy 127.0.0.1: admission keeps one entry per client.
  bool forwarded_for = false;
};

// ---------------------------------------------------------------- measurements

class Latencies {
 public:
  void add(double us) { us_.push_back(static_cast<float>(us)); }
  [[nodiscard]] std::size_t count() const { return us_.size(); }
  [[nodiscard]] double quantile_ms(double q) {
    if (us_.empty()) return 0;
    sort();
    const auto i = static_cast<std::size_t>(q * static_cast<double>(us_.size() - 1));
    return static_cast<double>(us_[i]) / 1000.0;
  }
  [[nodiscard]] double max_ms() {
    if (us_.empty()) return 0;
    sort();
    return static_cast<double>(us_.back()) / 1000.0;
  }
  void clear() {
    us_.clear();
    sorted_ = false;
  }

 private:
  void sort() {
    if (!sorted_) std::sort(us_.begin(), us_.end());
    sorted_ = true;
  }
  std::vector<float> us_;
  bool sorted_ = false;
};

struct ProcStat {
  double cpu_s = 0;
  std::size_t rss_kib = 0;
  std::size_t hwm_kib = 0;
};

std::optional<ProcStat> proc_stat(int pid) {
  if (pid <= 0) return std::nullopt;
  ProcStat out;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return std::nullopt;
  // Fields after the command name (which may contain spaces) in parentheses.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoul(field);
    if (i == 15) stime = std::stoul(field);
  }
  out.cpu_s = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) out.rss_kib = std::stoul(line.substr(6));
    if (line.starts_with("VmHWM:")) out.hwm_kib = std::stoul(line.substr(6));
  }
  return out;
}

double own_cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// ---------------------------------------------------------------- protobuf wire scan
// Receivers look only for Event.op.update_note.text; walking the wire format
// directly costs no allocation, so the benchmark measures the server rather
// than its own decoding.

// Calls f(field, begin, end) for each length-delimited field; false if malformed.
template <typename F>
bool for_each_bytes_field(const std::uint8_t* p, const std::uint8_t* end, F&& f) {
  while (p < end) {
    std::uint64_t key = 0, len = 0;
    if (!werkstatt::workshop::read_varint(p, end, key)) return false;
    switch (key & 7) {
      case 0:
        if (!werkstatt::workshop::read_varint(p, end, len)) return false;
        break;
      case 1: p += 8; break;
      case 5: p += 4; break;
      case 2:
        if (!werkstatt::workshop::read_varint(p, end, len) || len > static_cast<std::uint64_t>(end - p)) return false;
        f(static_cast<std::uint32_t>(key >> 3), p, p + len);
        p += len;
        break;
      default: return false;
    }
  }
  return p == end;
}

// ---------------------------------------------------------------- the run

struct Edit {
  Clock::time_point sent;
  std::uint32_t remaining = 0;
  double max_us = 0;
  bool measured = false;
};

struct Run;

// One participant. Everything runs on the one thread of Run::io (no strands).
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(Run& run, asio::io_context& io, std::size_t index, bool editor, bool slow)
      : run_(run), ws_(io), socket_(io), index_(index), editor_(editor), slow_(slow) {}
  void start();
  void send(std::string bytes);
  [[nodiscard]] bool joined() const { return joined_; }
  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] bool editor() const { return editor_; }
  [[nodiscard]] std::size_t index() const { return index_; }
  std::string participant_id, secret;
  std::string resume_id, resume_secret;
  std::string failure;

 private:
  asio::io_context& ioc();
  void on_resolve(beast::error_code ec, tcp::resolver::results_type results);
  void do_read();
  // Handles every complete frame in in_[0, in_used_); false if the server closed.
  bool on_frames();
  void on_message(const std::uint8_t* p, const std::uint8_t* end, bool in_batch);
  void queue_frame(std::uint8_t opcode, std::string_view payload);
  void do_write();

  Run& run_;
  Clock::time_point hello_sent_;
  // Beast does the upgrade handshake; then the loader speaks the frame layer
  // itself on the plain socket: it reads whatever has arrived in one call
  // and walks the frames in place, because its per-message cost competes
  // with the server for the same two cores.
  using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;
  websocket::stream<Socket> ws_;
  Socket socket_;
  std::vector<std::uint8_t> in_ = std::vector<std::uint8_t>(64 * 1024);
  std::size_t in_used_ = 0;
  std::uint32_t mask_state_ = 0x9E3779B9u;
  std::deque<std::string> out_;
  bool writing_ = false;
  std::size_t index_;
  bool editor_;
  bool slow_;
  bool joined_ = false;
  bool ready_ = false;
};

struct Run {
  asio::io_context io;
  Options opt;
  std::string host, port, path;
  std::vector<std::shared_ptr<Conn>> conns;
  std::unordered_map<std::uint64_t, Edit> edits;
  Latencies per_delivery;
  Latencies per_edit;
  Latencies upgrade;  // connect → upgraded (the WebSocket handshake)
  Latencies join;     // Hello sent → Welcome received (admission, identity, Welcome)
  bool measuring = false;
  std::uint64_t deliveries = 0;
  std::uint64_t frames = 0;
  std::uint64_t batches = 0;
  std::uint64_t acks = 0;
  std::uint64_t rejects = 0;
  std::uint64_t errors = 0;
  std::uint64_t closed = 0;
  std::size_t receivers_per_edit = 0;
  std::vector<std::uint64_t> next_edit;  // per editor

  void on_text(std::string_view text) {
    // "<editor>:<k>" with the send time looked up in `edits`.
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || !text.starts_with("e")) return;
    std::uint64_t editor = 0, k = 0;
    std::from_chars(text.data() + 1, text.data() + colon, editor);
    std::from_chars(text.data() + colon + 1, text.data() + text.size(), k);
    const auto it = edits.find((editor << 32) | k);
    if (it == edits.end()) return;
    ++deliveries;
    Edit& e = it->second;
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - e.sent).count();
    if (e.measured) per_delivery.add(us);
    e.max_us = std::max(e.max_us, us);
    if (--e.remaining == 0) {
      if (e.measured) per_edit.add(e.max_us);
      edits.erase(it);
    }
  }
};

asio::io_context& Conn::ioc() { return run_.io; }

void Conn::start() {
  auto resolver = std::make_shared<tcp::resolver>(ioc());
  resolver->async_resolve(run_.host, run_.port,
                          [self = shared_from_this(), resolver](beast::error_code ec, tcp::resolver::results_type r) {
                            self->on_resolve(ec, std::move(r));
                          });
}

void Conn::on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
  if (ec) {
    failure = "resolve: " + ec.message();
    return;
  }
  // No connect timeout of its own: run_until() bounds the whole join phase.
  asio::async_connect(ws_.next_layer(), results, [self = shared_from_this()](beast::error_code e, const tcp::endpoint&) {
    if (e) {
      self->failure = "connect: " + e.message();
      return;
    }
    self->ws_.next_layer().set_option(tcp::no_delay(true));
    if (self->run_.opt.forwarded_for) {
      const std::size_t i = self->index_;
      const std::string address =
          "198." + std::to_string(18 + (i >> 16 & 1)) + "." + std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255);
      self->ws_.set_option(websocket::stream_base::decorator(
          [address](websocket::request_type& req) { req.set("X-Forwarded-For", address); }));
    }
    const auto connected = Clock::now();
    self->ws_.async_handshake(self->run_.host + ":" + self->run_.port, self->run_.path, [self, connected](beast::error_code h) {
      if (h) {
        self->failure = "handshake: " + h.message();
        return;
      }
      self->run_.upgrade.add(std::chrono::duration<double, std::micro>(Clock::now() - connected).count());
      // The server sends nothing before our Hello, so Beast holds no unread
      // bytes: the socket is ours from here.
      self->socket_ = std::move(self->ws_.next_layer());
      ClientMessage m;
      auto* hello = m.mutable_hello();
      hello->set_protocol_version(werkstatt::protocol::kProtocolVersion);
      hello->set_workshop_id(self->run_.opt.workshop);
      hello->set_display_name("Bench " + std::to_string(self->index_));
      hello->mutable_credential()->set_join_code(self->run_.opt.code);
      hello->set_participant_id(self->resume_id);
      hello->set_participant_secret(self->resume_secret);
      hello->set_client("werkstatt-bench");
      self->hello_sent_ = Clock::now();
      self->send(m.SerializeAsString());
      self->do_read();
    });
  });
}

void Conn::send(std::string bytes) { queue_frame(0x2, bytes); }

// A client frame: FIN, the opcode, the payload masked with a fresh key
// (RFC 6455 §5.3: client frames are always masked).
void Conn::queue_frame(std::uint8_t opcode, std::string_view payload) {
  std::string frame;
  frame.reserve(payload.size() + 14);
  frame.push_back(static_cast<char>(0x80 | opcode));
  const std::size_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  mask_state_ ^= mask_state_ << 13;  // xorshift32: masking keys need not be secret here
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  char key[4];
  std::memcpy(key, &mask_state_, 4);
  frame.append(key, 4);
  for (std::size_t i = 0; i < n; ++i) frame.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  out_.push_back(std::move(frame));
  if (!writing_) do_write();
}

void Conn::do_write() {
  writing_ = true;
  asio::async_write(socket_, asio::buffer(out_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      self->writing_ = false;
      self->out_.clear();
      return;
    }
    self->out_.pop_front();
    if (self->out_.empty()) {
      self->writing_ = false;
      return;
    }
    self->do_write();
  });
}

void Conn::do_read() {
  if (in_used_ == in_.size()) in_.resize(in_.size() * 2);  // a frame larger than the buffer (a big Welcome)
  socket_.async_read_some(asio::buffer(in_.data() + in_used_, in_.size() - in_used_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                            if (ec) {
                              ++self->run_.closed;
                              if (self->failure.empty()) self->failure = "closed: " + ec.message();
                              return;
                            }
                            self->in_used_ += bytes;
                            if (!self->on_frames()) return;
                            // A slow client stops reading once joined: the server must bound its queue.
                            if (self->slow_ && self->joined_) return;
                            self->do_read();
                          });
}

bool Conn::on_frames() {
  std::size_t at = 0;
  while (in_used_ - at >= 2) {
    const std::uint8_t* h = in_.data() + at;
    const std::uint8_t opcode = h[0] & 0x0F;
    std::uint64_t len = h[1] & 0x7F;
    std::size_t header = 2;
    if (len == 126) {
      header = 4;
      if (in_used_ - at < header) break;
      len = (std::uint64_t{h[2]} << 8) | h[3];
    } else if (len == 127) {
      header = 10;
      if (in_used_ - at < header) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
    }
    if (len > (64u << 20)) {
      failure = "a frame over 64 MiB";
      return false;
    }
    if (in_used_ - at < header + len) {
      if (header + len > in_.size()) in_.resize(header + len);  // may move `h`: nothing uses it after
      break;
    }
    const std::uint8_t* payload = in_.data() + at + header;
    switch (opcode) {
      case 0x2:  // binary: one ServerMessage (the server never fragments)
        ++run_.frames;
        on_message(payload, payload + len, false);
        break;
      case 0x9:  // ping: answer, or the server's idle timeout closes us
        queue_frame(0xA, std::string_view(reinterpret_cast<const char*>(payload), static_cast<std::size_t>(len)));
        break;
      case 0x8:  // close
        ++run_.closed;
        if (failure.empty()) failure = "closed by the server";
        return false;
      default: break;
    }
    at += header + static_cast<std::size_t>(len);
  }
  if (at > 0) {
    std::memmove(in_.data(), in_.data() + at, in_used_ - at);
    in_used_ -= at;
  }
  return true;
}

void Conn::on_message(const std::uint8_t* p, const std::uint8_t* end, bool in_batch) {
  for_each_bytes_field(p, end, [&](std::uint32_t field, const std::uint8_t* b, const std::uint8_t* e) {
    switch (field) {
      case 2:  // Event → op (4) → update_note (2) → text (3)
        for_each_bytes_field(b, e, [&](std::uint32_t f1, const std::uint8_t* b1, const std::uint8_t* e1) {
          if (f1 != 4) return;
          for_each_bytes_field(b1, e1, [&](std::uint32_t f2, const std::uint8_t* b2, const std::uint8_t* e2) {
            if (f2 != 2) return;
            for_each_bytes_field(b2, e2, [&](std::uint32_t f3, const std::uint8_t* b3, const std::uint8_t* e3) {
              if (f3 == 3)
                run_.on_text(std::string_view(reinterpret_cast<const char*>(b3), static_cast<std::size_t>(e3 - b3)));
            });
          });
        });
        break;
      case 3:  // Ack
        ++run_.acks;
        if (editor_ && joined_) ready_ = true;  // the first ack is for the note's creation
        break;
      case 8:  // Batch → messages (1)
        if (in_batch) break;
        ++run_.batches;
        for_each_bytes_field(b, e, [&](std::uint32_t f1, const std::uint8_t* b1, const std::uint8_t* e1) {
          if (f1 == 1) on_message(b1, e1, true);
        });
        break;
      case 1: {  // Welcome
        werkstatt::v1::Welcome w;
        if (!w.ParseFromArray(b, static_cast<int>(e - b))) break;
        participant_id = w.participant_id();
        if (!w.participant_secret().empty()) secret = w.participant_secret();
        else secret = resume_secret;
        if (!joined_) run_.join.add(std::chrono::duration<double, std::micro>(Clock::now() - hello_sent_).count());
        joined_ = true;
        if (editor_) {
          ClientMessage m;
          m.mutable_op()->set_client_op_id("create");
          auto* c = m.mutable_op()->mutable_op()->mutable_create_note();
          c->set_id("bench-" + std::to_string(index_));
          c->set_text("e" + std::to_string(index_) + ":0");
          c->mutable_position()->set_x(static_cast<double>(index_ % 100) * 170.0);
          c->mutable_position()->set_y(static_cast<double>(index_ / 100) * 170.0);
          send(m.SerializeAsString());
        }
        break;
      }
      case 4: ++run_.rejects; break;
      case 6: {
        werkstatt::v1::Error err;
        if (err.ParseFromArray(b, static_cast<int>(e - b))) {
          ++run_.errors;
          if (failure.empty()) failure = werkstatt::v1::ErrorCode_Name(err.code()) + ": " + err.message();
        }
        break;
      }
      default: break;
    }
  });
}

// Runs the io_context until `done` or `timeout`.
bool run_until(Run& run, const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    run.io.run_for(std::chrono::milliseconds(5));
    if (run.io.stopped()) run.io.restart();
  }
  return true;
}

struct StepResult {
  double rate = 0;
  double seconds = 0;
  std::uint64_t sent = 0;
  std::uint64_t deliveries = 0;
  double p50 = 0, p99 = 0, max = 0;            // per delivery, ms
  double all_p50 = 0, all_p99 = 0, all_max = 0;  // per edit, all receivers, ms
  std::size_t incomplete = 0;
  double server_cpu = -1;
  double own_cpu = 0;
  std::optional<ProcStat> server_end;
};

// One measured interval at `rate`: warmup, then `seconds` measured, then a drain.
StepResult measure(Run& run, double rate) {
  const Options& o = run.opt;
  std::vector<std::shared_ptr<Conn>> editors;
  for (auto& c : run.conns)
    if (c->editor()) editors.push_back(c);
  StepResult r;
  r.rate = rate;
  const auto interval = std::chrono::duration<double>(1.0 / rate);
  const auto start = Clock::now();
  const auto measure_from = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  const auto stop = measure_from + std::chrono::seconds(o.seconds);
  auto next = start;
  std::size_t turn = 0;
  bool started = false;
  std::optional<ProcStat> server_before;
  double own_before = 0;
  std::uint64_t deliveries_before = 0;
  run.per_delivery.clear();
  run.per_edit.clear();
  asio::steady_timer timer(run.io);
  std::function<void()> tick = [&] {
    const auto now = Clock::now();
    if (!started && now >= measure_from) {
      started = true;
      server_before = proc_stat(o.server_pid);
      own_before = own_cpu_s();
      deliveries_before = run.deliveries;
    }
    // Open loop: every edit whose time has come is sent now.
    while (next <= now && next < stop) {
      Conn& c = *editors[turn++ % editors.size()];
      const std::uint64_t k = ++run.next_edit[c.index()];
      Edit& e = run.edits[(static_cast<std::uint64_t>(c.index()) << 32) | k];
      e.sent = Clock::now();
      e.remaining = static_cast<std::uint32_t>(run.receivers_per_edit);
      e.measured = started;
      ClientMessage m;
      m.mutable_op()->set_client_op_id("u" + std::to_string(k));
      auto* u = m.mutable_op()->mutable_op()->mutable_update_note();
      u->set_id("bench-" + std::to_string(c.index()));
      u->add_mask(werkstatt::v1::NOTE_FIELD_TEXT);
      u->set_text("e" + std::to_string(c.index()) + ":" + std::to_string(k));
      c.send(m.SerializeAsString());
      if (started) ++r.sent;
      next += std::chrono::duration_cast<Clock::duration>(interval);
    }
    if (next >= stop) return;
    timer.expires_at(next);
    timer.async_wait([&](beast::error_code ec) {
      if (!ec) tick();
    });
  };
  tick();
  run_until(run, [&] { return Clock::now() >= stop; }, std::chrono::seconds(o.seconds + 60));
  const auto server_after = proc_stat(o.server_pid);
  const double own_after = own_cpu_s();
  const std::uint64_t deliveries = run.deliveries - deliveries_before;
  // Drain: what was sent in time still counts; wait briefly for it.
  run_until(run, [&] { return run.edits.empty(); }, std::chrono::seconds(10));
  r.seconds = o.seconds;
  r.deliveries = deliveries;
  r.incomplete = run.edits.size();
  run.edits.clear();
  r.p50 = run.per_delivery.quantile_ms(0.50);
  r.p99 = run.per_delivery.quantile_ms(0.99);
  r.max = run.per_delivery.max_ms();
  r.all_p50 = run.per_edit.quantile_ms(0.50);
  r.all_p99 = run.per_edit.quantile_ms(0.99);
  r.all_max = run.per_edit.max_ms();
  if (server_before && server_after) r.server_cpu = 100.0 * (server_after->cpu_s - server_before->cpu_s) / o.seconds;
  r.own_cpu = 100.0 * (own_after - own_before) / o.seconds;
  r.server_end = server_after;
  return r;
}

// ---------------------------------------------------------------- set-up

bool parse_url(Run& run, std::string* error) {
  std::smatch m;
  static const std::regex re(R"(^ws://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d+)(/.*)?$)");
  if (!std::regex_match(run.opt.url, m, re)) {
    *error = "--url must look like ws://127.0.0.1:8080/ws";
    return false;
  }
  run.host = m[1];
  if (run.host.starts_with("[")) run.host = run.host.substr(1, run.host.size() - 2);
  run.port = m[2];
  run.path = m[3].matched ? std::string(m[3]) : "/ws";
  if (run.host != "127.0.0.1" && run.host != "localhost" && run.host != "::1") {
    *error = "werkstatt-bench runs against loopback only (127.0.0.1, localhost, ::1), not " + run.host;
    return false;
  }
  return true;
}

// POST /api/workshops on the same host and port (allowed from loopback).
bool create_workshop(Run& run, std::string* error) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    tcp::resolver resolver(io);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(resolver.resolve(run.host, run.port));
    http::request<http::string_body> req{http::verb::post, "/api/workshops", 11};
    req.set(http::field::host, run.host + ":" + run.port);
    req.set(http::field::content_type, "application/json");
    req.body() = R"({"template":"blank","title":"werkstatt-bench","language":"en"})";
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (res.result() != http::status::created) {
      *error = "creating a workshop failed: HTTP " + std::to_string(res.result_int()) + " " + res.body();
      return false;
    }
    std::smatch m;
    const std::string body = res.body();
    if (!std::regex_search(body, m, std::regex(R"re("id":"([a-z2-7]+)")re"))) return false;
    run.opt.workshop = m[1];
    if (!std::regex_search(body, m, std::regex(R"re("join_code":"([A-Z0-9]+)")re"))) return false;
    run.opt.code = m[1];
    return true;
  } catch (const std::exception& e) {
    *error = std::string("creating a workshop failed: ") + e.what();
    return false;
  }
}

struct Spawned {
  pid_t pid = 0;
  std::uint16_t port = 0;
};

std::optional<Spawned> spawn_server(const std::string& binary, std::string* error) {
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  char dir_template[] = "/tmp/werkstatt-bench-XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (!dir) return std::nullopt;
  std::vector<std::string> args{binary, "serve", "--port", "0", "--journal", "memory", "--no-demo", "--data",
                                std::string(dir), "--ops-per-second", "1000000", "--ops-burst", "1000000",
                                "--max-connections-per-ip", "10000", "--max-connections-per-workshop", "10000",
                                "--log-level", "warn"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  Spawned s;
  if (posix_spawn(&s.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    *error = "cannot start " + binary;
    return std::nullopt;
  }
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string out;
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  std::smatch m;
  while (!std::regex_search(out, m, std::regex(R"(ready at http://[^:]+:(\d+)/)"))) {
    char buf[1024];
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0 || Clock::now() > deadline) {
      *error = "the spawned server did not report ready";
      return std::nullopt;
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  s.port = static_cast<std::uint16_t>(std::stoi(m[1]));
  return s;
}

void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

void print_step(const Run& run, const StepResult& r) {
  std::printf("  edits sent (measured)  %" PRIu64 " (%.0f/s)\n", r.sent, static_cast<double>(r.sent) / r.seconds);
  std::printf("  deliveries             %" PRIu64 " (%.0f/s), %zu receivers per edit\n", r.deliveries,
              static_cast<double>(r.deliveries) / r.seconds, run.receivers_per_edit);
  std::printf("  latency per delivery   p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", r.p50, r.p99, r.max);
  std::printf("  latency to all others  p50 %.2f ms  p99 %.2f ms  max %.2f ms%s\n", r.all_p50, r.all_p99, r.all_max,
              r.incomplete ? (" (" + std::to_string(r.incomplete) + " edits not delivered to all)").c_str() : "");
  if (r.server_cpu >= 0)
    std::printf("  server                 CPU %.0f%% of one core, RSS %.1f MiB (peak %.1f MiB)\n", r.server_cpu,
                static_cast<double>(r.server_end->rss_kib) / 1024.0, static_cast<double>(r.server_end->hwm_kib) / 1024.0);
  std::printf("  bench                  CPU %.0f%% of one core\n", r.own_cpu);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"werkstatt-bench: fan-out latency and throughput of a running werkstatt server (loopback only)"};
  Options o;
  app.add_option("--url", o.url, "WebSocket URL of the server")->capture_default_str();
  app.add_option("--workshop", o.workshop, "Workshop id (default: create one with POST /api/workshops)");
  app.add_option("--code", o.code, "The workshop's join code");
  app.add_option("--clients", o.clients, "Participants (N)")->capture_default_str()->check(CLI::Range(std::size_t{2}, kMaxClients));
  app.add_option("--editors", o.editors, "Participants who edit (M <= N)")->capture_default_str();
  app.add_option("--rate", o.rate, "Edits per second, all editors together (R), open loop")
      ->capture_default_str()
      ->check(CLI::Range(0.1, kMaxRate));
  app.add_option("--seconds", o.seconds, "Measured seconds (per step)")->capture_default_str()->check(CLI::Range(1, kMaxSeconds));
  app.add_option("--warmup", o.warmup, "Unmeasured seconds before each step")->capture_default_str()->check(CLI::Range(0.0, 60.0));
  app.add_option("--server-pid", o.server_pid, "Server process for CPU and RSS (from /proc)");
  app.add_option("--slow", o.slow, "Extra participants that stop reading after joining (backpressure)")
      ->check(CLI::Range(std::size_t{0}, kMaxClients));
  app.add_flag("--forwarded-for", o.forwarded_for,
               "Each connection sends its own X-Forwarded-For (198.18.0.0/15); for a server with --trusted-proxy 127.0.0.1");
  app.add_flag("--saturate", o.saturate, "Raise the rate by 1.5x per step until p99 (all others) exceeds the limit");
  app.add_option("--saturate-p99-ms", o.saturate_p99_ms, "The p99 that ends --saturate")->capture_default_str();
  app.add_option("--spawn-server", o.spawn_server,
                 "Start this werkstatt binary (in-memory journal, limits raised) on a free port, and stop it after");
  CLI11_PARSE(app, argc, argv);
  if (o.editors < 1 || o.editors > o.clients) {
    std::cerr << "werkstatt-bench: --editors must be between 1 and --clients\n";
    return 2;
  }
  raise_file_limit();

  std::optional<Spawned> spawned;
  std::string error;
  if (!o.spawn_server.empty()) {
    spawned = spawn_server(o.spawn_server, &error);
    if (!spawned) {
      std::cerr << "werkstatt-bench: " << error << "\n";
      return 1;
    }
    o.url = "ws://127.0.0.1:" + std::to_string(spawned->port) + "/ws";
    o.server_pid = spawned->pid;
  }
  Run run;
  run.opt = o;
  int exit_code = 0;
  if (!parse_url(run, &error) || (run.opt.workshop.empty() && !create_workshop(run, &error))) {
    std::cerr << "werkstatt-bench: " << error << "\n";
    exit_code = 1;
  }
  if (exit_code == 0) {
    const auto stat0 = proc_stat(o.server_pid);
    // Join: fresh identities first, then further connections reuse them.
    const std::size_t total = o.clients + o.slow;
    run.next_edit.assign(total, 0);
    for (std::size_t i = 0; i < total; ++i)
      run.conns.push_back(std::make_shared<Conn>(run, run.io, i, i < o.editors, i >= o.clients));
    const std::size_t fresh = std::min(total, kMaxIdentities);
    const auto joined = [&](std::size_t from, std::size_t to) {
      return [&run, from, to] {
        for (std::size_t i = from; i < to; ++i)
          if (!run.conns[i]->joined() && run.conns[i]->failure.empty()) return false;
        return true;
      };
    };
    constexpr std::size_t kConnectWave = 100;  // concurrent handshakes
    for (std::size_t i = 0; i < total; i += kConnectWave) {
      const std::size_t to = std::min(total, i + kConnectWave);
      for (std::size_t k = i; k < to; ++k) {
        if (k >= fresh) {
          run.conns[k]->resume_id = run.conns[k % fresh]->participant_id;
          run.conns[k]->resume_secret = run.conns[k % fresh]->secret;
        }
        run.conns[k]->start();
      }
      run_until(run, joined(i, to), std::chrono::seconds(60));
    }
    std::size_t failed = 0;
    for (auto& c : run.conns) {
      if (!c->joined()) {
        if (failed++ == 0) std::cerr << "werkstatt-bench: a connection failed: " << c->failure << "\n";
      }
    }
    run_until(run, [&] {
      for (std::size_t i = 0; i < o.editors; ++i)
        if (!run.conns[i]->ready() && run.conns[i]->joined()) return false;
      return true;
    }, std::chrono::seconds(30));
    if (failed > 0) {
      std::cerr << "werkstatt-bench: " << failed << " of " << total << " connections did not join (see above; "
                << "raise the server's --max-connections-per-ip / --max-connections-per-workshop)\n";
      exit_code = 1;
    } else {
      run.receivers_per_edit = o.clients - 1 + o.slow;  // every connection but the author's
      // Slow clients stop reading: after the queue limit the server closes them,
      // so they are not counted as receivers.
      if (o.slow > 0) run.receivers_per_edit = o.clients - 1;
      std::printf("werkstatt-bench: %zu participants (%zu editing%s) against %s, workshop %s\n", o.clients, o.editors,
                  o.slow ? (", " + std::to_string(o.slow) + " not reading").c_str() : "", o.url.c_str(),
                  run.opt.workshop.c_str());
      if (stat0)
        std::printf("  server before          RSS %.1f MiB\n", static_cast<double>(stat0->rss_kib) / 1024.0);
      std::printf("  upgrade (connect -> 101)  p50 %.3f / p99 %.3f / max %.3f ms over %zu (%s)\n",
                  run.upgrade.quantile_ms(0.5), run.upgrade.quantile_ms(0.99), run.upgrade.max_ms(), run.upgrade.count(),
                  o.forwarded_for ? "one X-Forwarded-For address each" : "all from one address");
      std::printf("  join (Hello -> Welcome)   p50 %.3f / p99 %.3f / max %.3f ms over %zu (%zu at once)\n",
                  run.join.quantile_ms(0.5), run.join.quantile_ms(0.99), run.join.max_ms(), run.join.count(),
                  std::size_t{100});
      if (!o.saturate) {
        std::printf("rate %.0f edits/s for %d s (after %.1f s warm-up):\n", o.rate, o.seconds, o.warmup);
        print_step(run, measure(run, o.rate));
      } else {
        std::printf("saturation search from %.0f edits/s, x1.5 per step, until p99 (to all others) > %.0f ms:\n",
                    o.rate, o.saturate_p99_ms);
        std::printf("  %10s %14s %10s %10s %10s %10s %8s %8s\n", "edits/s", "deliveries/s", "p50 ms", "p99 ms",
                    "all p99", "all max", "srv CPU", "bench");
        double rate = o.rate;
        for (int step = 0; step < 16 && rate <= kMaxRate; ++step, rate *= 1.5) {
          const StepResult r = measure(run, rate);
          std::printf("  %10.0f %14.0f %10.2f %10.2f %10.2f %10.2f %7.0f%% %7.0f%%%s\n",
                      static_cast<double>(r.sent) / r.seconds, static_cast<double>(r.deliveries) / r.seconds, r.p50,
                      r.p99, r.all_p99, r.all_max, r.server_cpu, r.own_cpu,
                      r.incomplete ? " (incomplete)" : "");
          std::fflush(stdout);
          if (r.all_p99 > o.saturate_p99_ms || r.incomplete > 0 || run.closed > 0) break;
        }
      }
      std::printf("  acks %" PRIu64 ", rejects %" PRIu64 ", errors %" PRIu64 ", connections closed %" PRIu64
                  ", frames %" PRIu64 " (of which batches %" PRIu64 ")\n",
                  run.acks, run.rejects, run.errors, run.closed, run.frames, run.batches);
      if (run.closed > o.slow || run.errors > o.slow) exit_code = 1;
    }
  }
  if (spawned) {
    kill(spawned->pid, SIGTERM);
    int status = 0;
    // Keep reading meanwhile, so the server's close handshakes complete.
    run_until(run, [&] { return waitpid(spawned->pid, &status, WNOHANG) != 0; }, std::chrono::seconds(30));
    const int server_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::printf("  spawned server exited with %d\n", server_exit);
    if (server_exit != 0) exit_code = 1;
  }
  return exit_code;
}
