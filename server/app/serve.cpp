// werkstatt serve: options, start-up (journal, recovery, demo workshop),
// the I/O threads, and graceful shutdown on SIGINT/SIGTERM.
#include "serve.hpp"

#include <pthread.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fcntl.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <toml++/toml.h>
#ifdef WERKSTATT_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log_format.hpp"
#include "werkstatt/journal/open.hpp"
#include "werkstatt/metrics/metrics.hpp"
#include "werkstatt/net/legal.hpp"
#include "werkstatt/net/links.hpp"
#include "werkstatt/net/client_address.hpp"
#include "werkstatt/net/server.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"

namespace werkstatt::app {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "werkstatt";
  return name;
}

// The --config file: a flat TOML table whose keys are the flags of `serve`
// without the dashes. Each value is handed to the flag's own parser and
// validators, unless the flag was given on the command line (flags win).
// Unknown keys are errors: a typo must not silently fall back to a default.
// (CLI11's own config support does not reach subcommands in 2.1, hence this.)
bool apply_config_file(CLI::App& cmd, const std::string& file, std::string* error) {
  toml::table table;
  try {
    table = toml::parse_file(file);
  } catch (const toml::parse_error& e) {
    std::ostringstream why;
    why << file << ":" << e.source().begin.line << ": " << e.description();
    *error = why.str();
    return false;
  }
  const auto scalar = [](const toml::node& node) -> std::optional<std::string> {
    if (const auto* s = node.as_string()) return s->get();
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* f = node.as_floating_point()) return std::to_string(f->get());
    if (const auto* b = node.as_boolean()) return std::string(b->get() ? "true" : "false");
    return std::nullopt;
  };
  for (const auto& [key_node, node] : table) {
    const std::string key(key_node.str());
    CLI::Option* opt = key == "config" || key == "help" ? nullptr : cmd.get_option_no_throw("--" + key);
    if (!opt) {
      *error = file + ": unknown setting '" + key + "' (see werkstatt serve --help)";
      return false;
    }
    if (opt->count() > 0) continue;  // given as a flag: the flag wins
    std::vector<std::string> values;
    if (const auto* array = node.as_array()) {
      for (const auto& element : *array) {
        auto v = scalar(element);
        if (!v) {
          *error = file + ": '" + key + "' must be a list of strings or numbers";
          return false;
        }
        values.push_back(*v);
      }
    } else if (auto v = scalar(node)) {
      values.push_back(*v);
    } else {
      *error = file + ": '" + key + "' must be a string, number or boolean";
      return false;
    }
    try {
      if (opt->get_expected_min() == 0) {  // a flag such as demo = false
        opt->add_result(opt->get_flag_value(key, values.at(0)));
      } else {
        opt->add_result(values);
      }
      opt->run_callback();
    } catch (const CLI::Error& e) {
      *error = file + ": '" + key + "': " + e.what();
      return false;
    }
  }
  return true;
}

struct ServeOptions {
  std::string config_file;
  std::string bind = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string data_dir = "./var";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::string journal = "rocksdb";
  std::string postgres_url;
  std::string node_name;  // empty: the host name
  unsigned lease_ms = 3000;
  std::string static_dir;  // empty: client-web/dist of the cwd, else of the source tree
  std::string admin_token;
  std::string admin_token_file;
  std::string audit_log;
  std::vector<std::string> allowed_hosts;
  std::string public_url;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_proxies;
  bool proxy_protocol = false;
  bool demo = true;
  std::string log_level = "info";
  std::string log_format = "human";
  unsigned shutdown_timeout_s = 10;
  net::ServerLimits limits;
  std::size_t max_connections_per_workshop = workshop::WorkshopOptions{}.max_connections;
  unsigned idle_timeout_s = 60;
  unsigned retention_days = workshop::WorkshopOptions{}.retention_days;
  unsigned idle_unload_s = static_cast<unsigned>(
      std::chrono::duration_cast<std::chrono::seconds>(workshop::WorkshopOptions{}.idle_unload).count());
  std::string imprint;
  std::string privacy_notice;
  std::string accessibility_statement;
  std::string accessibility_feedback;
};

// The demo workshop's credentials, kept in the data folder (mode 0600)
// because the journal stores only digests of the tokens and the links must
// be printed on every start.
struct DemoWorkshop {
  std::string id;
  std::string join_code;
  std::string facilitator_token;
  std::string observer_token;
};

constexpr const char* kDemoFile = "demo-workshop.txt";

std::optional<DemoWorkshop> read_demo(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::map<std::string, std::string> kv;
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos && !line.starts_with("#")) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  DemoWorkshop d{kv["id"], kv["join_code"], kv["facilitator_token"], kv["observer_token"]};
  if (d.id.empty() || d.join_code.empty() || d.facilitator_token.empty() || d.observer_token.empty()) return std::nullopt;
  return d;
}

bool write_demo(const fs::path& file, const DemoWorkshop& d, std::string* error) {
  const fs::path tmp = file.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
    return false;
  }
  ::fchmod(fd, 0600);  // even if the file existed with other bits
  const std::string text = "# The demo workshop's links are printed from this file on every start.\n"
                           "# It holds the facilitator secret: keep it private (mode 0600).\n"
                           "id=" + d.id + "\njoin_code=" + d.join_code + "\nfacilitator_token=" +
                           d.facilitator_token + "\nobserver_token=" + d.observer_token + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
    *error = "cannot write " + file.string();
    return false;
  }
  return true;
}

// Up to the hard limit: a thousand participants need more than the usual 1024.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Under systemd (Type=notify): readiness, stopping, and the watchdog. The
// watchdog is pinged from the I/O loop itself, so a server whose threads hang
// stops pinging and systemd restarts it. Without systemd (or libsystemd at
// build time) these do nothing.
void notify_systemd([[maybe_unused]] const char* state) {
#ifdef WERKSTATT_HAVE_SYSTEMD
  sd_notify(0, state);
#endif
}

#ifdef WERKSTATT_HAVE_SYSTEMD
void ping_watchdog(asio::steady_timer& timer, std::chrono::microseconds period) {
  timer.expires_after(period);
  timer.async_wait([&timer, period](const boost::system::error_code& ec) {
    if (ec) return;
    sd_notify(0, "WATCHDOG=1");
    ping_watchdog(timer, period);
  });
}
#endif

void start_watchdog([[maybe_unused]] asio::steady_timer& timer) {
#ifdef WERKSTATT_HAVE_SYSTEMD
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  const auto period = std::chrono::microseconds(usec / 2);  // twice per WatchdogSec
  ping_watchdog(timer, period);
  spdlog::info("systemd watchdog: pinging every {} ms", period.count() / 1000);
#endif
}

fs::path default_static_dir() {
  const fs::path here = fs::current_path() / "client-web" / "dist";
  if (fs::exists(here / "index.html")) return here;
  return fs::path(WERKSTATT_SOURCE_DIR) / "client-web" / "dist";
}

int serve(const ServeOptions& o) {
  auto logger = spdlog::stderr_color_mt("werkstatt");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  if (o.log_format == "json") spdlog::set_formatter(std::make_unique<JsonLogFormatter>());
  else spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  raise_file_limit();

  std::error_code ec;
  fs::create_directories(o.data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create the data folder {}: {}", o.data_dir, ec.message());
    return 1;
  }
  const auto kind = journal::parse_journal_kind(o.journal);
  if (!kind) {
    spdlog::critical("unknown --journal '{}' (use rocksdb, postgres or memory)", o.journal);
    return 1;
  }
  if (*kind == journal::JournalKind::memory)
    spdlog::warn("using the in-memory journal: every workshop is lost when the server stops");

  // Declaration order is destruction order in reverse: the server (and its
  // sessions' context) first, then the workshops, then the journal (which
  // completes its last appends into the stopped io_context), the io_context last.
  asio::io_context io(static_cast<int>(o.threads));
  journal::Status status;
  journal::JournalSettings journal_settings;
  journal_settings.kind = *kind;
  journal_settings.data_dir = o.data_dir;
  journal_settings.postgres_url = o.postgres_url;
  journal_settings.node_name = o.node_name.empty() ? host_name() : o.node_name;
  journal_settings.lease = std::chrono::milliseconds(o.lease_ms);
  std::unique_ptr<journal::Journal> journal = journal::open_journal(journal_settings, &status);
  if (!journal) {
    spdlog::critical("cannot open the journal{}: {}",
                     *kind == journal::JournalKind::postgres ? "" : " in " + o.data_dir, status.message());
    return 1;
  }
  workshop::WorkshopOptions workshop_options;
  workshop_options.max_connections = o.max_connections_per_workshop;
  workshop_options.retention_days = o.retention_days;
  workshop_options.idle_unload = std::chrono::seconds(o.idle_unload_s);
  workshop::WorkshopRegistry registry(io, *journal, workshop_options);
  bool listing_complete = true;
  const auto recovery_started = std::chrono::steady_clock::now();
  if (const journal::Status s = registry.recover_all(&listing_complete); !s.ok()) {
    spdlog::error("{}", s.message());
    if (!listing_complete) {
      // Serving now would answer 404 for workshops that exist: refuse instead.
      spdlog::critical("not starting: the journal's list of workshops is damaged; run 'werkstatt inspect' and "
                       "restore a backup (README, Durability)");
      return 1;
    }
  }
  metrics::global().recovery_seconds.set(metrics::seconds_since(recovery_started));

  net::ServerConfig config;
  config.bind_address = o.bind;
  config.port = o.port;
  config.static_dir = o.static_dir.empty() ? default_static_dir() : fs::path(o.static_dir);
  config.static_dir = fs::weakly_canonical(fs::absolute(config.static_dir));
  // The admin token: --admin-token (visible in /proc and ps), better
  // --admin-token-file or WERKSTATT_ADMIN_TOKEN.
  config.admin_token = o.admin_token;
  if (!o.admin_token_file.empty()) {
    if (!o.admin_token.empty()) {
      spdlog::critical("give the admin token once: --admin-token or --admin-token-file, not both");
      return 1;
    }
    std::ifstream in(o.admin_token_file);
    std::getline(in, config.admin_token);
    while (!config.admin_token.empty() && (config.admin_token.back() == '\r' || config.admin_token.back() == ' '))
      config.admin_token.pop_back();
    if (!in && !in.eof()) config.admin_token.clear();
    if (config.admin_token.empty()) {
      spdlog::critical("cannot read an admin token from {} (its first line is the token)", o.admin_token_file);
      return 1;
    }
  } else if (config.admin_token.empty()) {
    if (const char* env = std::getenv("WERKSTATT_ADMIN_TOKEN"); env && *env) config.admin_token = env;
  } else {
    spdlog::warn("--admin-token is visible to every local user in the process list; "
                 "prefer --admin-token-file or WERKSTATT_ADMIN_TOKEN");
  }
  if (!config.admin_token.empty() && config.admin_token.size() < 16) {
    spdlog::critical("the admin token must have at least 16 characters");
    return 1;
  }
  config.allowed_hosts = o.allowed_hosts;
  if (!o.audit_log.empty()) {
    std::string audit_error;
    config.audit = net::AuditLog::open(o.audit_log, &audit_error);
    if (!config.audit) {
      spdlog::critical("{}", audit_error);
      return 1;
    }
  }
  config.public_url = o.public_url;
  config.allowed_origins = o.allowed_origins;
  config.trusted_proxies = o.trusted_proxies;
  config.proxy_protocol = o.proxy_protocol;
  if (o.proxy_protocol && o.trusted_proxies.empty()) {
    spdlog::critical("--proxy-protocol needs --trusted-proxy: only trusted proxies may send a PROXY header");
    return 1;
  }
  config.io_shards = o.threads;
  config.limits = o.limits;
  config.limits.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  {
    auto legal = std::make_shared<net::LegalPages>();
    std::string why;
    const auto page = [&](const std::string& setting, const char* flag, net::LegalPage& into) {
      auto loaded = net::load_legal_page(setting, &why);
      if (!loaded) spdlog::critical("{}: {}", flag, why);
      else into = std::move(*loaded);
      return loaded.has_value();
    };
    if (!page(o.imprint, "--imprint", legal->imprint) || !page(o.privacy_notice, "--privacy-notice", legal->privacy) ||
        !page(o.accessibility_statement, "--accessibility-statement", legal->accessibility))
      return 2;
    auto feedback = net::parse_feedback(o.accessibility_feedback, &why);
    if (!feedback) {
      spdlog::critical("--accessibility-feedback: {}", why);
      return 2;
    }
    legal->feedback = std::move(*feedback);
    if (legal->imprint.url.empty() && legal->imprint.markdown.empty())
      spdlog::warn("no --imprint configured: public bodies must link an imprint from every page");
    if (legal->privacy.url.empty() && legal->privacy.markdown.empty())
      spdlog::warn("no --privacy-notice configured: the pages link none (DSGVO Art. 13 asks for one)");
    config.legal = std::move(legal);
  }
  if (!fs::exists(config.static_dir / "index.html"))
    spdlog::warn("no web client in {} (build it: cd client-web && npm ci && npm run build, or pass --static-dir)",
                 config.static_dir.string());
  net::Server server(io, config, registry);
  std::string error;
  if (!server.start(&error)) {
    spdlog::critical("{}", error);
    return 1;
  }
  std::string base = o.public_url.empty() ? server.local_url() : o.public_url;
  while (base.ends_with('/')) base.pop_back();

  // The demo workshop: created on the first start, printed on every start.
  std::optional<DemoWorkshop> demo;
  if (o.demo) {
    const fs::path file = fs::path(o.data_dir) / kDemoFile;
    demo = read_demo(file);
    if (demo && !registry.find(demo->id)) demo.reset();  // e.g. the in-memory journal forgot it
    if (!demo && registry.stored_count() == 0) {
      workshop::CreateError failure;
      if (auto created = registry.create("impuls-werkstatt", "Impuls-Werkstatt (Demo)", "de", &failure)) {
        demo = DemoWorkshop{created->id, created->join_code, created->facilitator_token, created->observer_token};
        if (!write_demo(file, *demo, &error)) spdlog::warn("{} (the demo links below are shown only now)", error);
      } else {
        spdlog::error("could not create the demo workshop: {}", failure.message);
      }
    }
  }
  server.set_ready();
  notify_systemd("READY=1");
  asio::steady_timer watchdog(io);
  start_watchdog(watchdog);
  std::cout << "werkstatt is ready at " << base << "/";
  if (!o.public_url.empty()) std::cout << " (listening on " << server.local_url() << "/)";
  std::cout << "\n";
  if (demo) {
    const net::WorkshopLinks links =
        net::workshop_links(base, demo->id, demo->join_code, demo->facilitator_token, demo->observer_token);
    std::cout << "Demo workshop \"Impuls-Werkstatt (Demo)\", join code " << demo->join_code << "\n"
              << "  participants: " << links.participant << "\n"
              << "  facilitator:  " << links.facilitator << "\n"
              << "  observer:     " << links.observer << "\n";
  } else if (o.demo) {
    std::cout << "No demo workshop (the journal already has workshops). Create one with:\n"
              << "  curl -X POST " << base << "/api/workshops -H 'Content-Type: application/json' "
              << "-d '{\"title\":\"Mein Workshop\"}'\n";
  }
  std::cout << std::flush;

  // Graceful shutdown: stop accepting, let ops in flight be acked, close
  // every connection with 1001, then let the threads run out of work. A
  // deadline stops whatever is still hanging (e.g. a peer that never
  // completes the close handshake).
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer deadline(io);
  std::atomic<bool> stopping{false};
  signals.async_wait([&](const boost::system::error_code& sig_ec, int signal) {
    if (sig_ec) return;
    stopping = true;
    notify_systemd("STOPPING=1");
    watchdog.cancel();
    spdlog::info("{} received: shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    deadline.expires_after(std::chrono::seconds(o.shutdown_timeout_s));
    deadline.async_wait([&](const boost::system::error_code& t_ec) {
      if (t_ec) return;
      spdlog::warn("shutdown took longer than {} s; stopping anyway", o.shutdown_timeout_s);
      io.stop();
    });
    server.shutdown([&] {
      spdlog::info("every workshop is closed");
      asio::post(io, [&] { io.stop(); });
    });
  });

  const auto run = [&io] {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        // A handler threw: log it and keep serving; the connection involved
        // loses its pending handler and ends.
        spdlog::error("unhandled exception in an I/O handler: {}", e.what());
      }
    }
  };
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < o.threads; ++i)
    workers.emplace_back([&run] {
      ::pthread_setname_np(::pthread_self(), "werkstatt-io");  // the main thread keeps the process's name
      run();
    });
  run();
  for (auto& t : workers) t.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  auto* cmd = app.add_subcommand("serve", "Run the live server: web client, REST API and WebSocket on one port");
  cmd->add_option("--config", o->config_file,
                  "Read settings from this TOML file (keys named like the flags without dashes; flags win)")
      ->check(CLI::ExistingFile);

  cmd->add_option("--bind", o->bind, "Address to listen on (0.0.0.0: every interface)")->capture_default_str();
  cmd->add_option("--port", o->port, "TCP port for HTTP and WebSocket (0: any free port)")->capture_default_str();
  cmd->add_option("--data,--data-dir", o->data_dir, "Data folder: journal, demo workshop file")->capture_default_str();
  cmd->add_option("--threads", o->threads, "I/O worker threads (default: number of cores)")->capture_default_str();
  cmd->add_option("--journal", o->journal,
                  "Journal: rocksdb (durable, this node), postgres (durable, shared by nodes that fail over) or "
                  "memory (lost on stop)")
      ->check(CLI::IsMember({"rocksdb", "postgres", "memory"}))
      ->capture_default_str();
  cmd->add_option("--postgres-url", o->postgres_url,
                  "With --journal postgres: the database, as a libpq URL or connection string "
                  "(e.g. postgresql://werkstatt@db1,db2/werkstatt?target_session_attrs=read-write)");
  cmd->add_option("--node-name", o->node_name,
                  "With --journal postgres: this node's name in the workshop leases (default: the host name)");
  cmd->add_option("--lease-ms", o->lease_ms,
                  "With --journal postgres: how long a node's hold on a workshop outlives its last renewal; "
                  "a stopped node's workshops move after this")
      ->check(CLI::Range(300u, 600000u))
      ->capture_default_str();
  cmd->add_option("--static-dir", o->static_dir,
                  "Built web client to serve (default: ./client-web/dist, else the source tree's)");
  cmd->add_option("--admin-token", o->admin_token,
                  "Allows POST /api/workshops from other hosts with 'Authorization: Bearer TOKEN' "
                  "(without it, only from loopback)");
  cmd->add_option("--admin-token-file", o->admin_token_file,
                  "Read the admin token from the first line of this file (not visible in the process list; "
                  "WERKSTATT_ADMIN_TOKEN in the environment works too)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--audit-log", o->audit_log,
                  "Append security events (wrong credentials, rate limits, refused requests, workshops created, "
                  "exports, removals) as JSON lines to this file; - for stderr");
  cmd->add_option("--allowed-host", o->allowed_hosts,
                  "Another host name this server answers to (repeatable; IP addresses, localhost and the "
                  "--public-url's host always are): other Host headers get 403 (DNS rebinding)");
  cmd->add_option("--public-url", o->public_url,
                  "Base URL for printed and returned links, e.g. https://werkstatt.example.org (default: from Host)");
  cmd->add_option("--allowed-origin", o->allowed_origins,
                  "Another origin whose pages may open WebSockets (repeatable; the server's own is always allowed)");
  cmd->add_option("--trusted-proxy", o->trusted_proxies,
                  "Reverse proxy address or CIDR network whose Forwarded / X-Forwarded-For / X-Forwarded-Proto "
                  "headers (or PROXY header) name the real client (repeatable; from other peers they are ignored)")
      ->check([](const std::string& value) -> std::string {
        return net::TrustedProxies::parse(value) ? "" : "not an IP address or CIDR network: " + value;
      });
  cmd->add_flag("--proxy-protocol", o->proxy_protocol,
                "Connections from trusted proxies start with a PROXY protocol v1/v2 header (HAProxy send-proxy-v2)");
  cmd->add_flag("--demo,!--no-demo", o->demo,
                "Create a demo workshop on the first start and print its links on every start (default: on)");
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error or critical")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical"}))
      ->capture_default_str();
  cmd->add_option("--log-format", o->log_format,
                  "human (one readable line) or json (one object per line: time, level, event, workshop, "
                  "connection, client_address) for a log collector")
      ->check(CLI::IsMember({"human", "json"}))
      ->capture_default_str();
  cmd->add_option("--shutdown-timeout", o->shutdown_timeout_s, "Seconds to finish ops and close connections on SIGTERM")
      ->capture_default_str();
  cmd->add_option("--max-message-bytes", o->limits.max_message_bytes,
                  "Largest WebSocket message a client may send (larger: closed with 1009)")
      ->capture_default_str();
  cmd->add_option("--max-queue-bytes", o->limits.max_queue_bytes,
                  "Outgoing queue per connection; a client over it is closed with 4008 and resumes")
      ->capture_default_str();
  cmd->add_option("--ops-per-second", o->limits.ops_per_second, "Ops per second per connection (token bucket rate)")
      ->capture_default_str();
  cmd->add_option("--ops-burst", o->limits.ops_burst, "Ops a connection may send at once (token bucket size)")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-ip", o->limits.max_connections_per_ip,
                  "Open WebSocket connections per real client address: a venue NAT shares one address "
                  "(150 people x laptop + phone, overlapping reconnects, two workshops), so 600; "
                  "one host still cannot take the server's file descriptors")
      ->capture_default_str();
  cmd->add_option("--wrong-credentials-burst", o->limits.wrong_credentials_burst,
                  "Wrong join codes a client address may send for one workshop before it waits for that workshop "
                  "(unknown codes at /api/join and unknown workshop ids: per address)")
      ->capture_default_str();
  cmd->add_option("--wrong-credentials-per-minute", o->limits.wrong_credentials_per_minute,
                  "Wrong join codes per minute per client address and workshop after the burst")
      ->capture_default_str();
  cmd->add_option("--max-connections-per-workshop", o->max_connections_per_workshop,
                  "Concurrent WebSocket connections per workshop; facilitator and observer links get 32 more, "
                  "so a full room never locks out its facilitators or projector")
      ->capture_default_str();
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "Seconds of silence before a WebSocket is closed (pinged after half)")
      ->capture_default_str();

  cmd->add_option("--idle-unload", o->idle_unload_s,
                  "Seconds a loaded workshop may go unused (nobody connected, no request) before it is unloaded "
                  "from memory; it is loaded again from the journal on its next use. 0: never unloaded")
      ->capture_default_str();

  cmd->add_option("--retention-days", o->retention_days,
                  "Days after a workshop's last activity (for a closed workshop: its closing) at which the server "
                  "erases it, as delete-workshop does; the default for workshops created without retention_days, "
                  "each keeps the value it was created with. 0: keep until deleted. 90 by default: a quarter to "
                  "write up the minutes, and nothing is kept forever unless you say so (DSGVO Art. 5(1)(e))")
      ->check(CLI::Range(0u, workshop::kMaxRetentionDays))
      ->capture_default_str();

  cmd->add_option("--imprint", o->imprint,
                  "Imprint (Impressum) linked from every page: an https:// URL or a Markdown file");
  cmd->add_option("--privacy-notice", o->privacy_notice,
                  "Privacy notice (Datenschutzerklärung) linked from every page: an https:// URL or a Markdown file");
  cmd->add_option("--accessibility-statement", o->accessibility_statement,
                  "Accessibility statement (BITV 2.0): an https:// URL or a Markdown file; "
                  "default: the client's built-in template");
  cmd->add_option("--accessibility-feedback", o->accessibility_feedback,
                  "Where people report barriers: an https:// URL, mailto: link or e-mail address");

  cmd->callback([o, cmd, &exit_code] {
    if (!o->config_file.empty()) {
      std::string error;
      if (!apply_config_file(*cmd, o->config_file, &error)) {
        std::cerr << "werkstatt serve: " << error << "\n";
        exit_code = 2;
        return;
      }
    }
    exit_code = serve(*o);
  });
}

}  // namespace werkstatt::app
