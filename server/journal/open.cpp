#include "werkstatt/journal/open.hpp"

#include <filesystem>

#include "werkstatt/journal/memory_journal.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

namespace werkstatt::journal {

std::optional<JournalKind> parse_journal_kind(std::string_view name) {
  if (name == "rocksdb") return JournalKind::rocksdb;
  if (name == "memory") return JournalKind::memory;
  return std::nullopt;
}

std::string journal_dir(const std::string& data_dir) { return (std::filesystem::path(data_dir) / "journal").string(); }

std::unique_ptr<Journal> open_journal(JournalKind kind, const std::string& data_dir, Status* status) {
  if (kind == JournalKind::memory) {
    if (status) *status = {};
    return std::make_unique<MemoryJournal>();
  }
  return RocksJournal::open(journal_dir(data_dir), {}, status);
}

}  // namespace werkstatt::journal
