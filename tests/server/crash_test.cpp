// Crash test on the real binary with the RocksDB journal: several clients
// edit, the server is killed with SIGKILL at a random moment, restarted, and
// the clients resume and resend what was not acknowledged. Repeated at
// several random kill points. Then:
// - every event a client saw acknowledged is in the journal exactly once, in
//   order (at the seq it was acknowledged with, by the same author);
// - the journal is gapless and no client op is stored twice;
// - resumed clients converge to the recovered state.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/journal/open.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

struct Writer {
  std::unique_ptr<Peer> peer;
  std::string name;
  std::map<std::string, v1::Op> sent;                // client op id → op (every op ever sent)
  std::map<std::string, std::uint64_t> acked;        // client op id → seq, across all restarts
  std::vector<std::string> acked_notes;              // notes whose create was acked
  int next = 0;

  void collect_acks() {
    for (const auto& [id, seq] : peer->acks()) {
      if (acked.emplace(id, seq).second && sent.at(id).has_create_note())
        acked_notes.push_back(sent.at(id).create_note().id());
    }
  }
  // Creates a note, or edits one of its own acknowledged notes.
  void send_one(std::mt19937& rng) {
    v1::Op op;
    if (acked_notes.empty() || rng() % 3 != 0) {
      op = ops::create_note("n-" + name + "-" + std::to_string(next), "Idee " + std::to_string(next) + " von " + name,
                            static_cast<double>(rng() % 2000), static_cast<double>(rng() % 2000));
    } else {
      op = ops::update_note_text(acked_notes[rng() % acked_notes.size()], "geändert " + std::to_string(next));
    }
    const std::string id = name + "-op" + std::to_string(next++);
    sent[id] = op;
    peer->send(op, id);
  }
};

// The per-connection rate limit is raised: this test is about durability
// under load, and the resends after a restart arrive as one burst.
Process start_server(const std::string& data) {
  return Process({WERKSTATT_BINARY, "serve", "--port", "0", "--journal", "rocksdb", "--data", data, "--threads", "2",
                  "--ops-per-second", "5000", "--ops-burst", "5000"});
}

}  // namespace

TEST_CASE("crash: SIGKILL at random moments loses no acknowledged event and clients converge", "[binary][crash]") {
  TempDir dir;
  const std::string data = dir / "var";
  std::vector<Writer> writers(3);
  for (std::size_t i = 0; i < writers.size(); ++i) writers[i].name = "w" + std::to_string(i);
  Demo demo;
  std::size_t kills = 0;

  for (const unsigned seed : {11u, 23u, 37u, 41u, 59u}) {
    std::mt19937 rng(seed);
    Process server = start_server(data);
    REQUIRE(server.read_until("observer:"));
    demo = parse_demo(server.output());
    // Join (first round) or resume as the same identity and resend what was
    // never acknowledged, with the same client op ids.
    for (auto& w : writers) {
      auto fresh = std::make_unique<Peer>(demo.port);
      const bool resume = w.peer != nullptr;
      if (resume) fresh->adopt(*w.peer);
      const std::uint64_t last_seen = resume ? w.peer->seq() : 0;
      INFO("seed " << seed << ", " << w.name << " resuming from seq " << last_seen);
      REQUIRE(fresh->join(demo.id, join_code(demo.code), w.name, resume, last_seen));
      w.peer = std::move(fresh);
      for (const auto& [id, op] : w.sent)
        if (!w.acked.contains(id)) w.peer->send(op, id);
    }
    // Load, then SIGKILL at a random moment while ops are in flight.
    const auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(150 + rng() % 600);
    while (std::chrono::steady_clock::now() < kill_at) {
      for (auto& w : writers) {
        w.send_one(rng);
        w.peer->pump_until([] { return false; }, std::chrono::milliseconds(2));
        w.collect_acks();
      }
    }
    server.kill_now();
    ++kills;
    for (auto& w : writers) {
      w.peer->drain(std::chrono::milliseconds(50));  // whatever was already on the wire
      w.collect_acks();
    }
  }

  // The last restart: resume, resend, and wait until everything is settled.
  Process server = start_server(data);
  REQUIRE(server.read_until("observer:"));
  demo = parse_demo(server.output());
  for (auto& w : writers) {
    auto fresh = std::make_unique<Peer>(demo.port);
    fresh->adopt(*w.peer);
    REQUIRE(fresh->join(demo.id, join_code(demo.code), w.name, true, w.peer->seq()));
    w.peer = std::move(fresh);
    for (const auto& [id, op] : w.sent)
      if (!w.acked.contains(id)) w.peer->send(op, id);
  }
  for (auto& w : writers) {
    REQUIRE(w.peer->pump_until(
        [&] {
          for (const auto& [id, op] : w.sent)
            if (!w.acked.contains(id) && !w.peer->acks().contains(id) && !w.peer->rejects().contains(id)) return false;
          return true;
        },
        std::chrono::seconds(20)));
    w.collect_acks();
    for (const auto& [id, code] : w.peer->rejects()) {
      INFO(w.name << " op " << id << ": " << v1::RejectCode_Name(code));
      CHECK(false);  // a resend is never refused (e.g. as a duplicate)
    }
  }
  // Everyone converges on the recovered state, including a newcomer.
  Peer late(demo.port);
  REQUIRE(late.join(demo.id, join_code(demo.code), "late"));
  for (auto& w : writers) {
    REQUIRE(w.peer->wait_seq(late.seq()));
    CHECK(w.peer->common_state() == late.common_state());
  }
  REQUIRE(server.terminate() == 0);
  CHECK(kills == 5);

  // The journal: gapless, each client op once, every ack where it said.
  journal::RocksJournalOptions ro;
  ro.read_only = true;
  journal::Status st;
  auto j = journal::RocksJournal::open(journal::journal_dir(data), ro, &st);
  INFO(st.message());
  REQUIRE(j);
  std::vector<v1::EventRecord> records;
  REQUIRE(j->read_events(demo.id, 1, UINT64_MAX, 10'000'000, &records).ok());
  REQUIRE_FALSE(records.empty());
  std::set<std::pair<std::string, std::string>> op_ids;  // (author, client op id)
  std::map<std::uint64_t, const v1::EventRecord*> by_seq;
  for (std::size_t i = 0; i < records.size(); ++i) {
    REQUIRE(records[i].seq() == i + 1);
    by_seq[records[i].seq()] = &records[i];
    if (!records[i].client_op_id().empty())
      CHECK(op_ids.emplace(records[i].author_id(), records[i].client_op_id()).second);
  }
  std::size_t acked_total = 0;
  for (const auto& w : writers) {
    for (const auto& [id, seq] : w.acked) {
      INFO(w.name << " op " << id << " acked at seq " << seq);
      REQUIRE(by_seq.contains(seq));
      CHECK(by_seq.at(seq)->client_op_id() == id);
      CHECK(by_seq.at(seq)->author_id() == w.peer->id());
      ++acked_total;
    }
    CHECK(w.acked.size() == w.sent.size());  // in the end every op was acknowledged
  }
  INFO(acked_total << " acknowledged ops over " << kills << " kills; journal head " << records.size());
  CHECK(acked_total > 100);
}
