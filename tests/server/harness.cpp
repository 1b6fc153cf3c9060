#include "harness.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "werkstatt/journal/rocksdb_journal.hpp"

namespace werkstatt::test {

struct TestServer::Impl {
  boost::asio::io_context io;
  std::shared_ptr<journal::Journal> journal;
  journal::MemoryJournal* memory = nullptr;
  std::unique_ptr<workshop::WorkshopRegistry> registry;
  std::unique_ptr<net::Server> server;
  std::vector<std::thread> threads;
  workshop::CreatedWorkshop created;
  bool shut_down = false;
};

TestServer::TestServer(TestServerOptions o) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  if (o.journal) {
    s.journal = o.journal;
  } else if (o.rocksdb_dir) {
    journal::Status status;
    s.journal = journal::RocksJournal::open(o.rocksdb_dir->string(), {}, &status);
    if (!s.journal) throw std::runtime_error("RocksDB: " + status.message());
  } else {
    auto memory = std::make_unique<journal::MemoryJournal>();
    s.memory = memory.get();
    s.journal = std::move(memory);
  }
  s.registry = std::make_unique<workshop::WorkshopRegistry>(s.io, *s.journal, o.workshop);
  // As `werkstatt serve`: damaged workshops are not served, the rest is;
  // only an incomplete list of workshops stops the start.
  bool listing_complete = true;
  if (const auto st = s.registry->recover_all(&listing_complete); !st.ok() && !listing_complete)
    throw std::runtime_error("recovery: " + st.message());
  net::ServerConfig config;
  config.bind_address = "127.0.0.1";
  config.port = 0;
  config.static_dir = o.static_dir.empty() ? std::filesystem::path("/nonexistent") : o.static_dir;
  config.admin_token = o.admin_token;
  config.allowed_origins = o.allowed_origins;
  config.trusted_proxies = o.trusted_proxies;
  config.proxy_protocol = o.proxy_protocol;
  config.public_url = o.public_url;
  config.allowed_hosts = o.allowed_hosts;
  if (!o.audit_log.empty()) {
    std::string error;
    config.audit = net::AuditLog::open(o.audit_log.string(), &error);
    if (!config.audit) throw std::runtime_error(error);
  }
  config.io_shards = static_cast<std::size_t>(o.threads);
  config.limits = o.limits;
  s.server = std::make_unique<net::Server>(s.io, config, *s.registry);
  std::string error;
  if (!s.server->start(&error)) throw std::runtime_error(error);
  if (o.create_workshop) {
    workshop::CreateError failure;
    auto created = s.registry->create("impuls-werkstatt", "Test", "de", &failure);
    if (!created) throw std::runtime_error(failure.message);
    s.created = *created;
  }
  if (o.ready) s.server->set_ready();
  for (int i = 0; i < o.threads; ++i) s.threads.emplace_back([&io = s.io] { io.run(); });
}

TestServer::~TestServer() {
  if (!impl_->shut_down) shutdown();
  // Same order as `werkstatt serve`: server, workshops, journal, io_context.
  impl_->server.reset();
  impl_->registry.reset();
  impl_->journal.reset();
}

bool TestServer::shutdown(std::chrono::milliseconds timeout) {
  Impl& s = *impl_;
  if (s.shut_down) return true;
  s.shut_down = true;
  struct Flag {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
  };
  auto flag = std::make_shared<Flag>();  // outlives a timed-out wait
  s.server->shutdown([flag] {
    std::lock_guard lock(flag->m);
    flag->done = true;
    flag->cv.notify_all();
  });
  bool completed = false;
  {
    std::unique_lock lock(flag->m);
    completed = flag->cv.wait_for(lock, timeout, [&] { return flag->done; });
  }
  s.io.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  return completed;
}

void TestServer::set_ready() { impl_->server->set_ready(); }
std::uint16_t TestServer::port() const { return impl_->server->port(); }
workshop::WorkshopRegistry& TestServer::registry() { return *impl_->registry; }
journal::MemoryJournal& TestServer::memory_journal() {
  if (!impl_->memory) throw std::logic_error("not a MemoryJournal");
  return *impl_->memory;
}
journal::Journal& TestServer::journal() { return *impl_->journal; }
const workshop::CreatedWorkshop& TestServer::workshop() const { return impl_->created; }
workshop::WorkshopInfo TestServer::info() const { return impl_->registry->find(impl_->created.id)->info(); }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// ---------------------------------------------------------------- Peer

Peer::Peer(std::uint16_t port, const ConnectOptions& options) : ws_(std::make_unique<WsClient>(port, options)) {}

bool Peer::join(const std::string& workshop_id, const v1::Credential& credential, const std::string& name, bool resume,
                std::uint64_t last_seen_seq) {
  welcomed_ = false;
  v1::ClientMessage m =
      hello(workshop_id, credential, name, resume ? participant_id_ : "", resume ? secret_ : "", last_seen_seq);
  // A resume names the history its last_seen_seq belongs to, as the web client does.
  if (resume) m.mutable_hello()->set_history_id(history_id_);
  ws_->send(m);
  return pump_until([&] { return welcomed_; });
}

void Peer::adopt(const Peer& other) {
  participant_id_ = other.participant_id_;
  secret_ = other.secret_;
  history_id_ = other.history_id_;
  if (other.board_) board_ = other.board_;
  pending_ = other.pending_;
}

std::string Peer::send(const v1::Op& op, std::string id) {
  if (id.empty()) id = "op" + std::to_string(++next_op_) + "-" + participant_id_;
  pending_[id] = op;
  ws_->send(op_message(id, op));
  return id;
}

bool Peer::pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto m = ws_->next(left);
    if (!m) return done();
    handle(*m);
  }
  return true;
}

bool Peer::wait_ack(const std::string& op_id, std::chrono::milliseconds timeout) {
  return pump_until([&] { return acks_.contains(op_id); }, timeout);
}

bool Peer::wait_seq(std::uint64_t seq, std::chrono::milliseconds timeout) {
  return pump_until([&] { return board_ && board_->seq() >= seq; }, timeout);
}

void Peer::drain(std::chrono::milliseconds quiet) {
  while (auto m = ws_->next(quiet)) handle(*m);
}

std::string Peer::common_state() const {
  if (!board_) return {};
  v1::BoardState s = board_->state();
  // Who had an op accepted is server-side bookkeeping, never in a view: a
  // mirror knows it only for the events it saw (a late joiner for none).
  for (auto& p : *s.mutable_participants()) {
    p.clear_acted();
    p.clear_saw_open_round();
  }
  s.clear_pseudonyms_issued();  // a mirror restored from a view never knows it
  s.clear_join_code();
  s.clear_hidden_notes();
  s.clear_tallies();
  return s.SerializeAsString();
}

std::vector<std::uint64_t> Peer::acks_of(const std::string& op_id) const {
  std::vector<std::uint64_t> out;
  for (const auto& [id, seq] : all_acks_)
    if (id == op_id) out.push_back(seq);
  return out;
}

void Peer::apply(const v1::Event& e) {
  if (!board_) throw std::runtime_error("an event before the Welcome");
  if (e.seq() != board_->seq() + 1)
    throw std::runtime_error("gap: event " + std::to_string(e.seq()) + " after " + std::to_string(board_->seq()));
  if (e.op().has_redacted()) {
    // Something this viewer may not see: only the seq advances. (The mirror
    // is a board, not a client model: it does not count hidden notes.)
    v1::BoardState state = board_->state();
    state.set_seq(e.seq());
    board_ = board::Board::restore(state);
    seqs_.push_back(e.seq());
    if (keep_history_) history_.push_back(std::to_string(e.seq()) + " " + e.author_id() + " redacted");
    redacted_.push_back(e);
    return;
  }
  if (auto rejected = board_->replay(e)) {
    if (!e.op().has_reveal())
      throw std::runtime_error("event " + std::to_string(e.seq()) + " does not apply: " + rejected->reason);
    // A Reveal of notes this viewer never saw: the event carries them.
    v1::BoardState state = board_->state();
    std::map<std::string, v1::Note> notes;
    for (const auto& n : state.notes()) notes[n.id()] = n;
    for (const auto& n : e.op().reveal().notes()) notes[n.id()] = n;
    state.clear_notes();
    for (auto& [id, n] : notes) *state.add_notes() = n;
    state.clear_hidden_notes();
    state.set_seq(e.seq());
    std::string why;
    board_ = board::Board::restore(state, &why);
    if (!board_) throw std::runtime_error("a Reveal does not restore: " + why);
  }
  seqs_.push_back(e.seq());
  if (keep_history_) history_.push_back(std::to_string(e.seq()) + " " + e.author_id() + " " + e.op().ShortDebugString());
}

void Peer::handle(const v1::ServerMessage& m) {
  switch (m.body_case()) {
    case v1::ServerMessage::kWelcome: {
      welcome_ = m.welcome();
      ++welcomes_;
      history_id_ = welcome_.history_id();
      welcomed_ = true;
      participant_id_ = welcome_.participant_id();
      if (!welcome_.participant_secret().empty()) secret_ = welcome_.participant_secret();
      if (welcome_.resumed()) {
        if (!board_ || board_->seq() != welcome_.seq())
          throw std::runtime_error("a resume Welcome at seq " + std::to_string(welcome_.seq()) +
                                   " for a board at seq " + std::to_string(seq()));
      } else {
        std::string why;
        board_ = board::Board::restore(welcome_.state(), &why);
        if (!board_) throw std::runtime_error("the Welcome state does not restore: " + why);
        if (board_->seq() != welcome_.seq()) throw std::runtime_error("Welcome.seq differs from its state's seq");
      }
      break;
    }
    case v1::ServerMessage::kEvent:
      ++events_;
      if (keep_history_) events_seen_.push_back(m.event());
      apply(m.event());
      break;
    case v1::ServerMessage::kAck: {
      const auto& ack = m.ack();
      all_acks_.emplace_back(ack.client_op_id(), ack.seq());
      acks_[ack.client_op_id()] = ack.seq();
      const auto it = pending_.find(ack.client_op_id());
      if (it != pending_.end() && board_ && ack.seq() == board_->seq() + 1) {
        v1::Event own;
        own.set_seq(ack.seq());
        own.set_author_id(participant_id_);
        *own.mutable_op() = it->second;
        apply(own);
      } else if (board_ && ack.seq() > board_->seq()) {
        throw std::runtime_error("an Ack for seq " + std::to_string(ack.seq()) + " ahead of the board at " +
                                 std::to_string(board_->seq()));
      }
      pending_.erase(ack.client_op_id());
      break;
    }
    case v1::ServerMessage::kReject:
      rejects_[m.reject().client_op_id()] = m.reject().code();
      pending_.erase(m.reject().client_op_id());
      break;
    case v1::ServerMessage::kError: errors_.push_back(m.error()); break;
    case v1::ServerMessage::kPresence: presence_.push_back({std::chrono::steady_clock::now(), m.presence()}); break;
    default: break;
  }
}

}  // namespace werkstatt::test
