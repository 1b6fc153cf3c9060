// Offline journal subcommands: export, backup, restore, delete-workshop,
// export-participant, erase-participant, inspect, audit-ballots.
#include "journal_commands.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <future>

#include "werkstatt/history/exports.hpp"
#include "werkstatt/history/participant_export.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/open.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"
#include "werkstatt/journal/scrub.hpp"
#include "werkstatt/render/downloads.hpp"

namespace werkstatt::app {
namespace {

namespace fs = std::filesystem;
using journal::RocksJournal;
using journal::Status;

struct CommonOptions {
  std::string data_dir = "./var";
};

void add_data_option(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("--data", o.data_dir, "Data folder of the server (its journal is <data>/journal)")
      ->capture_default_str();
}

int fail(std::string_view command, const std::string& what) {
  std::cerr << "werkstatt " << command << ": " << what << "\n";
  return 1;
}

// Opens the journal for reading; works while a server is running.
// --server / --token of the commands that can also ask a running server
// (`while_running`: what the server then does).
void add_server_options(CLI::App* cmd, std::string& server, std::string& token, const std::string& while_running) {
  cmd->add_option("--server", server,
                  "While the server runs: its own URL, e.g. http://127.0.0.1:8080 (" + while_running + ")");
  cmd->add_option("--token", token,
                  "With --server: the workshop's facilitator token or the admin token (default: $WERKSTATT_TOKEN)");
}

// The --token given, else $WERKSTATT_TOKEN (which keeps it out of /proc).
std::string token_or_env(const std::string& given) {
  if (!given.empty()) return given;
  const char* env = std::getenv("WERKSTATT_TOKEN");
  return env ? env : "";
}

std::unique_ptr<RocksJournal> open_for_reading(const CommonOptions& o, std::string_view command, int& exit_code) {
  const std::string dir = journal::journal_dir(o.data_dir);
  if (!fs::exists(dir)) {
    exit_code = fail(command, "there is no journal in " + dir + " (check --data)");
    return nullptr;
  }
  journal::RocksJournalOptions ro;
  ro.read_only = true;
  Status st;
  auto j = RocksJournal::open(dir, ro, &st);
  if (!j) exit_code = fail(command, st.message());
  return j;
}

// Opens the journal for writing; fails with advice while a server holds it
// (`instead`: what the command can do through the server, if anything).
std::unique_ptr<RocksJournal> open_for_writing(const std::string& dir, std::string_view command, int& exit_code,
                                               const std::string& instead = {}) {
  Status st;
  auto j = RocksJournal::open(dir, {}, &st);
  if (!j) {
    const bool locked = st.message().find("lock") != std::string::npos;
    exit_code = fail(command, !locked          ? st.message()
                              : instead.empty() ? "the journal in " + dir + " is in use: stop the server first"
                                                : "the journal in " + dir + " is in use by a running server: " +
                                                      instead + ", or stop the server first");
  }
  return j;
}

// "2026-11-26T14:05[:SS]" in local time, or milliseconds since the epoch.
std::optional<std::int64_t> parse_time(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return std::stoll(text);
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M");
  if (in.fail()) return std::nullopt;
  if (in.peek() == ':') {
    in.get();
    in >> tm.tm_sec;
  }
  tm.tm_isdst = -1;
  const std::time_t t = std::mktime(&tm);
  if (t == -1) return std::nullopt;
  return static_cast<std::int64_t>(t) * 1000;
}

std::string local_time(std::int64_t ms) {
  if (ms == 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

void add_export(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string workshop, format = "md", at, out;
    std::uint64_t seq = 0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "export", "Export a workshop as minutes (Markdown, PDF), CSV, JSON or a board image (SVG, PNG), also while serving");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->add_option("--format", o->format,
                  "md (minutes), pdf (minutes with the board), csv (one row per note), json (full state), "
                  "svg or png (the board)")
      ->capture_default_str()
      ->check(CLI::IsMember({"md", "markdown", "csv", "json", "pdf", "svg", "png"}));
  cmd->add_option("--seq", o->seq, "Export the state after this event (default: the latest)");
  cmd->add_option("--at", o->at, "Export the state at this local time, e.g. 2026-11-26T14:05");
  cmd->add_option("--out", o->out, "Write to this file (default: standard output)");
  cmd->callback([o, &exit_code] {
    auto j = open_for_reading(*o, "export", exit_code);
    if (!j) return;
    std::optional<std::uint64_t> up_to = o->seq ? o->seq : UINT64_MAX;
    Status st;
    if (!o->at.empty()) {
      const auto when = parse_time(o->at);
      if (!when) {
        exit_code = fail("export", "--at must look like 2026-11-26T14:05 (local time) or be milliseconds");
        return;
      }
      up_to = history::seq_at_time(*j, o->workshop, *when, &st);
    }
    std::optional<history::SessionRecord> session;
    if (up_to) session = history::load_session(*j, o->workshop, *up_to, &st);
    if (!session) {
      exit_code = fail("export", st.message());
      return;
    }
    const std::string body = render::render_download(*session, *render::parse_download(o->format));
    if (o->out.empty()) {
      std::cout << body;
    } else {
      std::ofstream file(o->out, std::ios::binary);
      file << body;
      if (!file) {
        exit_code = fail("export", "cannot write " + o->out);
        return;
      }
      std::cerr << "wrote " << o->out << " (" << body.size() << " bytes, state at event " << session->state.seq()
                << ")\n";
    }
    exit_code = 0;
  });
}

void add_backup(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string to;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("backup", "Write a consistent copy of the journal to a new folder (also while serving)");
  add_data_option(cmd, *o);
  cmd->add_option("--to", o->to, "Target folder; must not exist yet")->required();
  cmd->callback([o, &exit_code] {
    const Status st = RocksJournal::backup(journal::journal_dir(o->data_dir), o->to);
    if (!st.ok()) {
      exit_code = fail("backup", st.message());
      return;
    }
    std::cerr << "backup written to " << o->to << "\n";
    exit_code = 0;
  });
}

void add_restore(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string from;
    bool replace = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("restore", "Restore a backup into the data folder (the server must be stopped)");
  add_data_option(cmd, *o);
  cmd->add_option("--from", o->from, "A folder written by 'werkstatt backup'")->required();
  cmd->add_flag("--replace", o->replace,
                "Replace an existing journal (it is kept beside as journal.replaced-<time>, never deleted)");
  cmd->callback([o, &exit_code] {
    journal::RocksJournalOptions ro;
    ro.read_only = true;
    Status st;
    auto source = RocksJournal::open(o->from, ro, &st);
    if (!source) {
      exit_code = fail("restore", o->from + " is not a readable backup: " + st.message());
      return;
    }
    const std::string target = journal::journal_dir(o->data_dir);
    if (fs::exists(target)) {
      if (!o->replace) {
        exit_code = fail("restore", target + " exists; add --replace to replace it (the old one is kept)");
        return;
      }
      // Refuses while a server holds it.
      if (!open_for_writing(target, "restore", exit_code)) return;
      const std::string kept = target + ".replaced-" + std::to_string(std::time(nullptr));
      fs::rename(target, kept);
      std::cerr << "kept the previous journal as " << kept << "\n";
    }
    fs::create_directories(o->data_dir);
    if (Status copied = source->copy_to(target); !copied.ok()) {
      exit_code = fail("restore", copied.message());
      return;
    }
    // A restored history is another history: a new incarnation, so clients
    // that saw the replaced one get history_reset instead of a resume.
    {
      auto restored = open_for_writing(target, "restore", exit_code);
      if (!restored) return;
      if (Status renewed = restored->renew_incarnation(); !renewed.ok()) {
        exit_code = fail("restore", renewed.message());
        return;
      }
    }
    std::vector<v1::WorkshopMeta> metas;
    std::vector<journal::DamagedWorkshop> damaged;
    if (Status listed = source->workshops(&metas, &damaged); !listed.ok() || !damaged.empty()) {
      exit_code = fail("restore", "the backup is damaged: " +
                                      (listed.ok() ? damaged.front().status.message() : listed.message()));
      return;
    }
    std::cerr << "restored " << metas.size() << " workshop(s) into " << target << "\n";
    exit_code = 0;
  });
}

// One plain HTTP/1.1 request to `base` ("http://host:port"): the status
// code (0 if the server cannot be reached) and the body. Enough for talking
// to the local server; TLS belongs to the reverse proxy in front of it.
std::pair<int, std::string> http_call(const std::string& base, const std::string& method, const std::string& target,
                                      const std::string& token) {
  constexpr std::string_view kScheme = "http://";
  if (!base.starts_with(kScheme)) return {0, "only http:// URLs are supported (the server itself, not the proxy)"};
  std::string authority = base.substr(kScheme.size());
  authority = authority.substr(0, authority.find('/'));
  const auto colon = authority.rfind(':');
  const std::string host = colon == std::string::npos ? authority : authority.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0 || !found) return {0, "cannot resolve " + host};
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return {0, "cannot connect to " + base};
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + authority +
                        "\r\nConnection: close\r\nContent-Length: 0\r\n";
  if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
  request += "\r\n";
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (!response.starts_with("HTTP/1.1 ") || response.size() < 12) return {0, "no HTTP answer from " + base};
  const auto body = response.find("\r\n\r\n");
  return {std::atoi(response.substr(9, 3).c_str()), body == std::string::npos ? "" : response.substr(body + 4)};
}

// delete-workshop while the server runs: ask it (DELETE), then wait until
// the workshop answers 404, i.e. it is erased and compacted away.
int delete_through_server(const std::string& server, const std::string& workshop, const std::string& token) {
  const std::string target = "/api/workshops/" + workshop;
  const auto [status, body] = http_call(server, "DELETE", target, token);
  if (status != 202) {
    return fail("delete-workshop", status == 0 ? body : "the server refused (" + std::to_string(status) + "): " + body);
  }
  for (int i = 0; i < 600; ++i) {  // up to 10 minutes: a compaction of a large journal
    const auto [now, text] = http_call(server, "GET", target, "");
    if (now == 404) {
      std::cerr << "deleted workshop " << workshop << " (erased by the running server)\n";
      return 0;
    }
    if (now != 410 || text.find("failed") != std::string::npos)
      return fail("delete-workshop", "the server reports (" + std::to_string(now) + "): " + text);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return fail("delete-workshop", "the server has not finished erasing after 10 minutes; check its log");
}

// Copies of the journal the server knows of (left by `restore`): each still
// holds the workshop, so it is erased there too.
void erase_in_copies(const std::string& data_dir, const std::string& workshop, int& exit_code) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    if (!e.is_directory() || !e.path().filename().string().starts_with("journal.replaced-")) continue;
    Status st;
    auto copy = RocksJournal::open(e.path().string(), {}, &st);
    if (copy) st = copy->erase_workshop(workshop);
    if (st.ok()) {
      std::cerr << "also erased it from the kept copy " << e.path().string() << "\n";
    } else {
      std::cerr << "werkstatt delete-workshop: could NOT erase it from the kept copy " << e.path().string() << ": "
                << st.message() << " — delete that folder if it is no longer needed\n";
      exit_code = 1;
    }
  }
}

void add_delete(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string workshop;
    bool yes = false;
    std::string server;
    std::string token;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("delete-workshop",
                                 "Erase every record of a workshop for good (the server must be stopped)");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->add_flag("--yes", o->yes, "Confirm: this cannot be undone (backups are not touched)");
  add_server_options(cmd, o->server, o->token, "it closes the workshop's connections and erases it");
  cmd->callback([o, &exit_code] {
    if (!o->yes) {
      exit_code = fail("delete-workshop", "this erases " + o->workshop + " for good; add --yes to confirm");
      return;
    }
    if (!o->server.empty()) {
      exit_code = delete_through_server(o->server, o->workshop, token_or_env(o->token));
      if (exit_code == 0) erase_in_copies(o->data_dir, o->workshop, exit_code);
      return;
    }
    const std::string dir = journal::journal_dir(o->data_dir);
    auto j = open_for_writing(dir, "delete-workshop", exit_code,
                              "add --server http://127.0.0.1:<port> --token <facilitator or admin token> to delete "
                              "through it");
    if (!j) return;
    // Whether anything of it is left: metadata, events, snapshots (also
    // after an interrupted run, whose marker open() has already acted on).
    v1::WorkshopMeta meta;
    RocksJournal::WorkshopStats stats;
    const bool had_meta = j->workshop(o->workshop, &meta).code() != Status::Code::not_found;
    const bool had_records = j->stats(o->workshop, &stats).ok() && (stats.events > 0 || stats.snapshots > 0);
    // Always erase (and compact): idempotent, and it also scrubs what an
    // interrupted run left in the files.
    if (Status st = j->erase_workshop(o->workshop); !st.ok()) {
      exit_code = fail("delete-workshop", st.message());
      return;
    }
    const auto& finished = j->erasures_finished_at_open();
    const bool was_interrupted = std::find(finished.begin(), finished.end(), o->workshop) != finished.end();
    if (!had_meta && !had_records && !was_interrupted) {
      exit_code = fail("delete-workshop", "there is no workshop " + o->workshop + " (nothing was left to erase)");
      return;
    }
    std::cerr << "deleted workshop " << o->workshop << "\n";
    exit_code = 0;
    erase_in_copies(o->data_dir, o->workshop, exit_code);
    std::cerr << "backups taken before still contain it (werkstatt never touches backups)\n";
  });
}

// export-participant: what the journal holds about one person (DSGVO Art.
// 15), the operator's scope (ballots and private notes included). Reads a
// read-only view: works while the server runs.
void add_export_participant(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string workshop, participant, out;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("export-participant",
                                 "Export what a workshop stores about one person, as JSON (access request, DSGVO "
                                 "Art. 15; also while serving)");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->add_option("--participant", o->participant, "The person's participant id (their device keeps it; the "
                                                    "facilitator panel and exports show it)")
      ->required();
  cmd->add_option("--out", o->out, "Write to this file (default: standard output)");
  cmd->callback([o, &exit_code] {
    auto j = open_for_reading(*o, "export-participant", exit_code);
    if (!j) return;
    v1::ParticipantExport data;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    if (Status st = history::export_participant(*j, o->workshop, o->participant, history::ExportScope::operator_record,
                                                now, &data);
        !st.ok()) {
      exit_code = fail("export-participant", st.message());
      return;
    }
    const std::string body = history::to_download_json(data);
    if (o->out.empty()) {
      std::cout << body;
    } else {
      std::ofstream file(o->out, std::ios::binary);
      file << body;
      if (!file) {
        exit_code = fail("export-participant", "cannot write " + o->out);
        return;
      }
      std::cerr << "wrote " << o->out << "\n";
    }
    exit_code = 0;
  });
}

// erase-participant with the server stopped: journals the EraseParticipant
// event as the server would, then has the journal rewrite the older records.
int erase_participant_offline(RocksJournal& j, const std::string& workshop, const std::string& participant,
                              std::string* pseudonym) {
  Status st;
  auto board = history::rebuild(j, workshop, UINT64_MAX, &st);
  if (!board) return fail("erase-participant", st.message());
  const v1::Participant* p = board->participant(participant);
  if (!p) return fail("erase-participant", "workshop " + workshop + " has no participant " + participant);
  *pseudonym = p->erased() ? p->display_name()
                           : journal::erased_participant_name(board->settings().language(), p->pseudonym_number());
  if (!p->erased()) {
    v1::Op op;
    op.mutable_erase_participant()->set_participant_id(participant);
    op.mutable_erase_participant()->set_display_name(*pseudonym);
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    board::ApplyResult applied = board->apply(op, board::kSystemAuthor, now);
    if (!applied.ok()) return fail("erase-participant", "the board refused the erasure: " + applied.rejection().reason);
    v1::EventRecord r;
    r.set_workshop_id(workshop);
    r.set_seq(applied.event().seq());
    r.set_time_ms(applied.event().server_time_ms());
    r.set_author_id(std::string(board::kSystemAuthor));
    r.set_author_role(v1::ROLE_SYSTEM);
    *r.mutable_op() = applied.event().op();
    std::promise<Status> stored;
    auto future = stored.get_future();
    j.append({std::move(r)}, [&stored](const Status& s) { stored.set_value(s); });
    if (Status s = future.get(); !s.ok()) return fail("erase-participant", "journaling the erasure failed: " + s.message());
  }
  if (Status s = j.erase_participant(workshop, participant, *pseudonym); !s.ok())
    return fail("erase-participant", s.message());
  return 0;
}

// The journal.replaced-* copies `restore` left in the data folder may hold
// the person too: erased there as well (a copy without them is skipped).
void erase_participant_in_copies(const std::string& data_dir, const std::string& workshop,
                                 const std::string& participant, int& exit_code) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(data_dir, ec)) {
    if (!e.is_directory() || !e.path().filename().string().starts_with("journal.replaced-")) continue;
    Status st;
    auto copy = RocksJournal::open(e.path().string(), {}, &st);
    if (copy) {
      auto board = history::rebuild(*copy, workshop, UINT64_MAX, &st);
      if (board && !board->participant(participant)) continue;  // not in this copy
      if (board) {
        std::string pseudonym;
        if (erase_participant_offline(*copy, workshop, participant, &pseudonym) == 0) {
          std::cerr << "also erased them from the kept copy " << e.path().string() << "\n";
          continue;
        }
        st = {Status::Code::io_error, "see above"};
      } else if (st.code() == Status::Code::not_found) {
        continue;
      }
    }
    std::cerr << "werkstatt erase-participant: could NOT erase them from the kept copy " << e.path().string() << ": "
              << st.message() << " — delete that folder if it is no longer needed\n";
    exit_code = 1;
  }
}

void add_erase_participant(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string workshop, participant, server, token;
    bool yes = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("erase-participant",
                                 "Erase one person from a workshop (DSGVO Art. 17): their identity and name go, "
                                 "their notes stay under a pseudonym");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->add_option("--participant", o->participant, "The person's participant id")->required();
  cmd->add_flag("--yes", o->yes, "Confirm: this cannot be undone (backups are not touched)");
  add_server_options(cmd, o->server, o->token, "the person's connections are closed and everyone sees the pseudonym");
  cmd->callback([o, &exit_code] {
    if (!o->yes) {
      exit_code = fail("erase-participant", "this erases " + o->participant + " for good; add --yes to confirm");
      return;
    }
    if (!o->server.empty()) {
      const auto [status, body] = http_call(o->server, "DELETE",
                                            "/api/workshops/" + o->workshop + "/participants/" + o->participant,
                                            token_or_env(o->token));
      if (status != 200) {
        exit_code = fail("erase-participant", status == 0 ? body
                                                          : "the server answered " + std::to_string(status) + ": " + body);
        return;
      }
      std::cerr << "erased participant " << o->participant << " (by the running server): " << body << "\n";
      exit_code = 0;
      erase_participant_in_copies(o->data_dir, o->workshop, o->participant, exit_code);
      return;
    }
    const std::string dir = journal::journal_dir(o->data_dir);
    auto j = open_for_writing(dir, "erase-participant", exit_code,
                              "add --server http://127.0.0.1:<port> --token <facilitator or admin token>");
    if (!j) return;
    std::string pseudonym;
    exit_code = erase_participant_offline(*j, o->workshop, o->participant, &pseudonym);
    if (exit_code != 0) return;
    std::cerr << "erased participant " << o->participant << " of workshop " << o->workshop << ": shown as \""
              << pseudonym << "\" from now on\n";
    erase_participant_in_copies(o->data_dir, o->workshop, o->participant, exit_code);
    std::cerr << "backups taken before still contain them (werkstatt never touches backups)\n";
  });
}

void add_inspect(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CommonOptions>();
  auto* cmd = app.add_subcommand("inspect", "List the workshops of a journal with head seq, counts and sizes");
  add_data_option(cmd, *o);
  cmd->callback([o, &exit_code] {
    auto j = open_for_reading(*o, "inspect", exit_code);
    if (!j) return;
    std::vector<v1::WorkshopMeta> metas;
    std::vector<journal::DamagedWorkshop> damaged;
    const Status listed = j->workshops(&metas, &damaged);
    std::cout << std::left << std::setw(26) << "workshop" << std::setw(34) << "title" << std::right << std::setw(9)
              << "head seq" << std::setw(9) << "events" << std::setw(10) << "snapshots" << std::setw(11) << "bytes"
              << "  created\n";
    std::vector<std::string> findings;
    for (const auto& meta : metas) {
      RocksJournal::WorkshopStats stats;
      const Status counted = j->stats(meta.id(), &stats);
      Status st;
      auto board = history::rebuild(*j, meta.id(), UINT64_MAX, &st);
      if (!board) findings.push_back("workshop " + meta.id() + " cannot be rebuilt: " + st.message());
      std::string title = board ? board->settings().title() : "(DAMAGED)";
      if (title.size() > 32) title = title.substr(0, 29) + "...";
      std::uint64_t head = 0;
      const Status head_read = j->read_head(meta.id(), &head);
      std::cout << std::left << std::setw(26) << meta.id() << std::setw(34) << title << std::right << std::setw(9)
                << (head_read.ok() ? std::to_string(head) : "?") << std::setw(9)
                << (counted.ok() ? std::to_string(stats.events) : "?") << std::setw(10)
                << (counted.ok() ? std::to_string(stats.snapshots) : "?") << std::setw(11)
                << (counted.ok() ? std::to_string(stats.approximate_bytes) : "?") << "  "
                << local_time(meta.created_ms()) << "\n";
    }
    for (const auto& d : damaged) {
      std::cout << std::left << std::setw(26) << d.workshop_id << std::setw(34) << "(DAMAGED metadata)" << "\n";
      findings.push_back(d.status.message());
    }
    if (!listed.ok()) findings.push_back("the list of workshops is incomplete: " + listed.message());
    // Every record of every family, checksums and decoding.
    std::vector<RocksJournal::Finding> verified;
    if (Status v = j->verify(&verified); !v.ok()) findings.push_back("verifying: " + v.message());
    for (const auto& f : verified)
      findings.push_back((f.workshop_id.empty() ? std::string("(no workshop)") : "workshop " + f.workshop_id) +
                         ": " + f.what);
    std::vector<std::string> pending;
    if (j->pending_erasures(&pending).ok())
      for (const auto& id : pending)
        findings.push_back("workshop " + id + ": an erasure was interrupted; run delete-workshop again (or start the "
                           "server, which finishes it)");
    std::vector<RocksJournal::PendingParticipantErasure> people;
    if (j->pending_participant_erasures(&people).ok())
      for (const auto& p : people)
        findings.push_back("workshop " + p.workshop_id + ": the erasure of participant " + p.participant_id +
                           " was interrupted; run erase-participant again (or start the server, which finishes it)");
    if (findings.empty()) {
      std::cout << "\nno damage found (every record read and its checksum verified)\n";
      exit_code = 0;
      return;
    }
    std::cout << "\nFINDINGS (" << findings.size() << "):\n";
    for (const auto& f : findings) std::cout << "  " << f << "\n";
    std::cout << "A damaged workshop is not served (clients get WORKSHOP_DAMAGED, REST 503). Restore the latest "
                 "backup: werkstatt restore --from <backup> --replace (README, Durability).\n";
    exit_code = 2;
  });
}

// The one place that names voters: an explicit operator command on the
// server's own journal (never reachable over HTTP or WebSocket), for an
// organiser who must audit a vote. Every CastVote/RetractVote as it was
// journaled, tab-separated: seq, local time, round, voter id, voter name, action, note.
void add_audit_ballots(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string workshop;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "audit-ballots",
      "Ballot audit for the operator: every dot cast or retracted, with its voter (exports never name voters)");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->callback([o, &exit_code] {
    auto j = open_for_reading(*o, "audit-ballots", exit_code);
    if (!j) return;
    v1::WorkshopMeta meta;
    if (const Status st = j->workshop(o->workshop, &meta); !st.ok()) {
      exit_code = fail("audit-ballots", st.code() == Status::Code::not_found ? "there is no workshop " + o->workshop
                                                                            : st.message());
      return;
    }
    board::Board board;
    std::vector<v1::EventRecord> page;
    std::cout << "seq\ttime\tround\tvoter_id\tvoter_name\taction\tnote_id\n";
    while (true) {
      page.clear();
      if (Status st = j->read_events(o->workshop, board.seq() + 1, UINT64_MAX, history::kReplayPageSize, &page); !st.ok()) {
        exit_code = fail("audit-ballots", st.message());
        return;
      }
      if (page.empty()) break;
      for (const auto& r : page) {
        const v1::VotingRound* round = board.open_round();
        const std::string round_id = round ? round->id() : "";
        if (auto rejected = board.replay(history::to_event(r))) {
          exit_code = fail("audit-ballots", "event " + std::to_string(r.seq()) + " does not replay: " + rejected->reason);
          return;
        }
        if (!r.op().has_cast_vote() && !r.op().has_retract_vote()) continue;
        const v1::Participant* voter = board.participant(r.author_id());
        std::cout << r.seq() << "\t" << local_time(r.time_ms()) << "\t" << round_id << "\t" << r.author_id() << "\t"
                  << (voter ? voter->display_name() : "") << "\t" << (r.op().has_cast_vote() ? "cast" : "retract")
                  << "\t" << (r.op().has_cast_vote() ? r.op().cast_vote().note_id() : r.op().retract_vote().note_id())
                  << "\n";
      }
    }
    exit_code = 0;
  });
}

}  // namespace

void add_journal_commands(CLI::App& app, int& exit_code) {
  add_audit_ballots(app, exit_code);
  add_export(app, exit_code);
  add_backup(app, exit_code);
  add_restore(app, exit_code);
  add_delete(app, exit_code);
  add_export_participant(app, exit_code);
  add_erase_participant(app, exit_code);
  add_inspect(app, exit_code);
}

}  // namespace werkstatt::app
