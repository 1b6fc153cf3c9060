#pragma once
// One libpq connection for the PostgreSQL journal: statements with
// parameters, binary results, pipelines (many statements, one round trip),
// and every failure turned into a journal Status in one place.
//
// Parameters go as text, except bytes (bytea), which go binary. Results
// come back in binary format: bigint as 8 bytes big-endian, text and bytea
// as their bytes (int8() / bytes() read them).
//
// Thread safety: none. A connection belongs to one thread at a time (the
// journal guards each with its own mutex or gives it to one thread).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "werkstatt/journal/journal.hpp"

struct pg_conn;
struct pg_result;

namespace werkstatt::journal::pg {

struct Param {
  std::string value;
  bool binary = false;
};
[[nodiscard]] inline Param text(std::string_view v) { return {std::string(v), false}; }
[[nodiscard]] inline Param bytes(std::string v) { return {std::move(v), true}; }
[[nodiscard]] inline Param int8(std::uint64_t v) { return {std::to_string(v), false}; }

struct ResultDeleter {
  void operator()(pg_result* r) const;
};
// A statement's rows (null after a failure).
class Result {
 public:
  Result() = default;
  explicit Result(pg_result* r) : r_(r) {}
  [[nodiscard]] int rows() const;
  [[nodiscard]] bool is_null(int row, int col) const;
  [[nodiscard]] std::string_view bytes(int row, int col) const;
  // A bigint column (binary: 8 bytes big-endian).
  [[nodiscard]] std::uint64_t int8(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  [[nodiscard]] std::uint64_t affected() const;

 private:
  std::unique_ptr<pg_result, ResultDeleter> r_;
};

struct Statement {
  std::string sql;
  std::vector<Param> params;
};

class Connection {
 public:
  // Connects with a libpq connection string or URL and runs `session`
  // (SET statements) on it, again after every reset(). nullptr and `status`
  // (io_error, with libpq's reason) when that fails.
  [[nodiscard]] static std::unique_ptr<Connection> connect(const std::string& url, Status* status,
                                                           std::vector<std::string> session = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One statement, waiting for its result. `what` names it in errors.
  [[nodiscard]] Status exec(std::string_view what, const Statement& statement, Result* out = nullptr);
  // Several statements in one round trip (libpq pipeline mode). `out` gets
  // one Result per statement. The first failure is returned; statements
  // after it did not run (PostgreSQL skips the rest of a failed pipeline).
  [[nodiscard]] Status pipeline(std::string_view what, const std::vector<Statement>& statements,
                                std::vector<Result>* out = nullptr);
  // The payloads of the notifications received (LISTEN) since the last call; never blocks.
  [[nodiscard]] std::vector<std::string> notifications();
  // Connects again after the server went away or failed over.
  [[nodiscard]] Status reset();
  [[nodiscard]] bool broken() const;

 private:
  explicit Connection(pg_conn* c, std::vector<std::string> session) : c_(c), session_(std::move(session)) {}
  Status failure(std::string_view what, pg_result* r) const;
  Status set_up_session();
  pg_conn* c_;
  std::vector<std::string> session_;
};

}  // namespace werkstatt::journal::pg
