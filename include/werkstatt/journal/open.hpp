#pragma once
// Choosing and opening the journal of a data folder.
//
// Data folder layout:
//   <data>/journal/   the RocksDB database (RocksJournal)
// Everything a node stores lives below the data folder, so backing it up or
// moving it is one folder.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::journal {

enum class JournalKind {
  rocksdb,  // durable: the default
  memory,   // nothing survives a restart; for tests and demos
};

[[nodiscard]] std::optional<JournalKind> parse_journal_kind(std::string_view name);
[[nodiscard]] std::string journal_dir(const std::string& data_dir);

// Opens the journal of `data_dir` (creating folders as needed). nullptr with
// `status` set if that fails, e.g. another werkstatt holds the folder.
[[nodiscard]] std::unique_ptr<Journal> open_journal(JournalKind kind, const std::string& data_dir, Status* status);

}  // namespace werkstatt::journal
