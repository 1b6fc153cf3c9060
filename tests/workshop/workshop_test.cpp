// The workshop's promises (workshop.hpp, "What a caller may rely on"),
// tested through its public interface with fake clients, a journal that
// answers when the test says so and an io_context the test runs itself:
// no sockets, no threads, no sleeps (rig.hpp).
#include <catch2/catch.hpp>

#include "support/ops.hpp"
#include "werkstatt/board/limits.hpp"
#include "workshop/rig.hpp"

using namespace werkstatt;
using werkstatt::test::FakeClient;
using werkstatt::test::Rig;
namespace ops = werkstatt::test::ops;
using Kind = v1::ServerMessage::BodyCase;

namespace {

std::uint64_t head(const Rig& rig) { return rig.workshop->info().head_seq; }

}  // namespace

TEST_CASE("an Ack and the Event go out only once the journal has stored the op", "[workshop]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  fac->forget();
  anna->forget();

  const std::string id = rig.submit(*anna, ops::create_note("n1", "ÖPNV"));
  rig.poll();
  CHECK(rig.journal.held() == 1);
  CHECK(anna->received.empty());  // no Ack before the journal answered
  CHECK(fac->received.empty());   // and no Event

  const std::uint64_t before = head(rig);
  rig.journal.release();
  rig.poll();
  REQUIRE(anna->of(Kind::kAck).size() == 1);
  CHECK(anna->of(Kind::kAck)[0].ack().client_op_id() == id);
  CHECK(anna->of(Kind::kAck)[0].ack().seq() == before + 1);
  CHECK(anna->of(Kind::kEvent).empty());  // the author applies its own copy
  REQUIRE(fac->of(Kind::kEvent).size() == 1);
  CHECK(fac->of(Kind::kEvent)[0].event().seq() == before + 1);
  CHECK(fac->of(Kind::kEvent)[0].event().op().create_note().text() == "ÖPNV");
  CHECK(head(rig) == before + 1);
  CHECK(rig.journal.stored().back().client_op_id() == id);
}

TEST_CASE("pipelined appends reach every connection in seq order, gapless", "[workshop]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  auto ben = rig.joined(rig.participant("Ben"));
  const std::uint64_t start = head(rig);
  for (auto* c : {fac.get(), anna.get(), ben.get()}) c->forget();

  // Three appends in flight at once (one per poll), each with ops from two people.
  for (int round = 0; round < 3; ++round) {
    rig.submit(*anna, ops::create_note("a" + std::to_string(round), "Anna"));
    rig.submit(*ben, ops::create_note("b" + std::to_string(round), "Ben"));
    rig.poll();
  }
  CHECK(rig.journal.held() == 3);
  CHECK(rig.journal.held_records() == 6);
  // The first append alone: exactly its two events go out.
  rig.journal.release(1);
  rig.poll();
  CHECK(fac->seqs() == std::vector<std::uint64_t>{start + 1, start + 2});
  rig.journal.release();
  rig.poll();
  std::vector<std::uint64_t> all;
  for (std::uint64_t s = start + 1; s <= start + 6; ++s) all.push_back(s);
  CHECK(fac->seqs() == all);
  CHECK(anna->seqs() == all);  // Acks for her own, Events for Ben's, one sequence
  CHECK(ben->seqs() == all);
  CHECK(anna->of(Kind::kAck).size() == 3);
  CHECK(anna->of(Kind::kEvent).size() == 3);
}

TEST_CASE("a Welcome waits until the state it describes is durable", "[workshop]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  rig.submit(*fac, ops::create_note("n1", "noch nicht gespeichert"));
  rig.poll();
  REQUIRE(rig.journal.held() == 1);

  auto late = rig.participant("Spät");
  rig.poll();
  CHECK(late->welcome() == nullptr);  // its state includes n1, not stored yet
  rig.journal.release(1);             // n1 stored; the join itself is the next append
  rig.poll();
  CHECK(late->welcome() == nullptr);
  rig.settle();
  REQUIRE(late->welcome() != nullptr);
  CHECK(late->welcome()->seq() == head(rig));
  bool has_note = false;
  for (const auto& n : late->welcome()->state().notes()) has_note |= n.id() == "n1";
  CHECK(has_note);
}

TEST_CASE("an op resent while in flight is acked once with its seq, never applied twice", "[workshop]") {
  Rig rig;
  auto anna = rig.joined(rig.participant("Anna"));
  const std::uint64_t before = head(rig);
  const std::string id = rig.submit(*anna, ops::create_note("n1", "einmal"));
  rig.poll();
  rig.submit(*anna, ops::create_note("n1", "einmal"), id);  // e.g. after a reconnect
  rig.poll();
  CHECK(rig.journal.held_records() == 1);
  rig.settle();
  const auto acks = anna->of(Kind::kAck);
  REQUIRE(acks.size() == 2);  // one per request, both with the one seq
  CHECK(acks[0].ack().seq() == before + 1);
  CHECK(acks[1].ack().seq() == before + 1);
  CHECK(anna->of(Kind::kReject).empty());
  CHECK(head(rig) == before + 1);

  // And once durable: answered at once, from memory.
  anna->forget();
  rig.submit(*anna, ops::create_note("n1", "einmal"), id);
  rig.poll();
  CHECK(rig.journal.held() == 0);
  REQUIRE(anna->of(Kind::kAck).size() == 1);
  CHECK(anna->of(Kind::kAck)[0].ack().seq() == before + 1);
}

TEST_CASE("a resume inside the event window gets the missed events, one behind it a snapshot", "[workshop]") {
  workshop::WorkshopOptions options;
  options.recent_events = 8;
  Rig rig(options);
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  const std::uint64_t seen = anna->welcome()->seq();
  rig.workshop->detach(anna->connection_id());
  rig.settle();

  for (int i = 0; i < 3; ++i) rig.submit(*fac, ops::create_note("n" + std::to_string(i), "verpasst"));
  rig.settle();
  auto back = rig.joined(rig.participant("Anna", seen, anna.get()));
  REQUIRE(back->welcome()->resumed());
  CHECK(back->welcome()->seq() == seen);
  CHECK_FALSE(back->welcome()->has_state());
  std::vector<std::uint64_t> missed;
  for (std::uint64_t s = seen + 1; s <= head(rig); ++s) missed.push_back(s);
  CHECK(back->seqs() == missed);  // her leave, the three notes, her join: gapless

  // Far behind: more events than the window holds.
  rig.workshop->detach(back->connection_id());
  rig.settle();
  for (int i = 0; i < 12; ++i) rig.submit(*fac, ops::create_note("m" + std::to_string(i), "viel verpasst"));
  rig.settle();
  auto far = rig.joined(rig.participant("Anna", seen, anna.get()));
  CHECK_FALSE(far->welcome()->resumed());
  CHECK(far->welcome()->seq() == head(rig));
  CHECK(far->welcome()->state().notes_size() == 15);
  CHECK(far->of(Kind::kEvent).empty());
}

TEST_CASE("journal failure - nothing unstored is acked, read-only for all, rebuilt, writable after retry",
          "[workshop]") {
  workshop::WorkshopOptions options;
  options.retry_interval = std::chrono::milliseconds(1);
  Rig rig(options);
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  const std::uint64_t stored = head(rig);
  fac->forget();
  anna->forget();

  const std::string lost = rig.submit(*anna, ops::create_note("n1", "geht verloren"));
  rig.poll();
  rig.journal.break_disk();
  rig.poll();
  REQUIRE(anna->of(Kind::kReject).size() == 1);
  CHECK(anna->of(Kind::kReject)[0].reject().client_op_id() == lost);
  CHECK(anna->of(Kind::kReject)[0].reject().code() == v1::REJECT_CODE_READ_ONLY);
  CHECK(anna->of(Kind::kAck).empty());
  CHECK(fac->of(Kind::kEvent).empty());  // never shown to anyone
  for (auto* c : {fac.get(), anna.get()}) {
    REQUIRE(c->of(Kind::kError).size() == 1);
    CHECK(c->of(Kind::kError)[0].error().code() == v1::ERROR_CODE_READ_ONLY);
    CHECK_FALSE(c->of(Kind::kError)[0].error().fatal());
    CHECK_FALSE(c->closed);
  }
  CHECK(rig.workshop->info().read_only);
  CHECK(head(rig) == stored);

  // While read-only: rejected at once, the journal is not even asked.
  anna->forget();
  rig.submit(*anna, ops::create_note("n2", "auch nicht"));
  rig.poll();
  CHECK(rig.journal.held() == 0);
  REQUIRE(anna->of(Kind::kReject).size() == 1);
  CHECK(anna->of(Kind::kReject)[0].reject().code() == v1::REJECT_CODE_READ_ONLY);

  // The journal's health loop asks it until it takes writes again.
  REQUIRE(rig.run_until([&] { return rig.journal.retries() >= 2; }));
  CHECK(rig.workshop->info().read_only);
  rig.journal.allow_retry(true);
  REQUIRE(rig.run_until([&] { return !rig.workshop->info().read_only; }));

  // The rebuilt board is what was stored: n1 does not exist, n1 can be created again and is acked.
  anna->forget();
  const std::string again = rig.submit(*anna, ops::create_note("n1", "jetzt"));
  rig.settle();
  REQUIRE(anna->of(Kind::kAck).size() == 1);
  CHECK(anna->of(Kind::kAck)[0].ack().client_op_id() == again);
  CHECK(anna->of(Kind::kAck)[0].ack().seq() == stored + 1);
  CHECK(rig.journal.stored().back().op().create_note().text() == "jetzt");
}

TEST_CASE("presence updates within one interval reach the others once, latest state", "[workshop]") {
  workshop::WorkshopOptions options;
  options.presence_interval = std::chrono::milliseconds(20);
  Rig rig(options);
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  // Let the joins' own presence go out first.
  REQUIRE(rig.run_until([&] { return !fac->of(Kind::kPresence).empty(); }));
  rig.run_until([] { return false; }, 5);
  fac->forget();

  for (double x : {1.0, 2.0, 3.0}) {
    v1::Presence p;
    p.mutable_cursor()->set_x(x);
    p.mutable_cursor()->set_y(7);
    rig.workshop->update_presence(anna->connection_id(), p);
  }
  REQUIRE(rig.run_until([&] { return !fac->of(Kind::kPresence).empty(); }));
  rig.run_until([] { return false; }, 5);  // anything else due would arrive now
  const auto updates = fac->of(Kind::kPresence);
  REQUIRE(updates.size() == 1);
  const v1::PresenceUpdate u = updates[0].presence();
  REQUIRE(u.states_size() == 1);
  CHECK(u.states(0).participant_id() == anna->welcome()->participant_id());
  CHECK(u.states(0).cursor().x() == 3.0);
  CHECK(rig.journal.held() == 0);  // presence is never journaled
}

TEST_CASE("during private collection everyone but the author gets Redacted, the author its Ack", "[workshop]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  auto ben = rig.joined(rig.participant("Ben"));
  rig.submit(*fac, ops::go_to("ankommen"));  // phases go forward one at a time
  rig.submit(*fac, ops::go_to("sammeln"));
  rig.settle();
  REQUIRE(fac->of(Kind::kAck).size() == 2);  // the private phase runs
  for (auto* c : {fac.get(), anna.get(), ben.get()}) c->forget();

  rig.submit(*anna, ops::create_note("n1", "nur für mich", 10, 10, "chancen"));
  rig.settle();
  REQUIRE(ben->of(Kind::kEvent).size() == 1);
  const v1::Event seen_by_ben = ben->of(Kind::kEvent)[0].event();
  CHECK(seen_by_ben.op().has_redacted());
  CHECK(seen_by_ben.SerializeAsString().find("nur für mich") == std::string::npos);
  // The template's collect phase keeps notes from facilitators too (facilitators_see_private is off).
  REQUIRE(fac->of(Kind::kEvent).size() == 1);
  CHECK(fac->of(Kind::kEvent)[0].event().op().has_redacted());
  CHECK(fac->of(Kind::kEvent)[0].event().SerializeAsString().find("nur für mich") == std::string::npos);
  CHECK(anna->of(Kind::kAck).size() == 1);
  CHECK(seen_by_ben.seq() == fac->of(Kind::kEvent)[0].event().seq());

  // A late joiner's Welcome withholds it too.
  auto late = rig.joined(rig.participant("Clara"));
  for (const auto& n : late->welcome()->state().notes()) CHECK(n.id() != "n1");
}

TEST_CASE("a connection that gives up (slow consumer) leaves - the others carry on", "[workshop]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  // What the WebSocket session does at its queue limit: close itself, then detach.
  anna->close(workshop::CloseCode::slow_consumer, nullptr);
  rig.workshop->detach(anna->connection_id());
  rig.settle();
  REQUIRE_FALSE(fac->of(Kind::kEvent).empty());
  CHECK(fac->of(Kind::kEvent).back().event().op().participant_left().participant_id() ==
        anna->welcome()->participant_id());
  fac->forget();
  const std::uint64_t before = head(rig);
  rig.submit(*fac, ops::create_note("n1", "weiter"));
  rig.settle();
  CHECK(fac->seqs() == std::vector<std::uint64_t>{before + 1});
  CHECK(rig.workshop->info().connections == 1);
}

TEST_CASE("at the identity cap, identities nothing refers to are forgotten and newcomers still get in",
          "[workshop][identities]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  auto writer = rig.joined(rig.participant("Writer"));
  rig.submit(*writer, ops::create_note("n1", "Radwege"));
  rig.settle();
  rig.workshop->detach(writer->connection_id());
  rig.settle();

  // Throw-away identities made with the public join code: each comes, adds
  // nothing and goes. More than the cap's worth must not lock anyone out.
  std::vector<std::shared_ptr<FakeClient>> throwaways;
  for (std::size_t i = 0; i < board::limits::kMaxIdentities + board::limits::kMaxParticipants; ++i) {
    auto t = rig.participant("T" + std::to_string(i));
    rig.settle();
    INFO("throw-away " << i);
    REQUIRE(t->welcome());
    rig.secrets[t->welcome()->participant_id()] = t->welcome()->participant_secret();
    rig.workshop->detach(t->connection_id());
    rig.settle();
    if (i < 3) throwaways.push_back(t);
  }
  auto newcomer = rig.participant("Neu");
  rig.settle();
  REQUIRE(newcomer->welcome());
  CHECK_FALSE(newcomer->closed);

  std::size_t forgotten = 0;
  for (const auto& r : rig.journal.stored())
    if (r.op().has_forget_participants()) forgotten += r.op().forget_participants().participant_ids_size();
  CHECK(forgotten >= board::limits::kMaxParticipants);

  // The writer's identity (its note names it) and the facilitator's are kept.
  auto back = rig.participant("Writer", 0, writer.get());
  rig.settle();
  REQUIRE(back->welcome());
  CHECK(back->welcome()->participant_id() == writer->welcome()->participant_id());
  CHECK(back->welcome()->participant_secret().empty());  // a resume, not a new identity
  // A forgotten identity's id + secret no longer resumes: with the join code
  // its holder simply gets a new identity.
  auto first = rig.participant("T0", 0, throwaways[0].get());
  rig.settle();
  REQUIRE(first->welcome());
  CHECK(first->welcome()->participant_id() != throwaways[0]->welcome()->participant_id());
  CHECK_FALSE(first->welcome()->participant_secret().empty());
  CHECK_FALSE(fac->closed);
}

TEST_CASE("a full room never turns its facilitator away, also an identity that never acted", "[workshop][identities]") {
  workshop::WorkshopOptions options;
  options.max_connections = 2 * board::limits::kMaxParticipants;  // the places are the limit here, not connections
  Rig rig(options);
  auto fac = rig.joined(rig.facilitator("Moderation"));
  auto fac2 = rig.joined(rig.facilitator("Co-Moderation"));
  rig.workshop->detach(fac2->connection_id());
  rig.settle();

  std::vector<std::shared_ptr<FakeClient>> room;
  for (std::size_t i = 0; i <= board::limits::kMaxParticipants; ++i) {
    room.push_back(rig.participant("P" + std::to_string(i)));
    rig.settle();
    if (room.back()->closed) break;
  }
  REQUIRE(room.back()->closed);  // the room is full ...
  CHECK(room.size() == board::limits::kMaxParticipants + 1);  // ... at 500 participants, facilitators not counted

  v1::Hello h;
  h.set_display_name("Co-Moderation");
  h.mutable_credential()->set_facilitator_token(Rig::kFacilitatorToken);
  h.set_participant_id(fac2->welcome()->participant_id());
  h.set_participant_secret(rig.secrets.at(fac2->welcome()->participant_id()));
  auto back = rig.hello(h);
  rig.settle();
  REQUIRE(back->welcome());
  CHECK_FALSE(back->closed);
  CHECK(back->welcome()->role() == v1::ROLE_FACILITATOR);
  auto third = rig.facilitator("Dritte Moderation");  // a new facilitator identity, too
  rig.settle();
  REQUIRE(third->welcome());
  auto beamer = rig.hello([] {
    v1::Hello o;
    o.mutable_credential()->set_observer_token(Rig::kObserverToken);
    return o;
  }());
  rig.settle();
  CHECK(beamer->welcome());
}

TEST_CASE("at the connection limit, facilitator and observer links still get in", "[workshop][identities]") {
  workshop::WorkshopOptions options;
  options.max_connections = 3;
  options.token_holder_headroom = 2;
  Rig rig(options);
  auto fac = rig.joined(rig.facilitator());
  auto anna = rig.joined(rig.participant("Anna"));
  auto ben = rig.joined(rig.participant("Ben"));
  auto carl = rig.participant("Carl");
  rig.settle();
  CHECK(carl->closed);  // participants: 3 connections
  CHECK_FALSE(carl->welcome());
  auto fac2 = rig.facilitator("Co-Moderation");
  rig.settle();
  CHECK(fac2->welcome());  // the 4th, in the headroom
  auto beamer = rig.hello([] {
    v1::Hello o;
    o.mutable_credential()->set_observer_token(Rig::kObserverToken);
    return o;
  }());
  rig.settle();
  CHECK(beamer->welcome());  // the 5th
  auto fac3 = rig.facilitator("Dritte");
  rig.settle();
  CHECK(fac3->closed);  // the headroom is bounded too
}

TEST_CASE("new links are handed out only once their metadata is stored, in order with the appends",
          "[workshop][journal]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  bool made = false;
  std::string token;
  rig.workshop->add_links([&](const journal::Status& s, const std::string& facilitator, const std::string&) {
    CHECK(s.ok());
    made = true;
    token = facilitator;
  });
  rig.poll();
  // Queued to the journal's writer, not written on the strand: nobody is
  // told a token that a restart could forget.
  CHECK_FALSE(made);
  REQUIRE(rig.journal.held() == 1);
  CHECK(rig.journal.stored_meta().extra_facilitator_token_sha256_size() == 0);
  rig.journal.release();
  rig.poll();
  REQUIRE(made);
  REQUIRE(rig.journal.stored_meta().extra_facilitator_token_sha256_size() == 1);
  CHECK(rig.journal.stored_meta().extra_facilitator_token_sha256(0) == workshop::sha256(token));
  CHECK(rig.workshop->has_facilitator_token(token));

  // A rotation and new links queued together are stored in the order they were made.
  rig.submit(*fac, ops::rotate_join_code(""));
  rig.poll();
  rig.journal.release();  // the rotation's event
  rig.poll();
  rig.workshop->add_links([](const journal::Status&, const std::string&, const std::string&) {});
  rig.settle();
  const v1::WorkshopMeta& stored = rig.journal.stored_meta();
  CHECK(stored.join_code() != Rig::kJoinCode);
  CHECK(rig.workshop->has_join_code(stored.join_code()));
  CHECK(stored.extra_facilitator_token_sha256_size() == 2);
}

TEST_CASE("new links on a failing disk - no token is handed out, and it would not work", "[workshop][journal]") {
  Rig rig;
  rig.journal.break_disk();
  journal::Status result;
  std::string token = "unset";
  rig.workshop->add_links([&](const journal::Status& s, const std::string& facilitator, const std::string&) {
    result = s;
    token = facilitator;
  });
  rig.settle();
  rig.journal.release();
  rig.poll();
  CHECK(result.code() == journal::Status::Code::no_space);
  CHECK(token.empty());
}

TEST_CASE("event times never go back - after a clock step back new events carry the last event's time",
          "[workshop][journal]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  rig.settle();
  rig.workshop->shutdown([] {});
  rig.settle();
  // The stored events say they happened an hour from now: the clock has since stepped back.
  constexpr std::int64_t kHour = 3'600'000;
  rig.journal.shift_times(kHour);
  const std::int64_t last = rig.journal.stored().back().time_ms();
  journal::Status st;
  rig.workshop = workshop::Workshop::recover(rig.io, rig.journal, rig.journal.stored_meta(), {}, &st);
  REQUIRE(rig.workshop);
  auto again = rig.joined(rig.facilitator());
  rig.submit(*again, ops::create_note("n1", "nach dem Zeitsprung"));
  rig.settle();
  const auto& stored = rig.journal.stored();
  REQUIRE(stored.back().op().has_create_note());
  CHECK(stored.back().time_ms() >= last);
  for (std::size_t i = 1; i < stored.size(); ++i) CHECK(stored[i].time_ms() >= stored[i - 1].time_ms());
}

TEST_CASE("a rotation and a closing store the metadata in the event's own write - never one without the other",
          "[workshop][journal]") {
  Rig rig;
  auto fac = rig.joined(rig.facilitator());
  rig.settle();
  rig.submit(*fac, ops::rotate_join_code(""));
  rig.poll();
  REQUIRE(rig.journal.held() == 1);
  rig.journal.release(1);
  REQUIRE(rig.journal.stored().back().op().has_rotate_join_code());
  const std::string code = rig.journal.stored().back().op().rotate_join_code().join_code();
  CHECK(code != Rig::kJoinCode);
  CHECK(rig.journal.stored_meta().join_code() == code);  // with the event: a crash now loses neither
  rig.settle();
  CHECK(rig.journal.stored_meta().join_code() == code);
  CHECK(rig.workshop->metadata().join_code() == code);

  rig.submit(*fac, ops::close_workshop());
  rig.poll();
  REQUIRE(rig.journal.held() == 1);
  rig.journal.release(1);
  CHECK(rig.journal.stored().back().op().has_close_workshop());
  CHECK(rig.journal.stored_meta().closed());
}

TEST_CASE("a rotation the disk refused is undone in the metadata too", "[workshop][journal]") {
  workshop::WorkshopOptions options;
  options.retry_interval = std::chrono::milliseconds(1);
  Rig rig(options);
  auto fac = rig.joined(rig.facilitator());
  rig.settle();
  rig.submit(*fac, ops::rotate_join_code(""));
  rig.poll();
  rig.journal.break_disk();
  rig.poll();
  CHECK(rig.journal.stored_meta().join_code() == Rig::kJoinCode);
  rig.journal.allow_retry(true);
  REQUIRE(rig.run_until([&] { return !rig.workshop->info().read_only; }));
  // Rebuilt from the journal: the old code, in the board and in what the catalog reads.
  CHECK(rig.workshop->metadata().join_code() == Rig::kJoinCode);
  CHECK(rig.workshop->has_join_code(Rig::kJoinCode));
  // Links stored afterwards carry the code the board has.
  rig.workshop->add_links([](const journal::Status&, const std::string&, const std::string&) {});
  rig.settle();
  CHECK(rig.journal.stored_meta().join_code() == Rig::kJoinCode);
}
