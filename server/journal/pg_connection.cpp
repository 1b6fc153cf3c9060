#include "pg_connection.hpp"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

namespace werkstatt::journal::pg {
namespace {

// The SQLSTATE classes the journal tells apart; everything else is an I/O
// error (connection lost, server shutting down, a failover in progress).
Status::Code code_of(std::string_view sqlstate) {
  if (sqlstate == "23505") return Status::Code::moved;  // a primary key taken: another node wrote that seq
  if (sqlstate == "55P03") return Status::Code::moved;  // lock_timeout: a lease row locked by its holder's commit
  if (sqlstate == "25006") return Status::Code::read_only;  // a standby, or default_transaction_read_only
  if (sqlstate.starts_with("53")) return Status::Code::no_space;  // disk full, out of memory
  return Status::Code::io_error;
}

std::string trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

}  // namespace

void ResultDeleter::operator()(pg_result* r) const { PQclear(r); }

int Result::rows() const { return r_ ? PQntuples(r_.get()) : 0; }
bool Result::is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
std::string_view Result::bytes(int row, int col) const {
  return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}
std::uint64_t Result::int8(int row, int col) const {
  const std::string_view b = bytes(row, col);
  std::uint64_t v = 0;
  for (const char c : b) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}
std::uint64_t Result::affected() const {
  const char* n = r_ ? PQcmdTuples(r_.get()) : "";
  return *n ? std::stoull(n) : 0;
}

std::unique_ptr<Connection> Connection::connect(const std::string& url, Status* status,
                                                std::vector<std::string> session) {
  PGconn* c = PQconnectdb(url.c_str());
  if (PQstatus(c) != CONNECTION_OK) {
    *status = {Status::Code::io_error, "cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(c))};
    PQfinish(c);
    return nullptr;
  }
  // Notices ("already exists, skipping", the server's shutdown warnings)
  // go to the debug log, not to stderr.
  PQsetNoticeProcessor(
      c, [](void*, const char* message) { spdlog::debug("postgres: {}", trimmed(message)); }, nullptr);
  std::unique_ptr<Connection> conn(new Connection(c, std::move(session)));
  if (*status = conn->set_up_session(); !status->ok()) return nullptr;
  return conn;
}

Status Connection::set_up_session() {
  for (const std::string& sql : session_)
    if (Status s = exec("setting up the session (" + sql + ")", {sql, {}}); !s.ok()) return s;
  return {};
}

Connection::~Connection() { PQfinish(c_); }

std::vector<std::string> Connection::notifications() {
  std::vector<std::string> out;
  if (PQconsumeInput(c_) != 1) return out;
  while (PGnotify* n = PQnotifies(c_)) {
    out.emplace_back(n->extra ? n->extra : "");
    PQfreemem(n);
  }
  return out;
}

bool Connection::broken() const { return PQstatus(c_) != CONNECTION_OK; }

Status Connection::reset() {
  PQreset(c_);
  if (broken()) return {Status::Code::io_error, "cannot reconnect to PostgreSQL: " + trimmed(PQerrorMessage(c_))};
  return set_up_session();
}

Status Connection::failure(std::string_view what, pg_result* r) const {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
  return {state ? code_of(state) : Status::Code::io_error,
          std::string(what) + ": " + (message.empty() ? trimmed(PQerrorMessage(c_)) : message)};
}

namespace {

struct Arrays {
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
  explicit Arrays(const Statement& s) {
    for (const Param& p : s.params) {
      values.push_back(p.value.data());
      lengths.push_back(static_cast<int>(p.value.size()));
      formats.push_back(p.binary ? 1 : 0);
    }
  }
};

bool succeeded(pg_result* r) {
  const ExecStatusType t = PQresultStatus(r);
  return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

}  // namespace

Status Connection::exec(std::string_view what, const Statement& statement, Result* out) {
  const Arrays a(statement);
  pg_result* r = PQexecParams(c_, statement.sql.c_str(), static_cast<int>(a.values.size()), nullptr, a.values.data(),
                              a.lengths.data(), a.formats.data(), /*resultFormat=binary*/ 1);
  if (!r || !succeeded(r)) {
    Status s = failure(what, r);
    PQclear(r);
    return s;
  }
  if (out) *out = Result(r);
  else PQclear(r);
  return {};
}

Status Connection::pipeline(std::string_view what, const std::vector<Statement>& statements, std::vector<Result>* out) {
  if (PQenterPipelineMode(c_) != 1) return failure(what, nullptr);
  Status first;
  for (const Statement& s : statements) {
    const Arrays a(s);
    if (PQsendQueryParams(c_, s.sql.c_str(), static_cast<int>(a.values.size()), nullptr, a.values.data(),
                          a.lengths.data(), a.formats.data(), 1) != 1) {
      first = failure(what, nullptr);
      break;
    }
  }
  if (PQpipelineSync(c_) != 1) return failure(what, nullptr);  // broken: the caller resets it
  if (out) out->clear();
  // Read every result up to the sync point (also after a failure: the
  // connection must be back in a clean state for the next statement).
  for (;;) {
    pg_result* r = PQgetResult(c_);
    if (!r) {
      if (broken()) {
        if (first.ok()) first = failure(what, nullptr);
        break;
      }
      continue;  // the end of one statement's results
    }
    const ExecStatusType t = PQresultStatus(r);
    if (t == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    if (t == PGRES_PIPELINE_ABORTED) {
      PQclear(r);
      if (out) out->emplace_back();
      continue;
    }
    if (!succeeded(r)) {
      if (first.ok()) first = failure(what, r);
      PQclear(r);
      if (out) out->emplace_back();
      continue;
    }
    if (out) out->emplace_back(r);
    else PQclear(r);
  }
  if (PQexitPipelineMode(c_) != 1 && first.ok()) first = failure(what, nullptr);
  return first;
}

}  // namespace werkstatt::journal::pg
