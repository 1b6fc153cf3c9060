#pragma once
// An in-process werkstatt server on an ephemeral loopback port, run on its
// own threads, with one workshop created; and a Peer: a test participant
// that mirrors the board from what it receives (Welcome state, Events, its
// own ops on Ack) and checks the stream is gapless and in order.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "werkstatt/board/board.hpp"
#include "werkstatt/journal/memory_journal.hpp"
#include "werkstatt/net/server.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"
#include "ws_client.hpp"

namespace werkstatt::test {

struct TestServerOptions {
  net::ServerLimits limits;
  workshop::WorkshopOptions workshop;
  std::filesystem::path static_dir;
  std::string admin_token;
  std::vector<std::string> allowed_origins;
  std::vector<std::string> trusted_proxies;
  bool proxy_protocol = false;
  std::string public_url;
  std::vector<std::string> allowed_hosts;
  std::filesystem::path audit_log;  // empty: none
  std::optional<std::filesystem::path> rocksdb_dir;  // default: a MemoryJournal
  std::shared_ptr<journal::Journal> journal;         // if set: this journal (e.g. a test double)
  bool create_workshop = true;
  bool ready = true;  // false: the server stays "starting" (/readyz 503)
  int threads = 2;
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();  // shuts down gracefully if shutdown() was not called
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] workshop::WorkshopRegistry& registry();
  // REQUIRES: the default MemoryJournal.
  [[nodiscard]] journal::MemoryJournal& memory_journal();
  [[nodiscard]] journal::Journal& journal();
  // The workshop created at start (REQUIRES: create_workshop).
  [[nodiscard]] const workshop::CreatedWorkshop& workshop() const;
  [[nodiscard]] workshop::WorkshopInfo info() const;
  // Ends the "starting" state (/readyz 200) of a server started with ready = false.
  void set_ready();
  // Graceful shutdown; true if it completed within `timeout`.
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = std::chrono::seconds(5));

class Peer {
 public:
  explicit Peer(std::uint16_t port, const ConnectOptions& options = {});

  // Sends Hello and processes messages until the Welcome (true) or an Error
  // or close (false; see errors()). Resumes with the stored identity and
  // `last_seen_seq` when `resume` is set.
  bool join(const std::string& workshop_id, const v1::Credential& credential, const std::string& name = "Tester",
            bool resume = false, std::uint64_t last_seen_seq = 0);
  // Takes over another peer's identity and board (to reconnect "as" it).
  void adopt(const Peer& other);

  // Sends an op with a fresh client_op_id (returned), or with `id`.
  std::string send(const v1::Op& op, std::string id = {});
  // Processes messages until `done` holds; false on timeout or close.
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool wait_ack(const std::string& op_id, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool wait_seq(std::uint64_t seq, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Processes whatever arrives within `quiet` (to check that nothing does).
  void drain(std::chrono::milliseconds quiet = std::chrono::milliseconds(200));

  [[nodiscard]] WsClient& ws() { return *ws_; }
  [[nodiscard]] const board::Board& board() const { return *board_; }
  // The board without what differs by viewer (the join code facilitators
  // see), for comparing peers of different roles.
  [[nodiscard]] std::string common_state() const;
  [[nodiscard]] std::uint64_t seq() const { return board_ ? board_->seq() : 0; }
  [[nodiscard]] const std::string& id() const { return participant_id_; }
  [[nodiscard]] const std::string& secret() const { return secret_; }
  [[nodiscard]] const v1::Welcome& welcome() const { return welcome_; }
  [[nodiscard]] std::size_t welcomes() const { return welcomes_; }  // on every socket of this peer
  [[nodiscard]] const std::vector<std::uint64_t>& seqs() const { return seqs_; }       // events and acks, in order
  [[nodiscard]] const std::vector<std::string>& history() const { return history_; }  // "seq author op"
  [[nodiscard]] const std::map<std::string, std::uint64_t>& acks() const { return acks_; }
  [[nodiscard]] std::vector<std::uint64_t> acks_of(const std::string& op_id) const;
  [[nodiscard]] const std::map<std::string, v1::RejectCode>& rejects() const { return rejects_; }
  [[nodiscard]] const std::vector<v1::Error>& errors() const { return errors_; }
  [[nodiscard]] std::size_t events_received() const { return events_; }
  [[nodiscard]] const std::vector<v1::Event>& redacted() const { return redacted_; }
  struct TimedPresence {
    std::chrono::steady_clock::time_point at;
    v1::PresenceUpdate update;
  };
  [[nodiscard]] const std::vector<TimedPresence>& presence() const { return presence_; }
  // Every Event as received (also those for own ops the server completed).
  [[nodiscard]] const std::vector<v1::Event>& events() const { return events_seen_; }
  // Off: no history strings (for tests that measure memory).
  void keep_history(bool keep) { keep_history_ = keep; }

 private:
  void handle(const v1::ServerMessage& m);
  void apply(const v1::Event& e);

  std::unique_ptr<WsClient> ws_;
  std::optional<board::Board> board_;
  v1::Welcome welcome_;
  bool welcomed_ = false;
  std::size_t welcomes_ = 0;
  std::string participant_id_;
  std::string secret_;
  std::string history_id_;  // of the last Welcome: sent with a resume
  std::map<std::string, v1::Op> pending_;
  std::map<std::string, std::uint64_t> acks_;
  std::vector<std::pair<std::string, std::uint64_t>> all_acks_;
  std::map<std::string, v1::RejectCode> rejects_;
  std::vector<v1::Error> errors_;
  std::vector<std::uint64_t> seqs_;
  std::vector<std::string> history_;
  bool keep_history_ = true;
  std::vector<v1::Event> redacted_;
  std::vector<TimedPresence> presence_;
  std::vector<v1::Event> events_seen_;
  std::size_t events_ = 0;
  std::uint64_t next_op_ = 0;
};

}  // namespace werkstatt::test
