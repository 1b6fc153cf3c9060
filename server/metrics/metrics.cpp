#include "werkstatt/metrics/metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "werkstatt/version.hpp"

namespace werkstatt::metrics {
namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += number(value);
  out += '\n';
}

void single(std::string& out, std::string_view name, std::string_view type, std::string_view help, double value) {
  header(out, name, type, help);
  sample(out, name, "", value);
}

// Latency buckets from 100 µs to 10 s: a synced append takes ~1–10 ms on an
// SSD, a stalled disk seconds.
std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

struct ProcessStats {
  double cpu_seconds = -1;
  double start_time_seconds = -1;
  double resident_bytes = -1;
  double virtual_bytes = -1;
  double open_fds = -1;
  double max_fds = -1;
};

ProcessStats read_process() {
  ProcessStats p;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (std::ifstream stat("/proc/self/stat"); stat) {
    std::string line;
    std::getline(stat, line);
    // Field 2 (comm) may contain spaces: count fields after its closing ')'.
    const auto close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 2));
      std::vector<std::string> f{std::istream_iterator<std::string>(rest), std::istream_iterator<std::string>()};
      // rest starts at field 3 (state): utime is field 14, stime 15, starttime 22.
      if (f.size() > 19 && ticks > 0) {
        p.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
        double boot = -1;
        if (std::ifstream s("/proc/stat"); s) {
          for (std::string l; std::getline(s, l);)
            if (l.starts_with("btime ")) boot = std::stod(l.substr(6));
        }
        if (boot >= 0) p.start_time_seconds = boot + std::stod(f[19]) / ticks;
      }
    }
  }
  if (std::ifstream statm("/proc/self/statm"); statm) {
    double size = 0, resident = 0;
    if (statm >> size >> resident) {
      p.virtual_bytes = size * page;
      p.resident_bytes = resident * page;
    }
  }
  std::error_code ec;
  std::size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++fds;
  if (!ec) p.open_fds = static_cast<double>(fds);
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) p.max_fds = static_cast<double>(limit.rlim_cur);
  return p;
}

}  // namespace

std::string label(std::string_view name, std::string_view value) {
  std::string out(name);
  out += "=\"";
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  out += '"';
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)), buckets_(bounds_.size()) {}

void Histogram::observe(double value) {
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name) const {
  // Read count first: the buckets may run ahead of it, never behind, so the
  // +Inf bucket (== count) stays >= every other cumulative bucket.
  const std::uint64_t count = count_.load(std::memory_order_relaxed);
  std::uint64_t cumulative = 0;
  const std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    sample(out, bucket, label("le", number(bounds_[i])), static_cast<double>(std::min(cumulative, count)));
  }
  sample(out, bucket, label("le", "+Inf"), static_cast<double>(count));
  sample(out, std::string(name) + "_sum", "", sum_.load(std::memory_order_relaxed));
  sample(out, std::string(name) + "_count", "", static_cast<double>(count));
}

void LabeledCounter::inc(const std::string& labels, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  values_[labels] += n;
}

std::uint64_t LabeledCounter::value(const std::string& labels) const {
  std::lock_guard lock(mutex_);
  const auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void LabeledCounter::render(std::string& out, std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [labels, value] : values_) sample(out, name, labels, static_cast<double>(value));
}

Metrics::Metrics()
    : ack_seconds(latency_buckets()),
      journal_append_seconds(latency_buckets()),
      journal_append_records({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}),
      workshop_load_seconds(latency_buckets()),
      start_time_seconds_(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()) {}

std::string Metrics::render(const LiveState& live) const {
  std::string out;
  out.reserve(8192);
  header(out, "werkstatt_build_info", "gauge", "Always 1; the labels name the running build.");
  sample(out, "werkstatt_build_info", label("version", kVersion), 1);
  single(out, "werkstatt_ready", "gauge", "1 when /readyz answers 200 (started, not draining, journal writable).",
         live.ready ? 1 : 0);
  single(out, "werkstatt_journal_read_only", "gauge",
         "1 while the journal refuses writes (workshops are read-only until it recovers).", live.read_only ? 1 : 0);
  single(out, "werkstatt_workshops_loaded", "gauge", "Workshops held in memory.",
         static_cast<double>(live.workshops_loaded));

  single(out, "werkstatt_websocket_connections", "gauge", "Open WebSocket connections (joined or not).",
         websocket_connections.value());
  header(out, "werkstatt_connections", "gauge", "WebSocket connections joined to a workshop, by role.");
  static constexpr std::array<std::string_view, 3> kRoles{"participant", "facilitator", "observer"};
  for (std::size_t i = 0; i < kRoles.size(); ++i)
    sample(out, "werkstatt_connections", label("role", kRoles[i]), joined_by_role[i].value());
  header(out, "werkstatt_websocket_closes_total", "counter",
         "WebSocket connections closed, by close code (1006: the TCP connection ended without a close).");
  closes.render(out, "werkstatt_websocket_closes_total");
  single(out, "werkstatt_slow_consumer_closes_total", "counter",
         "Connections closed with 4008 because their outgoing backlog went over --max-queue-bytes.",
         static_cast<double>(slow_consumer_closes.value()));
  header(out, "werkstatt_rate_limited_total", "counter",
         "Rate-limit trips: ops over the per-connection rate, flooding closes, wrong-credential refusals.");
  rate_limited.render(out, "werkstatt_rate_limited_total");

  header(out, "werkstatt_ops_total", "counter", "Ops received from clients, by result.");
  sample(out, "werkstatt_ops_total", label("result", "acked"), static_cast<double>(ops_acked.value()));
  sample(out, "werkstatt_ops_total", label("result", "duplicate"), static_cast<double>(ops_duplicate.value()));
  sample(out, "werkstatt_ops_total", label("result", "rejected"), static_cast<double>(ops_rejected.value()));
  header(out, "werkstatt_op_rejects_total", "counter", "Rejected ops, by reject code.");
  op_rejects.render(out, "werkstatt_op_rejects_total");
  header(out, "werkstatt_ack_seconds", "histogram", "From an op's arrival at its workshop to its Ack (durable).");
  ack_seconds.render(out, "werkstatt_ack_seconds");

  header(out, "werkstatt_journal_append_seconds", "histogram",
         "Journal appends: from the call to the durable completion (group commit included).");
  journal_append_seconds.render(out, "werkstatt_journal_append_seconds");
  header(out, "werkstatt_journal_append_records", "histogram", "Event records per journal append.");
  journal_append_records.render(out, "werkstatt_journal_append_records");
  single(out, "werkstatt_journal_append_failures_total", "counter", "Journal appends that failed.",
         static_cast<double>(journal_append_failures.value()));

  header(out, "werkstatt_http_requests_total", "counter", "HTTP requests, by route and status.");
  http_requests.render(out, "werkstatt_http_requests_total");

  header(out, "werkstatt_workshop_ownership_total", "counter",
         "Nodes sharing a PostgreSQL journal: workshop leases taken here, acquires refused (another node holds it), "
         "workshops handed over to another node.");
  workshop_ownership.render(out, "werkstatt_workshop_ownership_total");

  single(out, "werkstatt_recovery_seconds", "gauge", "Time the last start-up took to recover from the journal.",
         recovery_seconds.value());
  header(out, "werkstatt_workshop_load_seconds", "histogram", "Loading one workshop from the journal.");
  workshop_load_seconds.render(out, "werkstatt_workshop_load_seconds");

  const ProcessStats p = read_process();
  if (p.cpu_seconds >= 0)
    single(out, "process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", p.cpu_seconds);
  single(out, "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.",
         p.start_time_seconds >= 0 ? p.start_time_seconds : start_time_seconds_);
  if (p.resident_bytes >= 0)
    single(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.resident_bytes);
  if (p.virtual_bytes >= 0)
    single(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtual_bytes);
  if (p.open_fds >= 0) single(out, "process_open_fds", "gauge", "Open file descriptors.", p.open_fds);
  if (p.max_fds >= 0) single(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", p.max_fds);
  return out;
}

Metrics& global() {
  static Metrics instance;
  return instance;
}

}  // namespace werkstatt::metrics
