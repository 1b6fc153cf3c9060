#include "werkstatt/journal/open.hpp"

#include <filesystem>

#include "werkstatt/journal/memory_journal.hpp"
#include "werkstatt/journal/postgres_journal.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

namespace werkstatt::journal {

std::optional<JournalKind> parse_journal_kind(std::string_view name) {
  if (name == "rocksdb") return JournalKind::rocksdb;
  if (name == "postgres") return JournalKind::postgres;
  if (name == "memory") return JournalKind::memory;
  return std::nullopt;
}

std::string journal_dir(const std::string& data_dir) { return (std::filesystem::path(data_dir) / "journal").string(); }

std::unique_ptr<Journal> open_journal(const JournalSettings& settings, Status* status) {
  switch (settings.kind) {
    case JournalKind::memory:
      if (status) *status = {};
      return std::make_unique<MemoryJournal>();
    case JournalKind::postgres: {
      if (settings.postgres_url.empty()) {
        *status = {Status::Code::invalid_argument, "--journal postgres needs --postgres-url"};
        return nullptr;
      }
      PostgresJournalOptions options;
      options.url = settings.postgres_url;
      if (!settings.node_name.empty()) options.node_name = settings.node_name;
      options.lease = settings.lease;
      return PostgresJournal::open(options, status);
    }
    case JournalKind::rocksdb:
      break;
  }
  return RocksJournal::open(journal_dir(settings.data_dir), {}, status);
}

}  // namespace werkstatt::journal
