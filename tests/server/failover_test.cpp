// Two werkstatt nodes (the real binary) sharing one PostgreSQL journal (a
// cluster made with initdb, on loopback). Clients edit on node A; A is
// frozen (SIGSTOP, as a hung machine); the clients reconnect to node B as a
// proxy would send them, land once A's lease has run out, resend what was
// not acknowledged, and go on. When A wakes up it has lost the workshop:
// its stale connection is told MOVED and nothing more is acknowledged there.
// Then: every acknowledged (client op id, seq) is in PostgreSQL exactly
// once, the journal is gapless, and everyone converges.
#include <catch2/catch.hpp>

#include <signal.h>

#include <map>
#include <random>
#include <regex>
#include <set>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/postgres.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/journal/postgres_journal.hpp"
#include "werkstatt/metrics/metrics.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

constexpr int kLeaseMs = 1000;

Process start_node(const std::string& postgres_url, const std::string& data, const std::string& name) {
  return Process({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "postgres", "--postgres-url", postgres_url,
                  "--node-name", name, "--lease-ms", std::to_string(kLeaseMs), "--data", data, "--threads", "2",
                  "--ops-per-second", "5000", "--ops-burst", "5000"});
}

std::uint16_t port_of(const Process& p) {
  std::smatch m;
  REQUIRE(std::regex_search(p.output(), m, std::regex(R"(ready at http://127\.0\.0\.1:(\d+)/)")));
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

struct Writer {
  std::unique_ptr<Peer> peer;
  std::string name;
  std::map<std::string, v1::Op> sent;
  std::map<std::string, std::uint64_t> acked;
  int next = 0;
  void collect() {
    for (const auto& [id, seq] : peer->acks()) acked.emplace(id, seq);
  }
  void send_one() {
    const std::string id = name + "-op" + std::to_string(next);
    const v1::Op op = ops::create_note("n-" + name + "-" + std::to_string(next), "Idee " + std::to_string(next),
                                       next % 40 * 50.0, next / 40 * 50.0);
    ++next;
    sent[id] = op;
    peer->send(op, id);
  }
  void resend_unacked() {
    for (const auto& [id, op] : sent)
      if (!acked.contains(id)) peer->send(op, id);
  }
};

bool has_error(const Peer& p, v1::ErrorCode code) {
  for (const auto& e : p.errors())
    if (e.code() == code) return true;
  return false;
}

std::vector<Writer> join_writers(const Demo& demo, std::size_t n) {
  std::vector<Writer> writers(n);
  for (std::size_t i = 0; i < writers.size(); ++i) {
    writers[i].name = "w" + std::to_string(i);
    writers[i].peer = std::make_unique<Peer>(demo.port);
    REQUIRE(writers[i].peer->join(demo.id, join_code(demo.code), writers[i].name));
  }
  return writers;
}

// Every writer sends as fast as acks come back, for `length`.
void burst(std::vector<Writer>& writers, std::chrono::milliseconds length) {
  const auto until = std::chrono::steady_clock::now() + length;
  while (std::chrono::steady_clock::now() < until)
    for (auto& w : writers) {
      w.send_one();
      w.peer->pump_until([] { return false; }, std::chrono::milliseconds(2));
      w.collect();
    }
}

// The workshop's journal in PostgreSQL at `url`: gapless, each client op
// once, never `unacked_op`, every ack at the seq it named. The number of
// acknowledged ops.
std::size_t check_postgres_journal(const std::string& url, const std::string& workshop,
                                   const std::vector<Writer>& writers, const std::string& unacked_op = "") {
  journal::PostgresJournalOptions o;
  o.url = url;
  o.node_name = "checker";
  journal::Status st;
  auto j = journal::PostgresJournal::open(o, &st);
  INFO(st.message());
  REQUIRE(j);
  std::vector<v1::EventRecord> records;
  REQUIRE(j->read_events(workshop, 1, UINT64_MAX, 10'000'000, &records).ok());
  std::set<std::pair<std::string, std::string>> op_ids;
  std::map<std::uint64_t, const v1::EventRecord*> by_seq;
  for (std::size_t i = 0; i < records.size(); ++i) {
    REQUIRE(records[i].seq() == i + 1);
    by_seq[records[i].seq()] = &records[i];
    if (!records[i].client_op_id().empty())
      CHECK(op_ids.emplace(records[i].author_id(), records[i].client_op_id()).second);
    if (!unacked_op.empty()) CHECK(records[i].client_op_id() != unacked_op);
  }
  std::size_t acked_total = 0;
  for (const auto& w : writers)
    for (const auto& [id, seq] : w.acked) {
      INFO(w.name << " op " << id << " acked at seq " << seq);
      REQUIRE(by_seq.contains(seq));
      CHECK(by_seq.at(seq)->client_op_id() == id);
      CHECK(by_seq.at(seq)->author_id() == w.peer->id());
      ++acked_total;
    }
  UNSCOPED_INFO(acked_total << " acknowledged ops; journal head " << records.size());
  return acked_total;
}

}  // namespace

TEST_CASE("failover: a frozen node's workshop moves to another node sharing the PostgreSQL journal, losing no "
          "acknowledged edit",
          "[binary][failover][postgres]") {
  PostgresCluster pg;
  TempDir dir;
  Process a = start_node(pg.url(), dir / "a", "node-a");
  REQUIRE(a.read_until("observer:"));
  const Demo demo = parse_demo(a.output());
  Process b = start_node(pg.url(), dir / "b", "node-b");
  REQUIRE(b.read_until("ready at"));
  const std::uint16_t port_b = port_of(b);

  std::vector<Writer> writers = join_writers(demo, 3);
  Peer stale(demo.port);  // stays on A throughout
  REQUIRE(stale.join(demo.id, join_code(demo.code), "stale"));
  burst(writers, std::chrono::milliseconds(600));
  // Frozen mid-burst: ops are in flight, some acknowledged, some not.
  for (auto& w : writers) w.send_one();
  REQUIRE(kill(a.pid(), SIGSTOP) == 0);
  const auto frozen_at = std::chrono::steady_clock::now();
  for (auto& w : writers) {
    w.peer->drain(std::chrono::milliseconds(20));
    w.collect();
  }

  // The clients reconnect to B with backoff until it has taken the workshop
  // over: while A's lease runs, B sends them back (MOVED), never serving it too.
  int sent_on = 0;
  for (auto& w : writers) {
    bool joined = false;
    int moved = 0;
    while (!joined && std::chrono::steady_clock::now() - frozen_at < std::chrono::seconds(10)) {
      auto fresh = std::make_unique<Peer>(port_b);
      fresh->adopt(*w.peer);
      joined = fresh->join(demo.id, join_code(demo.code), w.name, true, w.peer->seq());
      if (!joined) {
        REQUIRE(has_error(*fresh, v1::ERROR_CODE_MOVED));  // retryable, never UNKNOWN_WORKSHOP
        ++moved;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      w.peer = std::move(fresh);
    }
    REQUIRE(joined);
    sent_on += moved;
    w.resend_unacked();
  }
  const auto moved_after = std::chrono::steady_clock::now() - frozen_at;
  INFO("clients served by B " << std::chrono::duration_cast<std::chrono::milliseconds>(moved_after).count()
                               << " ms after A froze");
  CHECK(moved_after < std::chrono::seconds(5));
  CHECK(sent_on >= 1);  // the first attempts came while A's lease still ran
  // B counts what it refused and what it took (Prometheus /metrics).
  const std::string metrics_b = http_request(port_b, "GET", "/metrics").body;
  CHECK(metrics_b.find("werkstatt_workshop_ownership_total{event=\"refused\"} ") != std::string::npos);
  CHECK(metrics_b.find("werkstatt_workshop_ownership_total{event=\"taken\"} 1\n") != std::string::npos);
  for (int i = 0; i < 20; ++i)
    for (auto& w : writers) w.send_one();
  for (auto& w : writers) {
    REQUIRE(w.peer->pump_until([&] {
      w.collect();
      return w.acked.size() == w.sent.size();
    }, std::chrono::seconds(20)));
    for (const auto& [id, code] : w.peer->rejects()) {
      INFO(w.name << " op " << id << ": " << v1::RejectCode_Name(code));
      CHECK(false);
    }
  }

  // A wakes up: it finds its lease taken and sends its last client on; an op
  // sent to it now is never acknowledged there.
  REQUIRE(kill(a.pid(), SIGCONT) == 0);
  const std::string late_op = stale.send(ops::create_note("n-stale", "zu spät", 1, 1));
  REQUIRE(stale.pump_until([&] { return has_error(stale, v1::ERROR_CODE_MOVED); }, std::chrono::seconds(5)));
  CHECK_FALSE(stale.acks().contains(late_op));
  CHECK(http_request(demo.port, "GET", "/metrics").body.find("werkstatt_workshop_ownership_total{event=\"handed_over\"} 1\n") !=
        std::string::npos);

  // Everyone converges on B's state, a newcomer included.
  Peer late(port_b);
  REQUIRE(late.join(demo.id, join_code(demo.code), "late"));
  for (auto& w : writers) {
    REQUIRE(w.peer->wait_seq(late.seq()));
    CHECK(w.peer->common_state() == late.common_state());
  }
  REQUIRE(b.terminate() == 0);
  REQUIRE(a.terminate() == 0);

  // The journal in PostgreSQL: gapless, each client op once, every ack where it said.
  CHECK(check_postgres_journal(pg.url(), demo.id, writers, late_op) > 60);
  CHECK(pg.sql("SELECT count(*) FROM werkstatt_owners") == "0");  // both stopped cleanly: every lease handed back
}

TEST_CASE("failover of PostgreSQL: the synchronous standby is promoted under load - workshops turn read-only with "
          "typed errors, then take edits again, and nothing acknowledged is lost",
          "[binary][failover][postgres][standby]") {
  PostgresCluster primary;
  PostgresCluster standby(PostgresCluster::StandbyOf{primary});
  primary.make_synchronous();
  // Both servers in the URL; libpq's reconnect finds the one that takes writes.
  const std::string url = "postgresql://werkstatt@127.0.0.1:" + std::to_string(primary.port()) + ",127.0.0.1:" +
                          std::to_string(standby.port()) + "/postgres?target_session_attrs=read-write&connect_timeout=2";
  TempDir dir;
  Process node = start_node(url, dir / "n", "node-n");
  REQUIRE(node.read_until("observer:"));
  const Demo demo = parse_demo(node.output());

  std::vector<Writer> writers = join_writers(demo, 3);
  burst(writers, std::chrono::milliseconds(500));
  const std::size_t acked_before = writers[0].acked.size() + writers[1].acked.size() + writers[2].acked.size();
  CHECK(acked_before > 30);

  // The primary dies mid-burst; writes fail until the standby is promoted.
  primary.crash();
  const auto crashed_at = std::chrono::steady_clock::now();
  burst(writers, std::chrono::milliseconds(500));
  for (auto& w : writers) {
    // Told, typed: READ_ONLY (not fatal), and what could not be stored is rejected as READ_ONLY.
    REQUIRE(w.peer->pump_until([&] { return has_error(*w.peer, v1::ERROR_CODE_READ_ONLY); }, std::chrono::seconds(10)));
    for (const auto& [id, code] : w.peer->rejects()) {
      INFO(w.name << " op " << id);
      CHECK(code == v1::REJECT_CODE_READ_ONLY);
    }
  }
  standby.promote();

  // The journal's retry finds the promoted standby; edits are taken again.
  for (auto& w : writers) {
    bool taken = false;
    while (!taken && std::chrono::steady_clock::now() - crashed_at < std::chrono::seconds(30)) {
      const std::string id = w.name + "-again" + std::to_string(w.next);
      w.sent[id] = ops::create_note("n-" + w.name + "-again-" + std::to_string(w.next), "wieder da", 5, 5);
      ++w.next;
      w.peer->send(w.sent[id], id);
      taken = w.peer->pump_until([&] {
        w.collect();
        return w.acked.contains(id) || w.peer->rejects().contains(id);
      }, std::chrono::seconds(5)) && w.acked.contains(id);
      if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    REQUIRE(taken);
  }
  const auto writable_after = std::chrono::steady_clock::now() - crashed_at;
  WARN("standby promoted: edits acknowledged again "
       << std::chrono::duration_cast<std::chrono::milliseconds>(writable_after).count() << " ms after the primary died");
  burst(writers, std::chrono::milliseconds(300));
  for (auto& w : writers) {
    REQUIRE(w.peer->pump_until([&] {
      w.collect();
      return w.acked.size() + w.peer->rejects().size() >= w.sent.size();
    }, std::chrono::seconds(20)));
  }
  REQUIRE(node.terminate() == 0);

  // Every acknowledged op is in the promoted standby, once, at its seq; gapless.
  CHECK(check_postgres_journal(standby.url(), demo.id, writers) > acked_before);
}

TEST_CASE("failover: a workshop handed over journals nothing more on the node it left - its browsers coming back "
          "there at once find it writable and gapless",
          "[failover][postgres]") {
  // The proxy's ring changing while a room joins sends some browsers back
  // to the node that just handed the workshop over: it loads it again. The
  // instance it handed over must not journal anything after the hand-over
  // (its connections closing are not events of the workshop any more), or
  // the new instance's first append is refused and the workshop turns read-only.
  PostgresCluster pg;
  journal::PostgresJournalOptions o;
  o.url = pg.url();
  o.node_name = "node-a";
  o.lease = std::chrono::milliseconds(kLeaseMs);
  journal::Status st;
  std::shared_ptr<journal::Journal> j = journal::PostgresJournal::open(o, &st);
  INFO(st.message());
  REQUIRE(j);
  TestServerOptions options;
  options.journal = j;
  TestServer server(options);
  const std::string id = server.workshop().id;
  const v1::Credential code = join_code(server.workshop().join_code);
  const std::uint64_t failures_before = metrics::global().journal_append_failures.value();
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    std::vector<std::unique_ptr<Peer>> room;
    for (int i = 0; i < 6; ++i) {
      room.push_back(std::make_unique<Peer>(server.port()));
      REQUIRE(room.back()->join(id, code, "Teilnehmerin " + std::to_string(i)));
      REQUIRE(room.back()->wait_ack(room.back()->send(ops::create_note("r" + std::to_string(round) + "-" + std::to_string(i), "Idee", i * 50.0, round * 50.0))));
    }
    const auto handed = server.registry().find_loaded(id);
    REQUIRE(handed);
    const std::uint64_t handed_at = j->head_seq(id).value_or(0);
    handed->hand_over();
    // One browser comes straight back to this node (a join racing the
    // hand-over is told MOVED and tries again, as the client does).
    std::unique_ptr<Peer> back_peer;
    bool joined = false;
    for (int attempt = 0; attempt < 100 && !joined; ++attempt) {
      back_peer = std::make_unique<Peer>(server.port());
      joined = back_peer->join(id, code, "Zurück " + std::to_string(round));
    }
    Peer& back = *back_peer;
    REQUIRE(joined);
    // The room is sent on; its connections close while the new instance serves.
    for (auto& p : room) CHECK(p->pump_until([&] { return has_error(*p, v1::ERROR_CODE_MOVED); }));
    room.clear();
    for (int i = 0; i < 5; ++i) {
      const std::string op = back.send(ops::create_note("b" + std::to_string(round) + "-" + std::to_string(i), "Nach der Übergabe", i * 50.0, 400.0));
      REQUIRE(back.wait_ack(op));
      back.drain(std::chrono::milliseconds(30));
    }
    CHECK(back.rejects().empty());
    CHECK(j->write_failure().ok());
    std::vector<v1::EventRecord> records;
    REQUIRE(j->read_events(id, 1, UINT64_MAX, 1'000'000, &records).ok());
    for (std::size_t i = 0; i < records.size(); ++i) REQUIRE(records[i].seq() == i + 1);
    CHECK(records.size() == back.seq());
    REQUIRE(records.size() > handed_at);
    // Never refused: the instance here continued the journal where the one handed over stopped.
    CHECK(metrics::global().journal_append_failures.value() == failures_before);
    const auto serving = server.registry().find_loaded(id);
    REQUIRE(serving);
    CHECK_FALSE(serving->info().read_only);
  }
}
