// Issue 13, identities over real sockets: throw-away identities made with the
// public join code cannot fill a workshop for good. Only identities that hold
// a place count toward the participant limit (500): not removed, and online
// or with an op accepted. One that never had an op accepted gives up its
// place when it goes offline; it may come back while there is room, else it
// gets WORKSHOP_FULL. New identities are budgeted per (address, workshop) and
// per workshop.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "harness.hpp"
#include "support/ops.hpp"
#include "werkstatt/board/limits.hpp"
#include "werkstatt/history/replay.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

ConnectOptions from(const std::string& address) {
  ConnectOptions o;
  o.source_address = address;
  return o;
}

// 100 new identities per loopback address: under the per-(address,
// workshop) budget of 400, so only the participant limit is at work.
std::string address_of(std::size_t i) { return "127.0.0." + std::to_string(2 + i / 100); }

bool no_acted_in(const v1::Welcome& w) {
  for (const auto& p : w.state().participants())
    if (p.acted()) return false;
  return true;
}

}  // namespace

TEST_CASE("throw-away identities that never sent an op free their places when they leave - ops keep a place",
          "[live][identities][issue13]") {
  TestServerOptions options;
  options.workshop.max_connections = 700;  // the participant limit is what is tested, not the connection limit
  // Joining 499 peers one after the other takes over a minute on a loaded
  // machine, and the first ones say nothing meanwhile: the idle timeout
  // (60 s) would close them and free their places.
  options.limits.idle_timeout = std::chrono::seconds(600);
  TestServer server(options);
  const auto& w = server.workshop();
  const std::size_t limit = board::limits::kMaxParticipants;

  // Anna adds a note, then goes: she holds her place.
  auto anna = std::make_unique<Peer>(server.port());
  REQUIRE(anna->join(w.id, join_code(w.join_code), "Anna"));
  REQUIRE(anna->wait_ack(anna->send(ops::create_note("n1", "Idee"))));
  Peer anna_saved(server.port());
  anna_saved.adopt(*anna);
  anna.reset();

  // 499 throw-away identities fill the workshop while they are online.
  std::vector<std::unique_ptr<Peer>> throwaway;
  for (std::size_t i = 0; i + 1 < limit; ++i) {
    throwaway.push_back(std::make_unique<Peer>(server.port(), from(address_of(i))));
    INFO("throw-away identity " << i);
    REQUIRE(throwaway.back()->join(w.id, join_code(w.join_code), "T"));
  }
  {
    Peer late(server.port(), from("127.0.0.20"));
    CHECK_FALSE(late.join(w.id, join_code(w.join_code), "Late"));
    REQUIRE_FALSE(late.errors().empty());
    CHECK(late.errors().back().code() == v1::ERROR_CODE_WORKSHOP_FULL);
  }
  {
    // Anna had an op accepted: she comes back although the workshop is full.
    Peer again(server.port());
    again.adopt(anna_saved);
    REQUIRE(again.join(w.id, join_code(w.join_code), "Anna", true, anna_saved.seq()));
    CHECK(again.welcome().participant_secret().empty());  // the same identity
  }

  // The throw-aways go; their saved identities are kept for later resumes.
  std::vector<std::unique_ptr<Peer>> saved;
  for (auto& t : throwaway) {
    saved.push_back(std::make_unique<Peer>(server.port(), from(address_of(saved.size()))));
    saved.back()->adopt(*t);
  }
  throwaway.clear();
  REQUIRE(eventually([&] { return server.info().participants_online == 0; }, std::chrono::seconds(20)));

  // Before issue 13 they still counted: WORKSHOP_FULL for good.
  auto newcomer = std::make_unique<Peer>(server.port(), from("127.0.0.20"));
  REQUIRE(eventually([&] {
    newcomer = std::make_unique<Peer>(server.port(), from("127.0.0.20"));
    if (newcomer->join(w.id, join_code(w.join_code), "Neu")) return true;
    REQUIRE_FALSE(newcomer->errors().empty());
    // The workshop's budget for new identities refills within a second.
    REQUIRE(newcomer->errors().back().code() == v1::ERROR_CODE_RATE_LIMITED);
    return false;
  }, std::chrono::seconds(10)));
  CHECK_FALSE(newcomer->welcome().participant_secret().empty());  // a new identity
  REQUIRE(newcomer->welcome().state().participants_size() == static_cast<int>(limit + 1));
  CHECK(no_acted_in(newcomer->welcome()));  // who had ops accepted is never shown (ballots, private notes)

  // A throw-away identity that was not reclaimed comes back as itself while
  // there is room (resumes take nothing from the identity budgets).
  std::vector<std::unique_ptr<Peer>> back;
  const std::size_t holding_before = 2;  // Anna (offline, acted) and the newcomer (online)
  for (std::size_t i = 0; holding_before + back.size() < limit; ++i) {
    back.push_back(std::make_unique<Peer>(server.port(), from(address_of(i))));
    back.back()->adopt(*saved[i]);
    INFO("resume of throw-away identity " << i);
    REQUIRE(back.back()->join(w.id, join_code(w.join_code), "T", true, 0));
    CHECK(back.back()->id() == saved[i]->id());
    CHECK(back.back()->welcome().participant_secret().empty());
  }
  REQUIRE(back.size() == limit - holding_before);

  // Full again: the next throw-away identity gave up its place and gets a
  // typed error before any state; Anna (acted) still comes back.
  const std::size_t next = back.size();
  {
    Peer t(server.port(), from(address_of(next)));
    t.adopt(*saved[next]);
    CHECK_FALSE(t.join(w.id, join_code(w.join_code), "T", true, 0));
    REQUIRE_FALSE(t.errors().empty());
    CHECK(t.errors().back().code() == v1::ERROR_CODE_WORKSHOP_FULL);
    CHECK(t.errors().back().message().find("gave up its place") != std::string::npos);
  }
  {
    Peer again(server.port());
    again.adopt(anna_saved);
    REQUIRE(again.join(w.id, join_code(w.join_code), "Anna", true, anna_saved.seq()));
    CHECK(again.board().note("n1") != nullptr);
  }
  // The journal replays to the same places: a board rebuilt from it (as a
  // restart does) counts the same identities and knows who acted.
  journal::Status status;
  const auto rebuilt = history::rebuild(server.journal(), w.id, server.info().head_seq, &status);
  REQUIRE(rebuilt);
  CHECK(rebuilt->holding_participants() == limit);
  CHECK(rebuilt->participant(anna_saved.id())->acted());
  CHECK_FALSE(rebuilt->participant(saved[next]->id())->acted());
}

TEST_CASE("new identities are budgeted per address and workshop - others and resumes are not held back",
          "[live][identities][issue13]") {
  TestServerOptions options;
  options.workshop.max_connections = 700;
  TestServer server(options);
  const auto& w = server.workshop();

  // One address mints identities (and drops them) until its budget of 400
  // for this workshop is spent.
  Peer first(server.port(), from("127.0.0.30"));
  REQUIRE(first.join(w.id, join_code(w.join_code), "Erste"));
  Peer first_saved(server.port(), from("127.0.0.30"));
  first_saved.adopt(first);
  first.ws().close();
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return static_cast<std::size_t>(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) + 1;
  };
  std::size_t made = 1;
  std::optional<v1::ErrorCode> refused;
  while (!refused && made < 450) {
    Peer t(server.port(), from("127.0.0.30"));
    if (t.join(w.id, join_code(w.join_code), "T")) {
      ++made;
      continue;
    }
    REQUIRE_FALSE(t.errors().empty());
    refused = t.errors().back().code();
  }
  REQUIRE(refused);
  CHECK(*refused == v1::ERROR_CODE_RATE_LIMITED);
  CHECK(made >= 400);
  const std::size_t first_seconds = seconds();
  INFO(made << " identities from one address in about " << first_seconds << " s");
  CHECK(made <= 400 + first_seconds);  // then one a second

  // Another address still gets a new identity; the first address still
  // resumes its own identity.
  Peer other(server.port(), from("127.0.0.31"));
  REQUIRE(other.join(w.id, join_code(w.join_code), "Andere"));
  Peer resume(server.port(), from("127.0.0.30"));
  resume.adopt(first_saved);
  REQUIRE(resume.join(w.id, join_code(w.join_code), "Erste", true, first_saved.seq()));
  CHECK(resume.id() == first_saved.id());

  // The workshop's budget (500 at once, then 300 a minute) bounds many
  // addresses together.
  std::size_t more = 0;
  refused.reset();
  for (std::size_t i = 0; !refused && i < 200; ++i) {
    Peer t(server.port(), from("127.0.0." + std::to_string(40 + i / 50)));
    if (t.join(w.id, join_code(w.join_code), "T")) {
      ++more;
      continue;
    }
    REQUIRE_FALSE(t.errors().empty());
    refused = t.errors().back().code();
  }
  REQUIRE(refused);
  CHECK(*refused == v1::ERROR_CODE_RATE_LIMITED);
  const std::size_t total_seconds = seconds();
  INFO(made + 1 + more << " identities in all in about " << total_seconds << " s");
  CHECK(made + 1 + more >= 500);
  CHECK(made + 1 + more <= 500 + 5 * total_seconds);  // then 300 a minute
}
