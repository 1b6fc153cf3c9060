#pragma once
// Choosing and opening the journal of a node.
//
// Data folder layout:
//   <data>/journal/   the RocksDB database (RocksJournal)
// Everything a single node stores lives below the data folder, so backing
// it up or moving it is one folder. Nodes that fail over for each other
// share a PostgreSQL database instead (PostgresJournal); their data folders
// then hold nothing of the journal.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::journal {

enum class JournalKind {
  rocksdb,   // durable, one node: the default
  postgres,  // durable, shared by the nodes behind one proxy (--postgres-url)
  memory,    // nothing survives a restart; for tests and demos
};

struct JournalSettings {
  JournalKind kind = JournalKind::rocksdb;
  std::string data_dir;      // rocksdb: the journal is <data_dir>/journal
  std::string postgres_url;  // postgres: a libpq connection string or URL
  std::string node_name;     // postgres: this node in the lease rows (e.g. the host name)
  std::chrono::milliseconds lease{3000};  // postgres: PostgresJournalOptions::lease
};

[[nodiscard]] std::optional<JournalKind> parse_journal_kind(std::string_view name);
[[nodiscard]] std::string journal_dir(const std::string& data_dir);

// Opens the journal (creating folders, tables as needed). nullptr with
// `status` set if that fails, e.g. another werkstatt holds the folder, or
// the database cannot be reached.
[[nodiscard]] std::unique_ptr<Journal> open_journal(const JournalSettings& settings, Status* status);

}  // namespace werkstatt::journal
