// The PostgreSQL journal over a real PostgreSQL (a cluster made with initdb
// in a temporary directory, on a loopback port): the Journal contract, the
// leases that let several nodes share it, and its failures.
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "support/journal_checks.hpp"
#include "support/postgres.hpp"
#include "support/recorder.hpp"
#include "support/render.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/postgres_journal.hpp"

using namespace werkstatt;
using journal::PostgresJournal;
using journal::Status;
using werkstatt::test::append_sync;
using werkstatt::test::PostgresCluster;
using werkstatt::test::Recorder;
using werkstatt::test::render_head;

namespace {

std::unique_ptr<PostgresJournal> open_pg(const PostgresCluster& pg, const std::string& node = "node",
                                         std::chrono::milliseconds lease = std::chrono::milliseconds(3000)) {
  journal::PostgresJournalOptions o;
  o.url = pg.url();
  o.node_name = node;
  o.lease = lease;
  Status s;
  auto j = PostgresJournal::open(o, &s);
  INFO(s.message());
  REQUIRE(j);
  return j;
}


v1::WorkshopMeta meta_for(const std::string& id, const std::string& code) {
  v1::WorkshopMeta meta;
  meta.set_id(id);
  meta.set_join_code(code);
  meta.set_title("Regionalplan " + id);
  return meta;
}

}  // namespace

TEST_CASE("postgres journal: events, metadata, snapshots and the idempotency index round-trip and survive a reopen",
          "[journal][postgres]") {
  PostgresCluster pg;
  Recorder w("w1");
  w.standard_session(40);
  w.records[5].set_client_op_id("op-5");
  w.records[6].set_client_op_id("op-6");
  w.records[7].set_client_op_id("op-7");
  w.records[7].set_evicts_client_op_id("op-5");  // same author as 5? only if it is; checked below
  std::string before, incarnation;
  {
    auto j = open_pg(pg);
    incarnation = j->incarnation();
    CHECK(incarnation.size() == 32);
    REQUIRE(j->put_workshop(meta_for("w1", "K7Q2XP")).ok());
    REQUIRE(j->acquire_workshop("w1").ok());
    std::vector<v1::EventRecord> first(w.records.begin(), w.records.begin() + 10);
    REQUIRE(append_sync(*j, first).ok());
    for (std::size_t i = 10; i < w.records.size(); ++i) REQUIRE(append_sync(*j, {w.records[i]}).ok());
    CHECK(j->head_seq("w1") == w.board.seq());
    CHECK(j->head_seq("w2") == 0);
    before = render_head(*j, "w1");
    CHECK(before == test::render(w.board.state()));
    Status rebuilt;
    auto at20 = history::rebuild(*j, "w1", 20, &rebuilt);
    REQUIRE(at20);
    v1::Snapshot snap;
    snap.set_workshop_id("w1");
    snap.set_seq(20);
    *snap.mutable_state() = at20->state();
    REQUIRE(j->put_snapshot(snap).ok());
    CHECK(j->group_commits() >= 31);
    CHECK(j->events_written() == w.records.size());
  }
  auto j = open_pg(pg);
  CHECK(j->incarnation() == incarnation);  // one history identity for every node and every open
  CHECK(render_head(*j, "w1") == before);
  CHECK(j->head_seq("w1") == w.board.seq());
  std::vector<v1::WorkshopMeta> metas;
  std::vector<journal::DamagedWorkshop> damaged;
  REQUIRE(j->workshops(&metas, &damaged).ok());
  REQUIRE(metas.size() == 1);
  CHECK(damaged.empty());
  CHECK(metas[0].join_code() == "K7Q2XP");
  v1::WorkshopMeta one;
  CHECK(j->workshop("nope", &one).code() == Status::Code::not_found);
  std::vector<v1::EventRecord> page;
  REQUIRE(j->read_events("w1", 5, 9, 100, &page).ok());
  REQUIRE(page.size() == 5);
  CHECK(page[2].SerializeAsString() == w.records[6].SerializeAsString());
  page.clear();
  REQUIRE(j->read_events("w1", 1, UINT64_MAX, 7, &page).ok());
  CHECK(page.size() == 7);
  v1::Snapshot snap;
  REQUIRE(j->latest_snapshot("w1", UINT64_MAX, &snap).ok());
  CHECK(snap.seq() == 20);
  CHECK(j->latest_snapshot("w1", 19, &snap).code() == Status::Code::not_found);
  std::vector<journal::ClientOp> index;
  REQUIRE(j->client_ops("w1", &index).ok());
  std::set<std::string> ids;
  for (const auto& op : index) ids.insert(op.client_op_id + "@" + std::to_string(op.seq));
  const bool same_author = w.records[7].author_id() == w.records[5].author_id();
  CHECK(ids == (same_author ? std::set<std::string>{"op-6@7", "op-7@8"}
                            : std::set<std::string>{"op-5@6", "op-6@7", "op-7@8"}));
  CHECK(pg.sql("SELECT version FROM werkstatt_schema") == "1");
}

TEST_CASE("postgres journal: an append must continue the seq of a workshop this node holds - nothing is written "
          "otherwise",
          "[journal][postgres]") {
  PostgresCluster pg;
  auto j = open_pg(pg);
  Recorder w("w1");
  w.standard_session(3);
  CHECK(append_sync(*j, {w.records[0]}).code() == Status::Code::moved);  // not acquired
  REQUIRE(j->acquire_workshop("w1").ok());
  CHECK(append_sync(*j, {w.records[1]}).code() == Status::Code::invalid_argument);  // seq 2 before 1
  REQUIRE(append_sync(*j, {w.records[0], w.records[1]}).ok());
  CHECK(append_sync(*j, {w.records[1]}).code() == Status::Code::invalid_argument);  // a duplicate
  CHECK(append_sync(*j, {}).code() == Status::Code::invalid_argument);
  CHECK(j->head_seq("w1") == 2);
  CHECK(pg.sql("SELECT count(*) FROM werkstatt_events") == "2");
  REQUIRE(append_sync(*j, {w.records[2]}).ok());
  CHECK(j->head_seq("w1") == 3);
}

TEST_CASE("postgres journal: concurrent appends from many workshops share commits and complete in order",
          "[journal][postgres][group-commit]") {
  PostgresCluster pg;
  auto j = open_pg(pg);
  constexpr int kWorkshops = 8;
  constexpr int kEvents = 150;
  std::vector<Recorder> recorders;
  for (int w = 0; w < kWorkshops; ++w) {
    recorders.emplace_back("w" + std::to_string(w));
    recorders.back().standard_session(kEvents);
    REQUIRE(j->acquire_workshop(recorders.back().workshop).ok());
  }
  std::size_t total = 0;
  for (const auto& rec : recorders) total += rec.records.size();
  test::append_concurrently(*j, recorders, std::chrono::seconds(60));
  // Group commit groups: fewer transactions than events.
  INFO("commits " << j->group_commits() << " for " << total << " events");
  CHECK(j->group_commits() < total);
}

TEST_CASE("postgres journal: two nodes never write one workshop - the lease fences the one that lost it",
          "[journal][postgres][lease]") {
  PostgresCluster pg;
  auto a = open_pg(pg, "a", std::chrono::milliseconds(1500));
  auto b = open_pg(pg, "b", std::chrono::milliseconds(1500));
  std::mutex m;
  std::vector<std::string> handed;  // a's on_hand_over calls
  a->on_hand_over([&](const std::string& w) {
    std::lock_guard lock(m);
    handed.push_back(w);
  });
  Recorder w("w1");
  w.standard_session(6);
  REQUIRE(a->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*a, {w.records[0], w.records[1]}).ok());
  // b cannot take a workshop a holds and renews.
  const Status refused = b->acquire_workshop("w1");
  CHECK(refused.code() == Status::Code::moved);
  CHECK_THAT(refused.message(), Catch::Contains(a->node_id()));
  std::this_thread::sleep_for(std::chrono::milliseconds(1800));  // longer than the lease: a renews it
  CHECK(b->acquire_workshop("w1").code() == Status::Code::moved);
  // a stops renewing (as a paused or cut-off node would): forced here by expiring its lease.
  pg.sql("UPDATE werkstatt_owners SET expires_at = now() - interval '1 second'");
  REQUIRE(b->acquire_workshop("w1").ok());
  CHECK(b->head_seq("w1") == 2);  // b starts from what a committed
  // a's next write is refused: it never acknowledges an event of w1 again.
  CHECK(append_sync(*a, {w.records[2]}).code() == Status::Code::moved);
  v1::Snapshot snap;
  snap.set_workshop_id("w1");
  snap.set_seq(2);
  CHECK(a->put_snapshot(snap).code() == Status::Code::moved);
  REQUIRE(append_sync(*b, {w.records[2], w.records[3]}).ok());
  for (int i = 0; i < 500 && a->leases_lost() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(a->leases_lost() == 1);
  {
    // The loss was told (and b's refused acquires may have been: a request
    // is honoured once a held the workshop for a lease, see the next test).
    std::lock_guard lock(m);
    CHECK_FALSE(handed.empty());
    for (const auto& id : handed) CHECK(id == "w1");
  }
  // a, asked again, finds b holding it.
  CHECK(a->acquire_workshop("w1").code() == Status::Code::moved);
  CHECK(pg.sql("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM werkstatt_events") == "1,2,3,4");
  CHECK(pg.sql("SELECT epoch FROM werkstatt_owners") == "2");
  // b hands it back: a takes it at once, without waiting for the lease.
  b->release_workshop("w1");
  for (int i = 0; i < 200 && pg.sql("SELECT count(*) FROM werkstatt_owners") != "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(a->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*a, {w.records[4]}).ok());
  CHECK(append_sync(*b, {w.records[5]}).code() == Status::Code::moved);
  CHECK(a->head_seq("w1") == 5);
}

TEST_CASE("postgres journal: a node asked for a workshop it holds is told, and after its release the asker takes it",
          "[journal][postgres][lease]") {
  PostgresCluster pg;
  auto a = open_pg(pg, "a", std::chrono::milliseconds(1500));
  auto b = open_pg(pg, "b", std::chrono::milliseconds(1500));
  std::promise<std::string> asked;
  std::atomic<bool> once{false};
  a->on_hand_over([&](const std::string& w) {
    if (!once.exchange(true)) asked.set_value(w);
  });
  Recorder w("w1");
  w.standard_session(2);
  REQUIRE(a->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*a, {w.records[0]}).ok());
  CHECK(b->acquire_workshop("w1").code() == Status::Code::moved);
  auto request = asked.get_future();
  REQUIRE(request.wait_for(std::chrono::seconds(3)) == std::future_status::ready);  // within a renewal round
  CHECK(request.get() == "w1");
  CHECK(a->leases_lost() == 0);  // asked, not lost: a still holds it until it releases
  CHECK(b->acquire_workshop("w1").code() == Status::Code::moved);
  a->release_workshop("w1");
  bool taken = false;
  for (int i = 0; i < 200 && !taken; ++i) {
    taken = b->acquire_workshop("w1").ok();
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(taken);
  REQUIRE(append_sync(*b, {w.records[1]}).ok());
  CHECK(append_sync(*a, {w.records[1]}).code() == Status::Code::moved);
}

TEST_CASE("postgres journal: a workshop released with appends still queued and acquired again at once starts at "
          "the head its next append continues",
          "[journal][postgres][lease]") {
  // A hand-over asked for while the instance's last appends are queued, and
  // a client of this node joining again before the release is written: the
  // new instance must load every event the old one queued.
  PostgresCluster pg;
  auto j = open_pg(pg);
  for (int round = 0; round < 5; ++round) {
    const std::string id = "w" + std::to_string(round);
    Recorder w(id);
    w.standard_session(150);
    REQUIRE(j->acquire_workshop(id).ok());
    std::atomic<int> completed{0};
    std::atomic<int> failed{0};
    for (const auto& r : w.records)
      j->append({r}, [&](const Status& s) {
        if (!s.ok()) ++failed;
        ++completed;
      });
    j->release_workshop(id);
    REQUIRE(j->acquire_workshop(id).ok());
    std::uint64_t head = 0;
    REQUIRE(j->read_head(id, &head).ok());
    CHECK(head == w.records.size());
    for (int i = 0; i < 3000 && completed < static_cast<int>(w.records.size()); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    CHECK(failed == 0);
    std::vector<v1::EventRecord> loaded;
    REQUIRE(j->read_events(id, 1, head, 100000, &loaded).ok());
    CHECK(loaded.size() == head);
    Recorder more(id);
    more.standard_session(151);
    CHECK(append_sync(*j, {more.records[w.records.size()]}).ok());
  }
}

TEST_CASE("postgres journal: a writer that bypasses the leases is fenced by the primary key", "[journal][postgres][lease]") {
  PostgresCluster pg;
  auto j = open_pg(pg);
  Recorder w("w1");
  w.standard_session(3);
  REQUIRE(j->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*j, {w.records[0]}).ok());
  // Another writer stores seq 2 behind this node's back.
  pg.sql("INSERT INTO werkstatt_events VALUES ('w1', 2, '\\x00')");
  CHECK(append_sync(*j, {w.records[1]}).code() == Status::Code::moved);
  CHECK(j->write_failure().ok());  // per workshop, not journal-wide
  CHECK(pg.sql("SELECT count(*) FROM werkstatt_client_ops") == "0");
  // Acquired again, it reads the head as stored, and the damaged record is reported with its key.
  REQUIRE(j->acquire_workshop("w1").code() == Status::Code::corruption);
}

TEST_CASE("postgres journal: a lost server fails writes until it is back, and loses nothing acknowledged",
          "[journal][postgres][failure]") {
  PostgresCluster pg;
  auto j = open_pg(pg);
  Recorder w("w1");
  w.standard_session(4);
  REQUIRE(j->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*j, {w.records[0], w.records[1]}).ok());
  pg.crash();
  const Status failed = append_sync(*j, {w.records[2]});
  CHECK(failed.code() == Status::Code::io_error);
  CHECK_FALSE(j->write_failure().ok());
  CHECK(append_sync(*j, {w.records[2]}).code() == Status::Code::io_error);  // fails fast meanwhile
  CHECK_FALSE(j->retry_writes().ok());
  pg.start();
  REQUIRE(j->retry_writes().ok());
  CHECK(j->head_seq("w1") == 2);
  REQUIRE(append_sync(*j, {w.records[2]}).ok());
  REQUIRE(append_sync(*j, {w.records.begin() + 3, w.records.end()}).ok());
  CHECK(render_head(*j, "w1") == test::render(w.board.state()));
}

TEST_CASE("postgres journal: damage is reported with its key, never skipped", "[journal][postgres][corruption]") {
  PostgresCluster pg;
  auto j = open_pg(pg);
  Recorder w("w1");
  w.standard_session(5);
  REQUIRE(j->put_workshop(meta_for("w1", "AAAAAA")).ok());
  REQUIRE(j->put_workshop(meta_for("w2", "BBBBBB")).ok());
  REQUIRE(j->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*j, w.records).ok());
  pg.sql("UPDATE werkstatt_events SET record = '\\xffff' WHERE seq = 3");
  pg.sql("UPDATE werkstatt_workshops SET meta = '\\xffff' WHERE workshop_id = 'w2'");
  std::vector<v1::EventRecord> events;
  const Status s = j->read_events("w1", 1, UINT64_MAX, 100, &events);
  CHECK(s.code() == Status::Code::corruption);
  CHECK_THAT(s.message(), Catch::Contains("werkstatt_events (w1, 3)"));
  std::vector<v1::WorkshopMeta> metas;
  std::vector<journal::DamagedWorkshop> damaged;
  REQUIRE(j->workshops(&metas, &damaged).ok());
  REQUIRE(metas.size() == 1);
  REQUIRE(damaged.size() == 1);
  CHECK(damaged[0].workshop_id == "w2");
}

TEST_CASE("postgres journal: a schema newer than this binary is refused, not written", "[journal][postgres]") {
  PostgresCluster pg;
  { auto j = open_pg(pg); }
  pg.sql("UPDATE werkstatt_schema SET version = 99");
  journal::PostgresJournalOptions o;
  o.url = pg.url();
  Status s;
  CHECK_FALSE(PostgresJournal::open(o, &s));
  CHECK(s.code() == Status::Code::invalid_argument);
  CHECK_THAT(s.message(), Catch::Contains("version 99"));
  o.url = "postgresql://werkstatt@127.0.0.1:1/postgres";
  CHECK_FALSE(PostgresJournal::open(o, &s));
  CHECK(s.code() == Status::Code::io_error);
}

TEST_CASE("postgres journal: erasing a workshop and a person leaves no row of them", "[journal][postgres][erase]") {
  PostgresCluster pg;
  auto j = open_pg(pg);
  Recorder w("w1");
  w.standard_session(3);
  REQUIRE(j->put_workshop(meta_for("w1", "AAAAAA")).ok());
  REQUIRE(j->acquire_workshop("w1").ok());
  REQUIRE(append_sync(*j, w.records).ok());
  REQUIRE(j->erase_participant("w1", "anna", "Gelöschte Person 1").ok());
  std::vector<v1::EventRecord> events;
  REQUIRE(j->read_events("w1", 1, UINT64_MAX, 100, &events).ok());
  REQUIRE(events.size() == w.records.size());
  for (const auto& e : events) CHECK(e.SerializeAsString().find("Anna") == std::string::npos);
  CHECK(pg.sql("SELECT count(*) FROM werkstatt_events WHERE position('Anna'::bytea in record) > 0") == "0");
  REQUIRE(j->erase_workshop("w1").ok());
  for (const char* table : {"werkstatt_events", "werkstatt_snapshots", "werkstatt_client_ops", "werkstatt_workshops",
                            "werkstatt_owners"})
    CHECK(pg.sql(std::string("SELECT count(*) FROM ") + table) == "0");
  CHECK(j->head_seq("w1") == 0);
}
