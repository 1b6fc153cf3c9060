// Writes the seed corpora under tests/fuzz/corpus/<target>/ (committed; run
// again after a protocol change: build/fuzz/tests/fuzz/werkstatt_fuzz_make_seeds tests/fuzz/corpus).
// Seeds are meaningful inputs in each target's framing (chunks.hpp), so the
// fuzzer starts from real sessions instead of random bytes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "chunks.hpp"
#include "live_boards.hpp"
#include "werkstatt/v1/journal.pb.h"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;
namespace fs = std::filesystem;

namespace werkstatt::fuzz {
void fail(const std::string& what) {
  std::fprintf(stderr, "make_seeds: %s\n", what.c_str());
  std::exit(1);
}
}  // namespace werkstatt::fuzz

namespace {

fs::path out_root;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  const fs::path dir = out_root / target;
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

std::string op_frame(const v1::Op& op, int n) {
  v1::ClientMessage m;
  m.mutable_op()->set_client_op_id("op" + std::to_string(n));
  *m.mutable_op()->mutable_op() = op;
  return m.SerializeAsString();
}

// actor index into fuzz::kActors: 1 facilitator, 2 and 3 participants, 4 observer
struct Step {
  std::uint8_t actor;
  v1::Op op;
};

void client_message_seeds() {
  const std::vector<std::vector<Step>> scripts = {
      {{2, ops::create_note("n9", "Neue Idee", 100, 100, "chancen")}, {2, ops::update_note_text("n9", "Geändert")},
       {2, ops::move(v1::OBJECT_KIND_NOTE, "n9", 200, 50)}, {2, ops::remove(v1::OBJECT_KIND_NOTE, "n9")},
       {2, ops::restore(v1::OBJECT_KIND_NOTE, "n9")}},
      {{1, ops::create_cluster("c9", "Neu", {"n1", "n3"})}, {1, ops::add_to_cluster("c9", "n2")},
       {1, ops::remove_from_cluster("n1")}, {1, ops::rename_cluster("c9", "Umbenannt")},
       {1, ops::remove(v1::OBJECT_KIND_CLUSTER, "c9")}},
      {{1, ops::reveal_participant("p1")}, {1, ops::reveal_area("chancen")}, {1, ops::reveal_all()},
       {3, ops::update_note_color("n2", v1::COLOR_GREEN)}},
      {{2, ops::vote("n1")}, {2, ops::vote("n1")}, {2, ops::retract("n1")}, {3, ops::vote("n3")},
       {1, ops::close_round("r1")}},
      {{1, ops::timer(v1::TimerControl::ACTION_START, 60'000)}, {1, ops::timer(v1::TimerControl::ACTION_PAUSE)},
       {1, ops::timer(v1::TimerControl::ACTION_RESUME)}, {1, ops::timer(v1::TimerControl::ACTION_ADJUST, 0, 30'000)},
       {0, ops::timer(v1::TimerControl::ACTION_EXPIRE)}},
      {{1, ops::go_to("ankommen")}, {1, ops::lock(true)}, {2, ops::create_note("n8", "gesperrt")}, {1, ops::lock(false)},
       {1, ops::lock_area("chancen", true)}},
      {{1, ops::set_role("p2", v1::ROLE_FACILITATOR)}, {1, ops::rename("p1", "Anna B.")}, {3, ops::raise_hand()},
       {1, ops::lower_hand("p2")}, {1, ops::remove_participant("p1")}},
      {{1, ops::rotate_join_code("AB12CD")}, {1, ops::follow_me(true)}, {1, ops::pseudonymous(true)},
       {4, ops::create_note("n7", "Beobachter")}, {1, ops::close_workshop()}},
      {{1, ops::create_area("a9", "Neu", 0, 900)}, {1, ops::rename_area("a9", "Bereich")},
       {1, ops::open_round("r2", 3, 1, true, {"a9"})}, {0, ops::join("p5", "Neu", v1::ROLE_PARTICIPANT)},
       {0, ops::leave("p5")}},
  };
  int n = 0;
  for (std::uint8_t board = 0; board < 3; ++board) {
    for (std::size_t s = 0; s < scripts.size(); ++s) {
      std::string input(1, static_cast<char>(board));
      for (const Step& step : scripts[s])
        fuzz::append_chunk(input, static_cast<std::uint8_t>(step.actor | (1 << 3)), op_frame(step.op, ++n));
      write("client_message", "board" + std::to_string(board) + "-script" + std::to_string(s), input);
    }
  }
  // Messages that never reach the board.
  v1::ClientMessage hello;
  hello.mutable_hello()->set_protocol_version(1);
  hello.mutable_hello()->set_workshop_id("w1");
  hello.mutable_hello()->mutable_credential()->set_join_code("K7M2QX");
  v1::ClientMessage presence;
  presence.mutable_presence()->mutable_cursor()->set_x(1);
  presence.mutable_presence()->set_typing_note_id("n1");
  v1::ClientMessage ping;
  ping.mutable_ping()->set_client_time_ms(42);
  std::string other(1, '\0');
  for (const auto& m : {hello, presence, ping}) fuzz::append_chunk(other, 2, m.SerializeAsString());
  write("client_message", "not-ops", other);
}

v1::EventRecord record_of(const v1::Event& e, v1::Role role) {
  v1::EventRecord r;
  r.set_workshop_id("wfuzz");
  r.set_seq(e.seq());
  r.set_time_ms(e.server_time_ms());
  r.set_author_id(e.author_id());
  r.set_author_role(role);
  *r.mutable_op() = e.op();
  return r;
}

void journal_seeds() {
  // A short session, recorded as the workshop would journal it.
  std::vector<std::pair<std::string, v1::Op>> script;
  for (const v1::Op& op : board::template_ops(board::kImpulsWerkstattTemplate, "de", "Fuzz")) script.emplace_back("", op);
  script.emplace_back("", ops::join("p0", "Moderation", v1::ROLE_FACILITATOR));
  script.emplace_back("", ops::join("p1", "Anna", v1::ROLE_PARTICIPANT));
  script.emplace_back("p0", ops::go_to("ankommen"));
  script.emplace_back("p0", ops::go_to("sammeln", true));
  script.emplace_back("p1", ops::create_note("n1", "ÖPNV", 10, 10, "herausforderungen"));
  script.emplace_back("p1", ops::create_note("n2", "=SUMME(A1)", 40, 10, "chancen"));
  script.emplace_back("p0", ops::reveal_all());
  script.emplace_back("p0", ops::go_to("clustern"));
  script.emplace_back("p0", ops::go_to("bewerten"));
  script.emplace_back("p0", ops::open_round("r1"));
  script.emplace_back("p1", ops::vote("n1"));
  script.emplace_back("p0", ops::close_round("r1"));
  script.emplace_back("", ops::leave("p1"));
  board::Board b;
  std::vector<std::string> records;
  std::string snapshot;
  std::int64_t t = 1'764'000'000'000;
  for (const auto& [author, op] : script) {
    board::ApplyResult r = b.apply(op, author, t += 45'000);
    if (!r.ok()) fuzz::fail("journal seed refused: " + r.rejection().reason);
    const v1::Participant* p = b.participant(author);
    records.push_back(record_of(r.event(), p ? p->role() : v1::ROLE_SYSTEM).SerializeAsString());
    if (b.seq() == 8) {
      v1::Snapshot s;
      s.set_workshop_id("wfuzz");
      s.set_seq(b.seq());
      s.set_time_ms(t);
      *s.mutable_state() = b.state();
      snapshot = s.SerializeAsString();
    }
  }
  v1::WorkshopMeta meta;
  meta.set_id("wfuzz");
  meta.set_created_ms(1'764'000'000'000);
  meta.set_template_id("impuls-werkstatt");
  meta.set_join_code("K7M2QX");
  const auto session = [&](bool with_snapshot, int gap_at) {
    std::string input;
    fuzz::append_chunk(input, 2, meta.SerializeAsString());
    if (with_snapshot) fuzz::append_chunk(input, static_cast<std::uint8_t>(1 | (8 << 2)), snapshot);
    for (std::size_t i = 0; i < records.size(); ++i)
      fuzz::append_chunk(input, static_cast<int>(i) == gap_at ? 3 : 0, records[i]);
    return input;
  };
  write("journal_records", "session", session(false, -1));
  write("journal_records", "session-snapshot", session(true, -1));
  write("journal_records", "session-gap", session(false, 9));
  std::string damaged = session(false, -1);
  damaged[damaged.size() / 2] ^= 0x5a;
  write("journal_records", "session-damaged", damaged);
}

void rest_json_seeds() {
  const char* bodies[] = {
      R"({"template":"impuls-werkstatt","title":"Region Süd","language":"de"})",
      R"({})",
      R"(  { "title" : "a\"b\\c\/d\n\u00e4\ud83d\ude00" }  )",
      R"({"title":"x","title":"y"})",
      R"({"n":1})",
      R"({"a":"<script>"})",
      R"(["not","an","object"])",
  };
  int i = 0;
  for (const char* b : bodies) write("rest_json", "body" + std::to_string(i++), b);
}

void http_routes_seeds() {
  // flags: method (0 GET, 1 HEAD, 2 POST, 3 PUT), auth << 3 (1 facilitator, 2 admin, 3 garbage), 0x20 loopback
  const std::vector<std::pair<std::uint8_t, std::string>> requests = {
      {0, "/healthz"},
      {0, "/api/workshops/{id}"},
      {0, "/api/workshops/nope"},
      {0, "/api/join/{code}"},
      {0, "/api/join/ZZZZZZ"},
      {2 | 0x20, "/api/workshops\n{\"title\":\"Neu\",\"language\":\"en\"}"},
      {2 | (2 << 3), "/api/workshops\n{\"template\":\"blank\"}"},
      {2, "/api/workshops\n{}"},
      {0 | (1 << 3), "/api/workshops/{id}/timeline"},
      {0 | (1 << 3), "/api/workshops/{id}/state?seq=3"},
      {0 | (1 << 3), "/api/workshops/{id}/state?at=1764000000000"},
      {0 | (1 << 3), "/api/workshops/{id}/events?from=1&to=5&limit=2"},
      {0 | (1 << 3), "/api/workshops/{id}/export?format=md&seq=2"},
      {0, "/api/workshops/{id}/export?format=csv&t={t}"},
      {0, "/api/workshops/{id}/export?format=json&t=%7Bt%7D+x&at=5"},
      {0 | (3 << 3), "/api/workshops/{id}/timeline"},
      {3, "/api/workshops/{id}"},
      {0, "/api/nothing"},
      {0, "/index.html"},
  };
  int i = 0;
  for (const auto& [flags, rest] : requests)
    write("http_routes", "request" + std::to_string(i++), std::string(1, static_cast<char>(flags)) + rest);
}

void static_files_seeds() {
  const char* targets[] = {"/", "/index.html", "/assets/app-1a2b3c.js", "/assets/missing.js", "/sub/page.html",
                           "/w/abc?x=1#f", "/../etc/passwd", "/%2e%2e/secret/passwd", "/leak.txt", "/out/passwd",
                           "/.env", "/a%00b", "/a%zz", "//assets//app-1a2b3c.js", "/assets", "/sub\\page.html",
                           "/c:/x", "relative"};
  int i = 0;
  for (const char* t : targets) write("static_files", "target" + std::to_string(i++), t);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus root, e.g. tests/fuzz/corpus>\n", argv[0]);
    return 2;
  }
  out_root = argv[1];
  client_message_seeds();
  journal_seeds();
  rest_json_seeds();
  http_routes_seeds();
  static_files_seeds();
  return 0;
}
