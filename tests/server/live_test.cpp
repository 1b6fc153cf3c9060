// Live collaboration over real WebSockets: concurrent edits converge in one
// order, late joiners and resumes get exactly the right state and events,
// resends are idempotent, journal failure makes the workshop read-only
// without acking anything unstored, and recovery after a restart.
#include <catch2/catch.hpp>

#include <atomic>
#include <limits>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "support/ops.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

// The (seq, author) order a peer saw for seqs above `after`.
// The (seq, author) order a peer saw for after < seq <= up_to.
std::vector<std::string> order_after(const Peer& p, std::uint64_t after, std::uint64_t up_to) {
  std::vector<std::string> out;
  for (const std::string& h : p.history()) {
    const auto seq = std::stoull(h.substr(0, h.find(' ')));
    if (seq > after && seq <= up_to) out.push_back(h.substr(0, h.find(' ', h.find(' ') + 1)));
  }
  return out;
}

// A late joiner's Welcome state equals what `reference` holds once it has
// seen the late joiner's own join.
bool late_joiner_agrees(const TestServer& server, Peer& reference) {
  Peer late(server.port());
  REQUIRE(late.join(server.workshop().id, observer(server.workshop().observer_token), "Beamer"));
  REQUIRE(reference.wait_seq(late.seq()));
  return late.common_state() == reference.common_state();
}

}  // namespace

TEST_CASE("concurrent edits, also of the same field of the same note, converge in one order", "[live]") {
  TestServerOptions options;
  options.limits.ops_per_second = 1000;
  options.limits.ops_burst = 1000;
  TestServer server(options);
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port()), ben(server.port()), cleo(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(cleo.join(w.id, join_code(w.join_code), "Cleo"));
  CHECK(anna.welcome().role() == v1::ROLE_PARTICIPANT);
  CHECK(fac.welcome().role() == v1::ROLE_FACILITATOR);
  CHECK(cleo.welcome().online_size() == 4);  // everyone who was welcomed before her, and herself

  // One shared note everyone fights over.
  const std::string created = anna.send(ops::create_note("shared", "start"));
  REQUIRE(anna.wait_ack(created));
  const std::uint64_t start = anna.acks().at(created);
  for (Peer* p : {&fac, &ben, &cleo}) REQUIRE(p->wait_seq(start));

  // Everyone sends a burst at once: moves of the shared note (the same
  // field), own notes and their texts, and the facilitator rewrites the
  // shared note's text.
  constexpr int kOps = 40;
  std::vector<Peer*> peers{&fac, &anna, &ben, &cleo};
  std::vector<std::vector<std::string>> sent(peers.size());
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  std::vector<std::string> failures(peers.size());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        while (!go) std::this_thread::yield();
        Peer& p = *peers[i];
        const std::string mine = "n" + std::to_string(i);
        sent[i].push_back(p.send(ops::create_note(mine, "mine", 10.0 * static_cast<double>(i), 0)));
        for (int k = 0; k < kOps; ++k) {
          sent[i].push_back(p.send(ops::move(v1::OBJECT_KIND_NOTE, "shared", 100.0 * static_cast<double>(i), k)));
          sent[i].push_back(p.send(ops::update_note_text(mine, "text " + std::to_string(k))));
          if (i == 0) sent[i].push_back(p.send(ops::update_note_text("shared", "fac " + std::to_string(k))));
        }
        if (!p.pump_until([&] { return p.acks().size() + p.rejects().size() >= sent[i].size() + (i == 1 ? 1 : 0); },
                          std::chrono::seconds(20)))
          failures[i] = "not every op was answered";
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  for (const auto& f : failures) CHECK(f.empty());
  for (std::size_t i = 0; i < peers.size(); ++i) {
    INFO("peer " << i);
    CHECK(peers[i]->rejects().empty());
    for (const auto& id : sent[i]) CHECK(peers[i]->acks().contains(id));
  }

  // Everyone catches up to the server's head and holds the same board,
  // having seen the same events in the same order.
  const std::uint64_t head = server.info().head_seq;
  CHECK(head == start + 4 * (1 + 2 * kOps) + kOps);
  for (Peer* p : peers) REQUIRE(p->wait_seq(head));
  const std::string state = fac.common_state();
  for (Peer* p : peers) CHECK(p->common_state() == state);
  CHECK(late_joiner_agrees(server, fac));
  const auto order = order_after(fac, start, head);
  CHECK(order.size() == head - start);
  for (Peer* p : peers) CHECK(order_after(*p, start, head) == order);
  // Last writer wins in seq order: the shared note carries the last move and text.
  const v1::Note* shared = fac.board().note("shared");
  REQUIRE(shared);
  CHECK(shared->text() == "fac " + std::to_string(kOps - 1));
}

TEST_CASE("a late joiner gets the full state - a reconnect gets exactly the missed events", "[live][resume]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  const std::string anna_id = anna.id();
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("a1", "Verkehr"))));
  REQUIRE(fac.wait_seq(anna.seq()));
  const std::uint64_t last_seen = anna.seq();

  // Anna's phone drops; meanwhile the facilitator works on.
  anna.ws().close();
  for (int i = 0; i < 5; ++i) REQUIRE(fac.wait_ack(fac.send(ops::create_note("f" + std::to_string(i), "Idee"))));
  const std::uint64_t head_before = server.info().head_seq;
  REQUIRE(head_before > last_seen + 5);  // her leave and the five notes

  // Late joiner: full state, equal to the facilitator's.
  Peer late(server.port());
  REQUIRE(late.join(w.id, join_code(w.join_code), "Late"));
  CHECK_FALSE(late.welcome().resumed());
  CHECK(late.welcome().has_state());
  CHECK_FALSE(late.welcome().participant_secret().empty());
  REQUIRE(fac.wait_seq(late.seq()));
  CHECK(late.common_state() == fac.common_state());

  // Anna resumes from her last seq: no state, exactly the events after it.
  Peer again(server.port());
  again.adopt(anna);
  REQUIRE(again.join(w.id, join_code(w.join_code), "Anna", true, last_seen));
  CHECK(again.welcome().resumed());
  CHECK_FALSE(again.welcome().has_state());
  CHECK(again.welcome().seq() == last_seen);
  CHECK(again.welcome().participant_id() == anna_id);
  CHECK(again.welcome().participant_secret().empty());  // never sent twice
  // Late's join and Anna's own rejoin follow; her rejoin may still be on its
  // way to the journal when the Welcome arrives, so the head is counted, not read.
  const std::uint64_t head = head_before + 2;
  REQUIRE(again.wait_seq(head));
  CHECK(server.info().head_seq == head);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t s = last_seen + 1; s <= head; ++s) expected.push_back(s);
  CHECK(again.seqs() == expected);
  again.drain();
  CHECK(again.seqs() == expected);  // nothing twice
  REQUIRE(fac.wait_seq(head));
  CHECK(again.common_state() == fac.common_state());
  const v1::Participant* p = again.board().participant(anna_id);
  REQUIRE(p);
  CHECK(p->online());

  // A wrong secret for a known identity is refused before any state is sent.
  Peer impostor(server.port());
  impostor.adopt(anna);
  v1::ClientMessage h = hello(w.id, join_code(w.join_code), "Mallory", anna_id, "not-the-secret", 0);
  impostor.ws().send(h);
  auto error = impostor.ws().next();
  REQUIRE(error);
  REQUIRE(error->has_error());
  CHECK(error->error().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
  CHECK(impostor.ws().wait_closed() == std::uint16_t{1008});
}

TEST_CASE("a resent op is answered with its original seq and applied once", "[live][idempotent]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer anna(server.port()), ben(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));

  const std::string id = anna.send(ops::create_note("n1", "once"));
  REQUIRE(anna.wait_ack(id));
  const std::uint64_t seq = anna.acks().at(id);
  anna.send(ops::create_note("n1", "once"), id);  // resent after the ack
  REQUIRE(anna.pump_until([&] { return anna.acks_of(id).size() == 2; }));
  CHECK(anna.acks_of(id) == std::vector<std::uint64_t>{seq, seq});

  // Resent while the original is still in flight: both answers carry one seq.
  const std::string twice = anna.send(ops::update_note_text("n1", "twice"));
  anna.send(ops::update_note_text("n1", "twice"), twice);
  REQUIRE(anna.pump_until([&] { return anna.acks_of(twice).size() == 2; }));
  const auto acks = anna.acks_of(twice);
  CHECK(acks[0] == acks[1]);
  CHECK(anna.rejects().empty());

  // Across a reconnect (the client never saw the ack, say): the same answer.
  anna.ws().close();
  Peer again(server.port());
  again.adopt(anna);
  REQUIRE(again.join(w.id, join_code(w.join_code), "Anna", true, anna.seq()));
  again.send(ops::create_note("n1", "once"), id);
  REQUIRE(again.pump_until([&] { return again.acks().contains(id); }));
  CHECK(again.acks().at(id) == seq);

  // Ben saw each op exactly once.
  const std::uint64_t head = server.info().head_seq;
  REQUIRE(ben.wait_seq(head));
  std::size_t creates = 0, updates = 0;
  for (const auto& h : ben.history()) {
    creates += h.find("create_note") != std::string::npos ? 1 : 0;
    updates += h.find("update_note") != std::string::npos ? 1 : 0;
  }
  CHECK(creates == 1);
  CHECK(updates == 1);
  CHECK(ben.board().note("n1")->text() == "twice");
}

TEST_CASE("journal failure: nothing unstored is acked, the workshop turns read-only, then recovers", "[live][journal]") {
  TestServerOptions options;
  options.workshop.retry_interval = std::chrono::milliseconds(100);
  TestServer server(options);
  const auto& w = server.workshop();
  Peer anna(server.port()), ben(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("kept", "stored"))));
  const std::uint64_t stored = server.info().head_seq;
  REQUIRE(ben.wait_seq(stored));
  const std::string stored_state = ben.common_state();

  server.memory_journal().fail_writes(true);
  const std::string lost = anna.send(ops::create_note("lost", "never stored"));
  REQUIRE(anna.pump_until([&] { return anna.rejects().contains(lost); }));
  CHECK(anna.rejects().at(lost) == v1::REJECT_CODE_READ_ONLY);
  CHECK_FALSE(anna.acks().contains(lost));
  REQUIRE(anna.pump_until([&] { return !anna.errors().empty(); }));
  CHECK(anna.errors().front().code() == v1::ERROR_CODE_READ_ONLY);
  CHECK_FALSE(anna.errors().front().fatal());
  REQUIRE(ben.pump_until([&] { return !ben.errors().empty(); }));
  CHECK(ben.errors().front().code() == v1::ERROR_CODE_READ_ONLY);
  CHECK(ben.seq() == stored);  // the unstored event never reached anyone
  REQUIRE(eventually([&] { return server.info().read_only; }));

  // While read-only: further ops are rejected, newcomers see the stored state.
  const std::string refused = ben.send(ops::create_note("refused", "x"));
  REQUIRE(ben.pump_until([&] { return ben.rejects().contains(refused); }));
  CHECK(ben.rejects().at(refused) == v1::REJECT_CODE_READ_ONLY);
  Peer cleo(server.port());
  REQUIRE(cleo.join(w.id, join_code(w.join_code), "Cleo"));
  CHECK(cleo.welcome().seq() == stored);
  CHECK(cleo.board().note("lost") == nullptr);
  CHECK(server.info().head_seq == stored);
  CHECK(server.journal().head_seq(w.id) == stored);

  // Storage comes back: edits are acked again and everyone converges.
  server.memory_journal().fail_writes(false);
  REQUIRE(eventually([&] { return !server.info().read_only; }));
  const std::string after = anna.send(ops::create_note("after", "stored again"));
  REQUIRE(anna.wait_ack(after));
  const std::uint64_t head = server.info().head_seq;
  for (Peer* p : {&anna, &ben, &cleo}) REQUIRE(p->wait_seq(head));
  CHECK(anna.common_state() == ben.common_state());
  CHECK(cleo.common_state() == ben.common_state());
  CHECK(ben.board().note("lost") == nullptr);
  CHECK(ben.board().note("after") != nullptr);
  // Cleo joined while read-only; her join is journaled now.
  CHECK(ben.board().participant(cleo.id()) != nullptr);
  CHECK(server.journal().head_seq(w.id) == head);
  CHECK(stored_state != ben.common_state());
}

TEST_CASE("after a restart, workshops, identities, resumes and resends survive (RocksDB)", "[live][recovery]") {
  TempDir dir;
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  workshop::CreatedWorkshop w;
  std::string first_op;
  std::uint64_t first_seq = 0, last_seen = 0;
  std::string state;
  std::unique_ptr<Peer> anna_before;
  {
    TestServer server(options);
    w = server.workshop();
    Peer fac(server.port());
    anna_before = std::make_unique<Peer>(server.port());
    REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
    REQUIRE(anna_before->join(w.id, join_code(w.join_code), "Anna"));
    first_op = anna_before->send(ops::create_note("n1", "before the restart"));
    REQUIRE(anna_before->wait_ack(first_op));
    first_seq = anna_before->acks().at(first_op);
    for (int i = 0; i < 3; ++i) REQUIRE(fac.wait_ack(fac.send(ops::create_note("f" + std::to_string(i), "x"))));
    REQUIRE(anna_before->wait_seq(server.registry().find(w.id)->info().head_seq));
    last_seen = anna_before->seq();
    anna_before->ws().close();
    fac.ws().close();
    REQUIRE(server.shutdown());
    state = fac.common_state();
  }
  options.create_workshop = false;
  TestServer server(options);
  REQUIRE(server.registry().find(w.id));
  Peer anna(server.port());
  anna.adopt(*anna_before);
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna", true, last_seen));
  CHECK(anna.welcome().resumed());
  anna.send(ops::create_note("n1", "before the restart"), first_op);
  REQUIRE(anna.pump_until([&] { return anna.acks().contains(first_op); }));
  CHECK(anna.acks().at(first_op) == first_seq);
  REQUIRE(anna.wait_seq(server.registry().find(w.id)->info().head_seq));
  CHECK(anna.board().note("n1")->text() == "before the restart");
  CHECK(anna.board().note("f2") != nullptr);
  // The facilitator token still works (only its digest was stored).
  Peer fac(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  CHECK(fac.welcome().role() == v1::ROLE_FACILITATOR);
  REQUIRE(anna.wait_seq(fac.seq()));
  CHECK(fac.common_state() == anna.common_state());
}

namespace {

v1::Op go_to_phase(const std::string& id) {
  v1::Op op;
  op.mutable_go_to_phase()->set_phase_id(id);
  return op;
}

// The last Event `p` received for `seq`.
std::optional<v1::Event> event_at(const Peer& p, std::uint64_t seq) {
  for (auto it = p.events().rbegin(); it != p.events().rend(); ++it)
    if (it->seq() == seq) return *it;
  return std::nullopt;
}

}  // namespace

TEST_CASE("private collection: a note reaches only its author until revealed, then everyone", "[live][views]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port()), ben(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(fac.wait_ack(fac.send(go_to_phase("ankommen"))));
  REQUIRE(fac.wait_ack(fac.send(go_to_phase("sammeln"))));  // a private collect phase
  const std::string id = anna.send(ops::create_note("secret", "Meine Idee"));
  REQUIRE(anna.wait_ack(id));
  const std::uint64_t seq = anna.acks().at(id);
  REQUIRE(anna.board().note("secret"));
  CHECK(anna.board().note("secret")->hidden());

  // Ben and the facilitator get the seq, not the note.
  for (Peer* p : {&ben, &fac}) {
    REQUIRE(p->wait_seq(seq));
    const auto e = event_at(*p, seq);
    REQUIRE(e);
    CHECK(e->op().has_redacted());
    CHECK(e->op().DebugString().find("Meine Idee") == std::string::npos);
    CHECK(p->board().note("secret") == nullptr);
  }
  // A late joiner's Welcome withholds it too, and counts it instead.
  {
    Peer late(server.port());
    REQUIRE(late.join(w.id, join_code(w.join_code), "Late"));
    CHECK(late.board().note("secret") == nullptr);
    CHECK(late.welcome().state().DebugString().find("Meine Idee") == std::string::npos);
    REQUIRE(late.welcome().state().hidden_notes_size() == 1);
    CHECK(late.welcome().state().hidden_notes(0).author_id() == anna.id());
    CHECK(late.welcome().state().hidden_notes(0).count() == 1);
  }
  // Reveal: the event carries the note to everyone, the facilitator included
  // (its own op's copy lacks the notes the server fills in).
  v1::Op reveal;
  reveal.mutable_reveal()->set_all(true);
  const std::string rid = fac.send(reveal);
  REQUIRE(fac.wait_ack(rid));
  const std::uint64_t rseq = fac.acks().at(rid);
  for (Peer* p : {&ben, &fac}) {
    REQUIRE(p->wait_seq(rseq));
    const auto e = event_at(*p, rseq);
    REQUIRE(e);
    REQUIRE(e->op().has_reveal());
    REQUIRE(e->op().reveal().notes_size() == 1);
    CHECK(e->op().reveal().notes(0).text() == "Meine Idee");
  }
  Peer after(server.port());
  REQUIRE(after.join(w.id, join_code(w.join_code), "After"));
  REQUIRE(after.board().note("secret"));
  CHECK_FALSE(after.board().note("secret")->hidden());
}

TEST_CASE("the server's clock expires a running phase timer", "[live][timer]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  v1::Op start;
  start.mutable_timer()->set_action(v1::TimerControl::ACTION_START);
  start.mutable_timer()->set_duration_ms(300);
  start.mutable_timer()->set_lock_on_expiry(true);
  const auto started_at = std::chrono::steady_clock::now();
  REQUIRE(fac.wait_ack(fac.send(start)));
  CHECK(fac.board().timer().state() == v1::Timer::STATE_RUNNING);
  REQUIRE(anna.pump_until([&] { return anna.board().timer().state() == v1::Timer::STATE_EXPIRED; }));
  CHECK(std::chrono::steady_clock::now() - started_at >= std::chrono::milliseconds(250));
  CHECK(anna.board().settings().locked());
  const auto e = event_at(anna, anna.seq());
  REQUIRE(e);
  CHECK(e->author_id().empty());
  CHECK(e->op().timer().action() == v1::TimerControl::ACTION_EXPIRE);
  // Locked on expiry: participants can no longer write.
  const std::string id = anna.send(ops::create_note("late", "too late"));
  REQUIRE(anna.pump_until([&] { return anna.rejects().contains(id); }));
  CHECK(anna.rejects().at(id) == v1::REJECT_CODE_BOARD_LOCKED);
}

TEST_CASE("rotating the join code: the server makes it, facilitators see it, the old one stops working",
          "[live][join-code]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  CHECK(fac.welcome().state().join_code() == w.join_code);  // facilitators see the code
  CHECK(anna.welcome().state().join_code().empty());         // participants do not
  v1::Op rotate;
  rotate.mutable_rotate_join_code();  // the client sends no code
  const std::string id = fac.send(rotate);
  REQUIRE(fac.wait_ack(id));
  const std::string code = fac.board().join_code();
  CHECK(code.size() == 6);
  CHECK(code != w.join_code);
  REQUIRE(anna.wait_seq(fac.acks().at(id)));
  const auto e = event_at(anna, fac.acks().at(id));
  REQUIRE(e);
  CHECK(e->op().has_redacted());
  CHECK(e->op().DebugString().find(code) == std::string::npos);

  WsClient old_code(server.port());
  old_code.send(hello(w.id, join_code(w.join_code), "Old"));
  auto m = old_code.next();
  REQUIRE(m);
  REQUIRE(m->has_error());
  CHECK(m->error().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
  Peer fresh(server.port());
  CHECK(fresh.join(w.id, join_code(code), "Fresh"));
}

TEST_CASE("a removed participant is disconnected and cannot resume that identity", "[live][remove]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  v1::Op remove;
  remove.mutable_remove_participant()->set_participant_id(anna.id());
  REQUIRE(fac.wait_ack(fac.send(remove)));
  REQUIRE(anna.pump_until([&] { return !anna.errors().empty(); }));
  CHECK(anna.errors().back().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
  CHECK(anna.board().participant(anna.id())->removed());  // the event came first
  CHECK(anna.ws().wait_closed() == std::uint16_t{1008});

  Peer again(server.port());
  again.adopt(anna);
  CHECK_FALSE(again.join(w.id, join_code(w.join_code), "Anna", true, anna.seq()));
  REQUIRE_FALSE(again.errors().empty());
  CHECK(again.errors().back().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
}

TEST_CASE("presence is coalesced (at most 20 updates/s, latest wins) and never journaled", "[live][presence]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer anna(server.port()), ben(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(anna.wait_seq(ben.seq()));
  ben.drain();
  const std::uint64_t head = server.info().head_seq;
  // 30 cursor moves within ~0.3 s (the session lets 30/s through).
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) {
    v1::ClientMessage m;
    m.mutable_presence()->mutable_cursor()->set_x(i);
    m.mutable_presence()->mutable_cursor()->set_y(-i);
    anna.ws().send(m);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto last_cursor = [&]() -> std::optional<double> {
    for (auto it = ben.presence().rbegin(); it != ben.presence().rend(); ++it)
      for (const auto& st : it->update.states())
        if (st.participant_id() == anna.id() && st.has_cursor()) return st.cursor().x();
    return std::nullopt;
  };
  REQUIRE(ben.pump_until([&] { return last_cursor() == 29.0; }));  // the latest wins
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::size_t updates = 0;
  for (const auto& p : ben.presence())
    for (const auto& st : p.update.states()) updates += st.participant_id() == anna.id() ? 1 : 0;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  INFO(updates << " updates of Anna's presence in " << seconds << " s");
  CHECK(updates <= static_cast<std::size_t>(20 * seconds) + 2);
  CHECK(updates < 30);
  CHECK(server.info().head_seq == head);  // nothing journaled
  CHECK(server.journal().head_seq(w.id) == head);
}

TEST_CASE("a drag in progress reaches the others as presence - malformed drags are dropped", "[live][presence]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer anna(server.port()), ben(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(ben.join(w.id, join_code(w.join_code), "Ben"));
  REQUIRE(anna.wait_ack(anna.send(ops::create_note("dragged", "Radweg", 100, 100))));
  REQUIRE(ben.wait_seq(anna.seq()));
  // The note is the newest event (info() is updated just after delivery: wait for it).
  const std::uint64_t head = anna.seq();
  REQUIRE(eventually([&] { return server.info().head_seq == head; }));
  // Anna's latest drag state as Ben last heard it (nullopt: none heard yet).
  const auto drag_seen = [&]() -> std::optional<v1::PresenceState> {
    for (auto it = ben.presence().rbegin(); it != ben.presence().rend(); ++it)
      for (const auto& st : it->update.states())
        if (st.participant_id() == anna.id()) return st;
    return std::nullopt;
  };
  const auto send_drag = [&](std::vector<std::string> ids, double dx, double dy) {
    v1::ClientMessage m;
    m.mutable_presence()->mutable_cursor()->set_x(dx);
    for (const auto& id : ids) m.mutable_presence()->mutable_drag()->add_note_ids(id);
    m.mutable_presence()->mutable_drag()->mutable_offset()->set_x(dx);
    m.mutable_presence()->mutable_drag()->mutable_offset()->set_y(dy);
    REQUIRE(anna.ws().send(m));
  };

  send_drag({"dragged"}, 40, -25);
  REQUIRE(ben.pump_until([&] {
    const auto st = drag_seen();
    return st && st->has_drag() && st->drag().offset().x() == 40;
  }));
  CHECK(drag_seen()->drag().note_ids(0) == "dragged");
  CHECK(drag_seen()->drag().offset().y() == -25);

  // Malformed drags are not passed on: a bad id, a non-finite offset, too many notes.
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  send_drag({"not an id!"}, 41, 0);
  REQUIRE(ben.pump_until([&] { return drag_seen() && drag_seen()->cursor().x() == 41; }));
  CHECK_FALSE(drag_seen()->has_drag());
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  send_drag({"dragged"}, 42, std::numeric_limits<double>::infinity());
  REQUIRE(ben.pump_until([&] { return drag_seen() && drag_seen()->cursor().x() == 42; }));
  CHECK_FALSE(drag_seen()->has_drag());
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  send_drag(std::vector<std::string>(101, "dragged"), 43, 0);
  REQUIRE(ben.pump_until([&] { return drag_seen() && drag_seen()->cursor().x() == 43; }));
  CHECK_FALSE(drag_seen()->has_drag());

  // The drop: the move is an op (journaled); the drag presence ends.
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  send_drag({"dragged"}, 44, 10);
  REQUIRE(ben.pump_until([&] { return drag_seen() && drag_seen()->has_drag(); }));
  CHECK(server.info().head_seq == head);  // drags are never journaled
  REQUIRE(anna.wait_ack(anna.send(ops::move(v1::OBJECT_KIND_NOTE, "dragged", 144, 110))));
  v1::ClientMessage dropped;
  dropped.mutable_presence()->mutable_cursor()->set_x(45);
  REQUIRE(anna.ws().send(dropped));
  REQUIRE(ben.pump_until([&] { return drag_seen() && drag_seen()->cursor().x() == 45; }));
  CHECK_FALSE(drag_seen()->has_drag());
  CHECK(eventually([&] { return server.info().head_seq == head + 1; }));
  CHECK(server.info().head_seq == head + 1);
}

TEST_CASE("a participant with two connections leaves when the last one closes", "[live][presence]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer fac(server.port()), laptop(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(laptop.join(w.id, join_code(w.join_code), "Anna"));
  Peer phone(server.port());
  phone.adopt(laptop);
  REQUIRE(phone.join(w.id, join_code(w.join_code), "Anna", true, laptop.seq()));
  CHECK(phone.id() == laptop.id());
  REQUIRE(fac.wait_seq(phone.seq()));
  const std::uint64_t before = server.info().head_seq;
  laptop.ws().close();
  // The identity stays online: no leave event, presence keeps her.
  phone.drain(std::chrono::milliseconds(300));
  CHECK(server.info().head_seq == before);
  CHECK(fac.board().participant(phone.id())->online());
  phone.ws().close();
  REQUIRE(fac.pump_until([&] { return !fac.board().participant(phone.id())->online(); }));
  CHECK(server.info().head_seq == before + 1);
  REQUIRE(fac.pump_until([&] {
    for (const auto& p : fac.presence())
      for (const auto& id : p.update.gone())
        if (id == phone.id()) return true;
    return false;
  }));
}

TEST_CASE("a reader that fell behind gets what queued up as Batch frames", "[live][batch]") {
  TestServerOptions options;
  options.limits.ops_per_second = 1000;
  options.limits.ops_burst = 1000;
  TestServer server(options);
  const auto& w = server.workshop();
  Peer fac(server.port()), anna(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(fac.wait_seq(anna.seq()));
  // Anna does not read while 300 edits happen ...
  for (int i = 0; i < 300; ++i) fac.send(ops::create_note("n" + std::to_string(i), "x"));
  REQUIRE(fac.pump_until([&] { return fac.acks().size() == 300; }));
  // ... then catches up: every event, in order, in far fewer frames.
  const std::size_t frames_before = anna.ws().frames_received();
  REQUIRE(anna.wait_seq(server.info().head_seq));
  const std::size_t frames = anna.ws().frames_received() - frames_before;
  INFO(frames << " frames for 300 events");
  CHECK(anna.ws().batches_received() > 0);
  CHECK(frames < 300);
  CHECK(anna.common_state() == fac.common_state());
}

TEST_CASE("snapshots are stored every K events once durable, and recovery uses them", "[live][snapshot]") {
  TempDir dir;
  TestServerOptions options;
  options.rocksdb_dir = dir.path() / "journal";
  options.workshop.snapshot_every = 10;
  options.limits.ops_per_second = 1000;
  options.limits.ops_burst = 1000;
  workshop::CreatedWorkshop w;
  std::uint64_t snapshot_seq = 0;
  {
    TestServer server(options);
    w = server.workshop();
    const std::string& id = w.id;
    Peer fac(server.port());
    REQUIRE(fac.join(id, facilitator(w.facilitator_token), "Fran"));
    for (int i = 0; i < 25; ++i) REQUIRE(fac.wait_ack(fac.send(ops::create_note("n" + std::to_string(i), "x"))));
    const std::uint64_t head = server.info().head_seq;
    v1::Snapshot snapshot;
    REQUIRE(eventually([&] {
      return server.journal().latest_snapshot(id, head, &snapshot).ok() && snapshot.seq() == head / 10 * 10;
    }));
    CHECK(snapshot.state().seq() == snapshot.seq());
    CHECK(snapshot.state().notes_size() > 0);
    snapshot_seq = snapshot.seq();
    fac.ws().close();
    REQUIRE(server.shutdown());
  }
  // Recovery: the latest snapshot plus the events after it give the board.
  options.create_workshop = false;
  TestServer server(options);
  Peer fac(server.port());
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  CHECK(fac.seq() > snapshot_seq);
  for (int i = 0; i < 25; ++i) CHECK(fac.board().note("n" + std::to_string(i)) != nullptr);
}
