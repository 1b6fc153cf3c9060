// What a broken, hostile or slow client gets, and that nobody else notices:
// bad input, flooding, a client that stops reading, and shutdown.
#include <catch2/catch.hpp>

#include <atomic>
#include <fstream>
#include <random>
#include <thread>

#include "harness.hpp"
#include "support/temp_dir.hpp"
#include "support/ops.hpp"
#include "werkstatt/protocol/version.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
namespace ops = werkstatt::test::ops;

namespace {

// Expects an Error with `code` as the next message and then a close with `close_code`.
void expect_fatal(WsClient& ws, v1::ErrorCode code, std::uint16_t close_code) {
  auto m = ws.next();
  REQUIRE(m);
  REQUIRE(m->has_error());
  CHECK(v1::ErrorCode_Name(m->error().code()) == v1::ErrorCode_Name(code));
  CHECK(m->error().fatal());
  CHECK_FALSE(m->error().message().empty());
  CHECK(ws.wait_closed() == close_code);
}

std::size_t rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stoul(line.substr(6));
  return 0;
}

}  // namespace

TEST_CASE("bad input gets a typed error or reject - the server and everyone else carry on", "[robust]") {
  TestServer server;
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer witness(port);
  REQUIRE(witness.join(w.id, join_code(w.join_code), "Witness"));
  Peer fac(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  REQUIRE(witness.wait_seq(fac.seq()));
  const std::uint64_t head = server.info().head_seq;

  SECTION("before Hello") {
    {
      INFO("random bytes");
      WsClient ws(port);
      std::mt19937 rng(42);
      std::string junk(200, '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      junk[0] = '\xFF';  // an invalid field number 0... start: never a valid ClientMessage
      junk[1] = '\xFF';
      ws.send_bytes(junk);
      expect_fatal(ws, v1::ERROR_CODE_MALFORMED, 1002);
    }
    {
      INFO("truncated protobuf");
      WsClient ws(port);
      const std::string bytes = hello(w.id, join_code(w.join_code), "Truncated").SerializeAsString();
      ws.send_bytes(bytes.substr(0, bytes.size() - 5));
      expect_fatal(ws, v1::ERROR_CODE_MALFORMED, 1002);
    }
    {
      INFO("a text frame");
      WsClient ws(port);
      ws.send_bytes(R"({"hello":{}})", true);
      expect_fatal(ws, v1::ERROR_CODE_MALFORMED, 1003);
    }
    {
      INFO("a frame over the size limit");
      WsClient ws(port);
      ws.send_bytes(std::string(70 * 1024, 'x'));
      // Beast sends close 1009 and drops the connection; if the rest of the
      // oversize frame is still unread then, the kernel resets the
      // connection and the close frame may be lost (1006).
      const auto code = ws.wait_closed();
      REQUIRE(code);
      CHECK((*code == 1009 || *code == 1006));
    }
    {
      INFO("the wrong protocol version");
      WsClient ws(port);
      auto h = hello(w.id, join_code(w.join_code));
      h.mutable_hello()->set_protocol_version(protocol::kProtocolVersion + 1);
      ws.send(h);
      expect_fatal(ws, v1::ERROR_CODE_PROTOCOL_VERSION, 1002);
    }
    {
      INFO("an op before Hello");
      WsClient ws(port);
      ws.send(op_message("x1", ops::create_note("early", "x")));
      expect_fatal(ws, v1::ERROR_CODE_HELLO_REQUIRED, 1002);
    }
    {
      INFO("a bad join code");
      WsClient ws(port);
      ws.send(hello(w.id, join_code("AAAAAA")));
      expect_fatal(ws, v1::ERROR_CODE_BAD_CREDENTIAL, 1008);
    }
    {
      INFO("a participant code used as facilitator token");
      WsClient ws(port);
      ws.send(hello(w.id, facilitator(w.join_code)));
      expect_fatal(ws, v1::ERROR_CODE_BAD_CREDENTIAL, 1008);
    }
    {
      INFO("no credential");
      WsClient ws(port);
      ws.send(hello(w.id, v1::Credential()));
      expect_fatal(ws, v1::ERROR_CODE_BAD_CREDENTIAL, 1008);
    }
    {
      INFO("an unknown workshop");
      WsClient ws(port);
      ws.send(hello("nosuchworkshop", join_code(w.join_code)));
      expect_fatal(ws, v1::ERROR_CODE_UNKNOWN_WORKSHOP, 1008);
    }
    {
      INFO("a display name with a control character");
      WsClient ws(port);
      ws.send(hello(w.id, join_code(w.join_code), "bell\a"));
      expect_fatal(ws, v1::ERROR_CODE_INVALID_MESSAGE, 1008);
    }
    witness.drain();
    CHECK(server.info().head_seq == head);  // none of them joined
  }

  SECTION("after Hello") {
    Peer bad(port);
    REQUIRE(bad.join(w.id, join_code(w.join_code), "Bad"));
    REQUIRE(fac.wait_ack(fac.send(ops::create_note("gone", "to be deleted"))));
    REQUIRE(fac.wait_ack(fac.send(ops::remove(v1::OBJECT_KIND_NOTE, "gone"))));
    const std::uint64_t before = server.info().head_seq;
    REQUIRE(witness.wait_seq(before));
    REQUIRE(bad.wait_seq(before));

    const auto rejected = [&](const v1::Op& op, v1::RejectCode code, std::string id = {}) {
      id = bad.send(op, id);
      REQUIRE(bad.pump_until([&] { return bad.rejects().contains(id.substr(0, 64)); }));
      CHECK(v1::RejectCode_Name(bad.rejects().at(id.substr(0, 64))) == v1::RejectCode_Name(code));
    };
    rejected(ops::create_area("area", "Mine"), v1::REJECT_CODE_NOT_PERMITTED);  // facilitator only
    rejected(ops::lock(true), v1::REJECT_CODE_NOT_PERMITTED);
    rejected(ops::update_note_text("gone", "zombie"), v1::REJECT_CODE_OBJECT_DELETED);
    rejected(ops::create_note("n-bad", "\xC3\x28 invalid UTF-8"), v1::REJECT_CODE_INVALID_FIELD);
    {
      INFO("a well-framed OpRequest whose op does not decode: malformed, not 'invalid UTF-8'");
      const std::string op = std::string("\x0A\x04\x0A\x05", 4) + "ab";  // a CreateNote whose id claims 5 bytes of 2
      const std::string request = std::string("\x0A\x06") + "bad-op" + "\x12" + static_cast<char>(op.size()) + op;
      bad.ws().send_bytes(std::string("\x12") + static_cast<char>(request.size()) + request);
      REQUIRE(bad.pump_until([&] { return bad.rejects().contains("bad-op"); }));
      CHECK(v1::RejectCode_Name(bad.rejects().at("bad-op")) == v1::RejectCode_Name(v1::REJECT_CODE_MALFORMED));
    }
    rejected(ops::create_note("bad id!", "x"), v1::REJECT_CODE_INVALID_ID);
    rejected(v1::Op(), v1::REJECT_CODE_EMPTY_OP);
    rejected(ops::create_note("n-x", "x"), v1::REJECT_CODE_INVALID_ID, std::string(65, 'k'));

    Peer beamer(port);
    REQUIRE(beamer.join(w.id, observer(w.observer_token), "Beamer"));
    const std::string id = beamer.send(ops::create_note("obs", "observers only watch"));
    REQUIRE(beamer.pump_until([&] { return beamer.rejects().contains(id); }));
    CHECK(beamer.rejects().at(id) == v1::REJECT_CODE_NOT_PERMITTED);

    // Rejects change nothing: the only event since is the observer's join.
    witness.drain();
    CHECK(server.info().head_seq == before + 1);
    CHECK(witness.seq() == before + 1);
    CHECK(witness.history().back().find("participant_joined") != std::string::npos);
    CHECK(witness.board().note("gone")->deleted());
    CHECK(witness.board().note("n-bad") == nullptr);

    {
      INFO("a second Hello");
      bad.drain();  // the observer's join, say
      bad.ws().send(hello(w.id, join_code(w.join_code), "Again"));
      expect_fatal(bad.ws(), v1::ERROR_CODE_HELLO_REQUIRED, 1002);
    }
    {
      INFO("garbage after joining");
      Peer noisy(port);
      REQUIRE(noisy.join(w.id, join_code(w.join_code), "Noisy"));
      noisy.ws().send_bytes("\x0A\xFF\xFF\xFF\xFF\x0F");
      expect_fatal(noisy.ws(), v1::ERROR_CODE_MALFORMED, 1002);
    }
  }

  // Whatever happened, the witness is still connected, in sync and can edit.
  const std::string id = witness.send(ops::create_note("alive", "still here"));
  REQUIRE(witness.wait_ack(id));
  REQUIRE(fac.wait_seq(witness.seq()));
  CHECK(fac.common_state() == witness.common_state());
  CHECK(witness.errors().empty());
}

TEST_CASE("flooding ops: excess is rejected, sustained flooding closes the connection", "[robust][rate]") {
  TestServerOptions options;
  options.limits.ops_per_second = 10;
  options.limits.ops_burst = 10;
  TestServer server(options);
  const auto& w = server.workshop();
  Peer flood(server.port()), calm(server.port());
  REQUIRE(flood.join(w.id, join_code(w.join_code), "Flood"));
  REQUIRE(calm.join(w.id, join_code(w.join_code), "Calm"));
  REQUIRE(flood.wait_ack(flood.send(ops::create_note("f", "x"))));
  for (int i = 0; i < 200 && !flood.ws().is_closed(); ++i) flood.send(ops::update_note_text("f", std::to_string(i)));
  REQUIRE(flood.pump_until([&] {
    return !flood.errors().empty() && flood.errors().back().code() == v1::ERROR_CODE_RATE_LIMITED;
  }));
  CHECK(flood.errors().back().fatal());
  std::size_t limited = 0;
  for (const auto& [id, code] : flood.rejects()) limited += code == v1::REJECT_CODE_RATE_LIMITED ? 1 : 0;
  CHECK(limited >= 10);
  CHECK(flood.acks().size() <= 12);  // the burst, plus a token or two refilled
  CHECK(flood.ws().wait_closed() == std::uint16_t{1008});
  // The calm participant was not affected.
  REQUIRE(calm.wait_ack(calm.send(ops::create_note("c", "calm"))));
  CHECK(calm.errors().empty());
}

TEST_CASE("guessing join codes is slowed per address and workshop - right codes and resumes and tokens are never held back",
          "[robust][guesses]") {
  TempDir dir;
  TestServerOptions options;
  options.limits.wrong_credentials_burst = 5;
  options.limits.wrong_credentials_per_minute = 6;  // a token per 10 s: none comes back during the test
  options.audit_log = dir.path() / "audit.jsonl";
  TestServer server(options);
  const auto& w = server.workshop();
  workshop::CreateError failure;
  const auto other = server.registry().create("blank", "Other", "en", &failure);
  REQUIRE(other);
  const auto from = [](const char* address) {
    ConnectOptions o;
    o.source_address = address;
    return o;
  };
  // Right codes are free: more joins than the burst all succeed.
  for (int i = 0; i < 8; ++i) {
    Peer ok(server.port());
    REQUIRE(ok.join(w.id, join_code(w.join_code), "Ok " + std::to_string(i)));
  }
  Peer anna(server.port());  // joined before the guessing: will resume later
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  anna.ws().close();
  // 127.0.0.1 sends wrong codes for w until its budget there is spent ...
  for (int i = 0; i < 5; ++i) {
    Peer guess(server.port());
    CHECK_FALSE(guess.join(w.id, join_code("ZZZZ" + std::to_string(10 + i)), "G"));
    REQUIRE_FALSE(guess.errors().empty());
    CHECK(guess.errors().back().code() == v1::ERROR_CODE_BAD_CREDENTIAL);
  }
  // ... then a code from it for w is refused without being checked, for a while ...
  Peer late(server.port());
  CHECK_FALSE(late.join(w.id, join_code(w.join_code), "Late"));
  REQUIRE_FALSE(late.errors().empty());
  CHECK(late.errors().back().code() == v1::ERROR_CODE_RATE_LIMITED);
  CHECK(late.ws().wait_closed() == std::uint16_t{1008});
  // ... but not a resume, the facilitator token or another workshop from the same address,
  Peer again(server.port());
  again.adopt(anna);
  CHECK(again.join(w.id, join_code(w.join_code), "Anna", true));
  Peer fac(server.port());
  CHECK(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  Peer elsewhere(server.port());
  CHECK(elsewhere.join(other->id, join_code(other->join_code), "Eve"));
  // nor the right code from another address.
  Peer neighbour(server.port(), from("127.0.0.2"));
  CHECK(neighbour.join(w.id, join_code(w.join_code), "Nina"));
  // The typed-code lookup answers the right code (only unknown codes cost there).
  CHECK(http_request(server.port(), "GET", "/api/join/" + w.join_code).status == 200);
  CHECK(http_request(server.port(), "GET", "/healthz").status == 200);
  // The audit log has a line for each wrong code and the refusal, with the address.
  std::ifstream in(options.audit_log);
  std::size_t wrong = 0, limited = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"client\":\"127.0.0.1\"") == std::string::npos) continue;
    wrong += line.find("\"reason\":\"wrong join code\"") != std::string::npos ? 1 : 0;
    limited += line.find("\"event\":\"rate_limited\"") != std::string::npos ? 1 : 0;
    CHECK(line.find(w.join_code) == std::string::npos);
  }
  CHECK(wrong == 5);
  CHECK(limited == 1);
}

TEST_CASE("a client that stops reading is closed at its queue limit - the others keep receiving", "[robust][slow]") {
  TestServerOptions options;
  options.limits.max_queue_bytes = 1024 * 1024;  // the default
  options.limits.slow_consumer_grace = std::chrono::seconds(120);  // lets the test read the farewell
  options.limits.ops_per_second = 1e6;
  options.limits.ops_burst = 1e6;
  options.workshop.recent_bytes = 1 << 20;  // keep the resume ring small so RSS shows the queues
  TestServer server(options);
  const auto& w = server.workshop();
  const auto port = server.port();
  Peer fac(port), anna(port);
  REQUIRE(fac.join(w.id, facilitator(w.facilitator_token), "Fran"));
  ConnectOptions small;
  small.receive_buffer_bytes = 4096;
  std::vector<std::unique_ptr<Peer>> slow;
  for (int i = 0; i < 3; ++i) {
    slow.push_back(std::make_unique<Peer>(port, small));
    REQUIRE(slow.back()->join(w.id, join_code(w.join_code), "Slow"));
    slow.back()->keep_history(false);
  }
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  fac.keep_history(false);
  anna.keep_history(false);
  REQUIRE(fac.wait_ack(fac.send(ops::create_note("big", "x"))));
  const std::uint64_t start = fac.seq();

  // ~1.5 KiB per event (500 three-byte characters), 18 MiB in all: far more
  // than the kernel buffers and the queue limit together. Three clients stop
  // reading; unbounded queues would grow the process by ~3 x 13 MiB on top of
  // what the in-memory journal keeps (18 MiB); bounded, by ~3 x 1 MiB.
  const std::size_t before_kib = rss_kib();
  std::string text;
  for (int i = 0; i < 499; ++i) text += "\xE2\x82\xAC";  // €
  constexpr int kEdits = 12000;
  std::atomic<std::uint64_t> anna_seq{anna.seq()};
  std::thread reader([&] {
    // Anna keeps reading throughout, and must see every event in order.
    anna.pump_until(
        [&] {
          anna_seq = anna.seq();
          return anna.seq() >= start + kEdits;
        },
        std::chrono::seconds(300));
  });
  std::size_t peak_kib = before_kib;
  for (int i = 0; i < kEdits; ++i) {
    fac.send(ops::update_note_text("big", text + std::to_string(i % 10)));
    if (i % 100 == 99) {
      // The writer stays within ~300 events (450 KiB) of Anna, so that she is
      // never the slow one, however slow this build is.
      REQUIRE(fac.pump_until([&] { return fac.acks().size() + 50 >= static_cast<std::size_t>(i); },
                             std::chrono::seconds(30)));
      REQUIRE(eventually([&] { return anna_seq + 300 >= start + static_cast<std::uint64_t>(i); },
                         std::chrono::seconds(30)));
      if (i % 500 == 499) peak_kib = std::max(peak_kib, rss_kib());
    }
  }
  REQUIRE(fac.pump_until([&] { return fac.acks().size() >= kEdits + 1; }, std::chrono::seconds(60)));
  reader.join();
  peak_kib = std::max(peak_kib, rss_kib());
  const std::uint64_t head = server.info().head_seq;
  CHECK(anna.seq() == head);
  CHECK(anna.common_state() == fac.common_state());

  // A slow client now reads: a gapless prefix, then Error SLOW_CONSUMER and 4008.
  Peer& first = *slow.front();
  REQUIRE(first.pump_until([&] { return !first.errors().empty(); }, std::chrono::seconds(30)));
  CHECK(first.errors().back().code() == v1::ERROR_CODE_SLOW_CONSUMER);
  CHECK(first.ws().wait_closed() == std::uint16_t{4008});
  CHECK(first.seq() < head);
  // ... and resumes from its last seq to the head.
  Peer resumed(port);
  resumed.adopt(first);
  REQUIRE(resumed.join(w.id, join_code(w.join_code), "Slow", true, first.seq()));
  REQUIRE(resumed.wait_seq(server.info().head_seq, std::chrono::seconds(30)));
  REQUIRE(fac.wait_seq(resumed.seq()));
  CHECK(resumed.common_state() == fac.common_state());

  const std::size_t growth_kib = peak_kib > before_kib ? peak_kib - before_kib : 0;
  const std::size_t journal_kib = static_cast<std::size_t>(kEdits) * 1600 / 1024;
  WARN("RSS before " << before_kib << " KiB, peak " << peak_kib << " KiB (+" << growth_kib << " KiB; the in-memory "
                     << "journal holds ~" << journal_kib << " KiB of it) while " << kEdits
                     << " events of ~1.5 KiB went to 2 readers and 3 clients that stopped reading");
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Sanitizers keep freed memory in quarantine: RSS says nothing here.
#else
  CHECK(growth_kib < journal_kib + 16 * 1024);
#endif
}

TEST_CASE("shutdown acks what was accepted and closes every client with 1001", "[robust][shutdown]") {
  TestServer server;
  const auto& w = server.workshop();
  Peer anna(server.port());
  REQUIRE(anna.join(w.id, join_code(w.join_code), "Anna"));
  WsClient idle(server.port());  // connected, never said Hello
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(anna.send(ops::create_note("n" + std::to_string(i), "x")));
  REQUIRE(anna.wait_ack(ids.front()));
  std::thread stopper([&] { CHECK(server.shutdown()); });
  REQUIRE(anna.pump_until([&] { return !anna.errors().empty(); }, std::chrono::seconds(10)));
  CHECK(anna.errors().back().code() == v1::ERROR_CODE_SHUTTING_DOWN);
  CHECK(anna.ws().wait_closed() == std::uint16_t{1001});
  CHECK(idle.wait_closed() == std::uint16_t{1001});
  stopper.join();
  // Everything acked is in the journal; nothing was acked that is not.
  std::uint64_t max_ack = 0;
  for (const auto& [id, seq] : anna.acks()) max_ack = std::max(max_ack, seq);
  CHECK(server.journal().head_seq(w.id) >= max_ack);
  CHECK(anna.rejects().empty());
}
