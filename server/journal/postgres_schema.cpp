#include "postgres_schema.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "random_id.hpp"

namespace werkstatt::journal {
namespace {

// Step n brings version n - 1 to n. Append steps; never edit a shipped one.
const std::vector<std::vector<const char*>>& steps() {
  static const std::vector<std::vector<const char*>> all = {
      // 1: the journal of schema version 1 (postgres_journal.hpp).
      {"CREATE TABLE werkstatt_meta (key text PRIMARY KEY, value text NOT NULL)",
       "CREATE TABLE werkstatt_workshops (workshop_id text PRIMARY KEY, join_code text, meta bytea NOT NULL)",
       "CREATE INDEX werkstatt_workshops_by_join_code ON werkstatt_workshops (join_code) WHERE join_code IS NOT NULL",
       "CREATE TABLE werkstatt_events (workshop_id text NOT NULL, seq bigint NOT NULL CHECK (seq > 0), "
       "record bytea NOT NULL, PRIMARY KEY (workshop_id, seq))",
       "CREATE TABLE werkstatt_snapshots (workshop_id text NOT NULL, seq bigint NOT NULL, snapshot bytea NOT NULL, "
       "PRIMARY KEY (workshop_id, seq))",
       "CREATE TABLE werkstatt_client_ops (workshop_id text NOT NULL, author_id text NOT NULL, "
       "client_op_id text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (workshop_id, author_id, client_op_id))",
       "CREATE TABLE werkstatt_owners (workshop_id text PRIMARY KEY, node_id text NOT NULL, epoch bigint NOT NULL, "
       "expires_at timestamptz NOT NULL)"},
  };
  return all;
}

// Any constant: the lock only serialises werkstatt nodes migrating one database.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7308861220465811270)";

}  // namespace

Status migrate_schema(pg::Connection& conn, int version, std::string* incarnation) {
  const auto fail = [&](Status s) {
    (void)conn.exec("rolling back", {"ROLLBACK", {}});
    return s;
  };
  if (Status s = conn.exec("starting the schema check", {"BEGIN", {}}); !s.ok()) return s;
  if (Status s = conn.exec("locking the schema", {kMigrationLock, {}}); !s.ok()) return fail(s);
  if (Status s = conn.exec("creating werkstatt_schema",
                           {"CREATE TABLE IF NOT EXISTS werkstatt_schema (version integer NOT NULL)", {}});
      !s.ok())
    return fail(s);
  pg::Result r;
  if (Status s = conn.exec("reading the schema version", {"SELECT version FROM werkstatt_schema", {}}, &r); !s.ok())
    return fail(s);
  const int stored = r.rows() == 0 ? 0 : static_cast<int>(r.int8(0, 0));
  if (r.rows() > 1) return fail({Status::Code::corruption, "werkstatt_schema holds more than one version"});
  if (stored > version)
    return fail({Status::Code::invalid_argument,
                 "the database's werkstatt schema is version " + std::to_string(stored) + ", newer than this " +
                     "werkstatt's " + std::to_string(version) + ": update werkstatt on this node"});
  for (int v = stored + 1; v <= version; ++v) {
    for (const char* sql : steps().at(static_cast<std::size_t>(v - 1)))
      if (Status s = conn.exec("migrating the schema to version " + std::to_string(v), {sql, {}}); !s.ok())
        return fail(s);
    spdlog::info("postgres journal: schema migrated to version {}", v);
  }
  if (stored != version) {
    const char* record = stored == 0 ? "INSERT INTO werkstatt_schema (version) VALUES ($1)"
                                     : "UPDATE werkstatt_schema SET version = $1";
    if (Status s = conn.exec("recording the schema version", {record, {pg::int8(static_cast<std::uint64_t>(version))}});
        !s.ok())
      return fail(s);
  }
  if (Status s = conn.exec("creating the incarnation",
                           {"INSERT INTO werkstatt_meta (key, value) VALUES ('incarnation', $1) ON CONFLICT DO NOTHING",
                            {pg::text(random_hex_id())}});
      !s.ok())
    return fail(s);
  if (Status s = conn.exec("reading the incarnation",
                           {"SELECT value FROM werkstatt_meta WHERE key = 'incarnation'", {}}, &r);
      !s.ok())
    return fail(s);
  if (r.rows() != 1) return fail({Status::Code::corruption, "werkstatt_meta has no incarnation"});
  *incarnation = std::string(r.bytes(0, 0));
  return conn.exec("committing the schema", {"COMMIT", {}});
}

}  // namespace werkstatt::journal
