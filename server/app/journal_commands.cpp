// Offline journal subcommands: export, backup, restore, delete-workshop,
// inspect, audit-ballots.
#include "journal_commands.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "werkstatt/journal/exports.hpp"
#include "werkstatt/journal/open.hpp"
#include "werkstatt/journal/replay.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

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

// Opens the journal for writing; fails with advice while a server holds it.
std::unique_ptr<RocksJournal> open_for_writing(const std::string& dir, std::string_view command, int& exit_code) {
  Status st;
  auto j = RocksJournal::open(dir, {}, &st);
  if (!j) {
    const bool locked = st.message().find("lock") != std::string::npos;
    exit_code = fail(command, locked ? "the journal in " + dir + " is in use: stop the server first"
                                     : st.message());
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
  auto* cmd = app.add_subcommand("export", "Export a workshop as Markdown minutes, CSV or JSON (also while serving)");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->add_option("--format", o->format, "md (minutes), csv (one row per note) or json (full state)")
      ->capture_default_str()
      ->check(CLI::IsMember({"md", "markdown", "csv", "json"}));
  cmd->add_option("--seq", o->seq, "Export the state after this event (default: the latest)");
  cmd->add_option("--at", o->at, "Export the state at this local time, e.g. 2026-11-26T14:05");
  cmd->add_option("--out", o->out, "Write to this file (default: standard output)");
  cmd->callback([o, &exit_code] {
    auto j = open_for_reading(*o, "export", exit_code);
    if (!j) return;
    std::uint64_t up_to = o->seq ? o->seq : UINT64_MAX;
    Status st;
    auto session = journal::load_session(*j, o->workshop, up_to, &st);
    if (session && !o->at.empty()) {
      const auto when = parse_time(o->at);
      if (!when) {
        exit_code = fail("export", "--at must look like 2026-11-26T14:05 (local time) or be milliseconds");
        return;
      }
      session = journal::load_session(*j, o->workshop, journal::seq_at_time(*session, *when), &st);
    }
    if (!session) {
      exit_code = fail("export", st.message());
      return;
    }
    const std::string body = journal::export_as(*session, *journal::parse_export_format(o->format));
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
    std::cerr << "restored " << source->workshops().size() << " workshop(s) into " << target << "\n";
    exit_code = 0;
  });
}

void add_delete(CLI::App& app, int& exit_code) {
  struct Options : CommonOptions {
    std::string workshop;
    bool yes = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("delete-workshop",
                                 "Erase every record of a workshop for good (the server must be stopped)");
  add_data_option(cmd, *o);
  cmd->add_option("--workshop", o->workshop, "Workshop id")->required();
  cmd->add_flag("--yes", o->yes, "Confirm: this cannot be undone (backups are not touched)");
  cmd->callback([o, &exit_code] {
    if (!o->yes) {
      exit_code = fail("delete-workshop", "this erases " + o->workshop + " for good; add --yes to confirm");
      return;
    }
    auto j = open_for_writing(journal::journal_dir(o->data_dir), "delete-workshop", exit_code);
    if (!j) return;
    if (!j->workshop(o->workshop) && j->head_seq(o->workshop) == 0) {
      exit_code = fail("delete-workshop", "there is no workshop " + o->workshop);
      return;
    }
    if (Status st = j->delete_workshop(o->workshop); !st.ok()) {
      exit_code = fail("delete-workshop", st.message());
      return;
    }
    std::cerr << "deleted workshop " << o->workshop << "\n";
    exit_code = 0;
  });
}

void add_inspect(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CommonOptions>();
  auto* cmd = app.add_subcommand("inspect", "List the workshops of a journal with head seq, counts and sizes");
  add_data_option(cmd, *o);
  cmd->callback([o, &exit_code] {
    auto j = open_for_reading(*o, "inspect", exit_code);
    if (!j) return;
    std::cout << std::left << std::setw(26) << "workshop" << std::setw(34) << "title" << std::right << std::setw(9)
              << "head seq" << std::setw(9) << "events" << std::setw(10) << "snapshots" << std::setw(11) << "bytes"
              << "  created\n";
    for (const auto& meta : j->workshops()) {
      RocksJournal::WorkshopStats stats;
      if (Status st = j->stats(meta.id(), &stats); !st.ok()) {
        exit_code = fail("inspect", st.message());
        return;
      }
      Status st;
      auto board = journal::rebuild(*j, meta.id(), UINT64_MAX, &st);
      std::string title = board ? board->settings().title() : "(unreadable: " + st.message() + ")";
      if (title.size() > 32) title = title.substr(0, 29) + "...";
      std::cout << std::left << std::setw(26) << meta.id() << std::setw(34) << title << std::right << std::setw(9)
                << j->head_seq(meta.id()) << std::setw(9) << stats.events << std::setw(10) << stats.snapshots
                << std::setw(11) << stats.approximate_bytes << "  " << local_time(meta.created_ms()) << "\n";
    }
    exit_code = 0;
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
    if (!j->workshop(o->workshop)) {
      exit_code = fail("audit-ballots", "there is no workshop " + o->workshop);
      return;
    }
    board::Board board;
    std::vector<v1::EventRecord> page;
    std::cout << "seq\ttime\tround\tvoter_id\tvoter_name\taction\tnote_id\n";
    while (true) {
      page.clear();
      if (Status st = j->read_events(o->workshop, board.seq() + 1, UINT64_MAX, journal::kReplayPageSize, &page); !st.ok()) {
        exit_code = fail("audit-ballots", st.message());
        return;
      }
      if (page.empty()) break;
      for (const auto& r : page) {
        const v1::VotingRound* round = board.open_round();
        const std::string round_id = round ? round->id() : "";
        if (auto rejected = board.replay(journal::to_event(r))) {
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
  add_inspect(app, exit_code);
}

}  // namespace werkstatt::app
