#pragma once
// The PostgreSQL journal's schema: created and migrated step by step at
// open, one transaction under an advisory lock (nodes starting together
// migrate once), the version recorded in werkstatt_schema. A database whose
// version is newer than this binary's is refused: an older werkstatt must
// not write rows it does not understand.
// Thread safety: none (the connection's owner calls it once, at open).
#include <string>

#include "pg_connection.hpp"

namespace werkstatt::journal {

// Brings the schema to `version` and reads (creating on first use) the
// journal's incarnation into `incarnation`.
[[nodiscard]] Status migrate_schema(pg::Connection& conn, int version, std::string* incarnation);

}  // namespace werkstatt::journal
