// Exports of a fixed session, compared with golden files. To accept a
// deliberate change of format: WERKSTATT_UPDATE_GOLDEN=1 ./werkstatt_journal_tests '[export]'
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <future>
#include <sstream>

#include "support/ops.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/board/templates.hpp"
#include "werkstatt/history/exports.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"
#include "werkstatt/render/downloads.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;

namespace {

const std::string kGoldenDir = WERKSTATT_GOLDEN_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = kGoldenDir + "/" + name;
  if (std::getenv("WERKSTATT_UPDATE_GOLDEN")) {
    std::ofstream(path, std::ios::binary) << actual;
    WARN("updated " << path);
    return;
  }
  const std::string expected = read_file(path);
  INFO("golden file " << path << " (actual output follows)\n" << actual);
  CHECK(actual == expected);
}

// Berlin time, so the golden files do not depend on the machine's zone.
struct BerlinTime {
  BerlinTime() {
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
  }
};

// A short Impuls-Werkstatt: three people, notes with umlauts, quotes, commas,
// newlines, a formula-like text and markup; a cluster; votes; one deleted note.
std::unique_ptr<journal::RocksJournal> record_session(const std::string& dir, const std::string& language) {
  journal::Status st;
  auto j = journal::RocksJournal::open(dir, {}, &st);
  REQUIRE(j);
  v1::WorkshopMeta meta;
  meta.set_id("regio-sued");
  REQUIRE(j->put_workshop(meta).ok());

  board::Board b;
  std::vector<v1::EventRecord> records;
  std::int64_t clock = 1'764'158'400'000;  // 2025-11-26 12:00 UTC
  const auto apply = [&](const v1::Op& op, std::string_view author) {
    clock += 45'000;
    auto r = b.apply(op, author, clock);
    INFO(op.ShortDebugString());
    REQUIRE(r.ok());
    v1::EventRecord rec;
    rec.set_workshop_id("regio-sued");
    rec.set_seq(r.event().seq());
    rec.set_time_ms(r.event().server_time_ms());
    rec.set_author_id(r.event().author_id());
    *rec.mutable_op() = r.event().op();
    records.push_back(rec);
  };
  for (const auto& op : board::template_ops(board::kImpulsWerkstattTemplate, language, "Regionalentwicklung Süd"))
    apply(op, board::kSystemAuthor);
  apply(ops::join("fac", "Fran", v1::ROLE_FACILITATOR), board::kSystemAuthor);
  apply(ops::go_to("ankommen"), "fac");
  apply(ops::join("anna", "Anna Müller", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  apply(ops::join("ben", "Ben", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  // Private collection, then reveal.
  apply(ops::go_to("sammeln", true), "fac");
  apply(ops::create_note("n1", "Fachkräftemangel im Handwerk", -1800, -700, "herausforderungen"), "anna");
  apply(ops::create_note("n2", "Leerstand in Ortskernen, besonders \"Altstadt\"", -1600, -700, "herausforderungen"), "ben");
  apply(ops::create_note("n3", "ÖPNV:\nBus fährt nur 2× täglich", -1400, -700, "herausforderungen"), "anna");
  apply(ops::create_note("n4", "=SUMME(A1:A3) Tourismus", -500, -700, "chancen"), "ben");
  apply(ops::create_note("n5", "Grünzüge & <b>Naherholung</b>", -300, -700, "chancen"), "anna");
  apply(ops::create_note("n6", "Rufbus, Bürgerbus; Carsharing", 800, -700, "loesungsansaetze"), "ben");
  apply(ops::create_note("n8", "verworfen", 0, 1400), "anna");
  apply(ops::remove(v1::OBJECT_KIND_NOTE, "n8"), "anna");
  apply(ops::create_note("n9", "nie aufgedeckt", 0, 1500, "loesungsansaetze"), "anna");
  apply(ops::reveal_participant("ben"), "fac");
  apply(ops::reveal_area("herausforderungen"), "fac");
  apply(ops::reveal_area("chancen"), "fac");
  apply(ops::go_to("clustern"), "fac");
  apply(ops::create_note("n7", "# Sonstiges *wichtig*", 0, 1200), "fac");
  apply(ops::create_cluster("c1", "Ortskerne & Arbeit", {"n1", "n2"}), "fac");
  apply(ops::update_note_text("n1", "Fachkräftemangel im Handwerk und in der Pflege"), "anna");
  // Two voting rounds: everything, then the opportunities only.
  apply(ops::go_to("bewerten"), "fac");
  v1::Op first_round = ops::open_round("r1", 5, 3);
  first_round.mutable_open_voting_round()->mutable_round()->set_title("Was ist am dringendsten?");
  apply(first_round, "fac");
  apply(ops::vote("n2"), "anna");
  apply(ops::vote("n2"), "anna");
  apply(ops::vote("n3"), "anna");
  for (int i = 0; i < 3; ++i) apply(ops::vote("n3"), "ben");
  apply(ops::vote("n6"), "ben");
  apply(ops::vote("n4"), "fac");
  apply(ops::close_round("r1"), "fac");
  apply(ops::open_round("r2", 2, 2, true, {"chancen"}), "fac");
  apply(ops::vote("n5"), "anna");
  apply(ops::vote("n5"), "ben");
  apply(ops::vote("n4"), "ben");
  apply(ops::close_round("r2"), "fac");
  apply(ops::go_to("diskutieren"), "fac");
  // Discussion: an unnamed cluster, the facilitator's record of the outcome.
  apply(ops::create_cluster("c2", "", {"n4", "n5"}), "fac");
  apply(ops::set_phase_notes("diskutieren", "Beschluss: Der Rufbus wird im Kreistag beraten.\n"
                                            "Verantwortlich: Amt für Mobilität (bis *März*)"),
        "fac");
  // The English session is pseudonymous: its minutes show "Person N" and no authors.
  if (language == "en") apply(ops::pseudonymous(true), "fac");

  std::promise<journal::Status> done;
  j->append(records, [&](const journal::Status& s) { done.set_value(s); });
  REQUIRE(done.get_future().get().ok());
  return j;
}

}  // namespace

TEST_CASE("exports of a fixed session match the golden files", "[journal][export]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  auto session = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  INFO(st.message());
  REQUIRE(session);
  check_golden("minutes.de.md", history::export_markdown(*session));
  check_golden("notes.de.csv", history::export_csv(*session));
  check_golden("state.de.json", history::export_json(*session));
  CHECK(history::download_filename(*session, history::ExportFormat::csv) ==
        "werkstatt-regio-sued-seq" + std::to_string(session->state.seq()) + ".csv");
}

TEST_CASE("english minutes use english headings and area titles", "[journal][export]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "en");
  journal::Status st;
  auto session = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  REQUIRE(session);
  check_golden("minutes.en.md", history::export_markdown(*session));
}

TEST_CASE("an export at an earlier seq shows the board as it was then", "[journal][export]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  // Right after the reveals (seq 22): notes are there, nothing clustered or voted yet.
  auto early = history::load_session(*j, "regio-sued", 22, &st);
  REQUIRE(early);
  CHECK(early->state.seq() == 22);
  const std::string csv = history::export_csv(*early);
  CHECK(csv.find("Fachkräftemangel im Handwerk,") != std::string::npos);
  CHECK(csv.find("und in der Pflege") == std::string::npos);
  CHECK(csv.find("Ortskerne & Arbeit") == std::string::npos);
  // Before the reveal, nobody's notes are in the minutes.
  auto private_phase = history::load_session(*j, "regio-sued", 19, &st);
  REQUIRE(private_phase);
  CHECK(history::export_csv(*private_phase).find("Fachkräftemangel") == std::string::npos);
  // The timeline marks the joins and phase changes, and counts edits per minute.
  std::vector<std::string> labels;
  for (const auto& m : early->timeline.markers) labels.push_back(m.label);
  CHECK(labels == std::vector<std::string>{"Fran", "Ankommen", "Anna Müller", "Ben", "Sammeln"});
  std::uint32_t edits = 0;
  for (const auto& bucket : early->timeline.activity) edits += bucket.events;
  CHECK(edits == 22 - 5);  // all but the 3 joins and 2 phase changes
}

TEST_CASE("the record names no voter and nothing still private to its author", "[journal][export][secrecy]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  for (const std::uint64_t seq : {std::uint64_t{19}, std::uint64_t{22}, std::uint64_t{UINT64_MAX}}) {
    auto session = history::load_session(*j, "regio-sued", seq, &st);
    REQUIRE(session);
    INFO("seq " << session->state.seq());
    // Withdrawn (deleted) and never revealed during private collection, where
    // facilitators could not watch: not in any export, at any seq.
    for (const auto& doc : {history::export_json(*session), history::export_csv(*session), history::export_markdown(*session)}) {
      CHECK(doc.find("verworfen") == std::string::npos);
      CHECK(doc.find("nie aufgedeckt") == std::string::npos);
      CHECK(doc.find("n8") == std::string::npos);
      CHECK(doc.find(R"("voter_id": "a)") == std::string::npos);  // anna, ben: no voter is named
      CHECK(doc.find(R"("voter_id": "b)") == std::string::npos);
      CHECK(doc.find(R"("voter_id": "f)") == std::string::npos);
    }
    for (const auto& b : session->state.ballots()) CHECK(b.voter_id().empty());
  }
  // Counts per round and note stay exact.
  auto head = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  std::uint32_t r1 = 0;
  for (const auto& b : head->state.ballots())
    if (b.round_id() == "r1") r1 += b.dots();
  CHECK(r1 == 8);
  CHECK(head->state.rounds(0).voters() == 3);
}

TEST_CASE("loading an unknown workshop is NotFound", "[journal][export]") {
  test::TempDir dir;
  journal::Status st;
  auto j = journal::RocksJournal::open(dir / "db", {}, &st);
  REQUIRE(j);
  CHECK_FALSE(history::load_session(*j, "nope", UINT64_MAX, &st));
  CHECK(st.code() == journal::Status::Code::not_found);
}

// ---------------------------------------------------------------- rendered downloads

namespace {

// Runs `command` and returns what it printed (the tests' own temp files only).
std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  while (const std::size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  REQUIRE(pclose(p) == 0);
  return out;
}

std::string write_temp(const test::TempDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir / name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

}  // namespace

TEST_CASE("the PDF minutes: the minutes' text on A4 pages, then the board on a landscape page",
          "[journal][export][pdf]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  auto session = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  REQUIRE(session);
  const std::string pdf = render::render_download(*session, render::Download::pdf);
  REQUIRE(pdf.starts_with("%PDF-"));
  CHECK(render::render_download(*session, render::Download::pdf) == pdf);  // one record, one file
  const std::string path = write_temp(dir, "minutes.pdf", pdf);
  // Kept for a look (like the e2e screenshots): WERKSTATT_ARTIFACTS=dir.
  if (const char* keep = std::getenv("WERKSTATT_ARTIFACTS")) {
    std::ofstream(std::string(keep) + "/minutes.de.pdf", std::ios::binary) << pdf;
    std::ofstream(std::string(keep) + "/board.de.png", std::ios::binary)
        << render::render_download(*session, render::Download::png);
  }
  // The text as a reader (or a screen reader, or a search) gets it back.
  check_golden("minutes.de.pdf.txt", run("pdftotext -enc UTF-8 '" + path + "' -"));
  const std::string info = run("pdfinfo -f 1 -l 9 '" + path + "'");
  INFO(info);
  CHECK(info.find("Title:           Protokoll: Regionalentwicklung Süd") != std::string::npos);
  CHECK(info.find("Pages:           3") != std::string::npos);
  CHECK(info.find("Page    1 size:  595.28 x 841.89 pts (A4)") != std::string::npos);
  CHECK(info.find("Page    3 size:  841.89 x 595.28 pts (A4)") != std::string::npos);
  CHECK(render::download_filename(*session, render::Download::pdf) ==
        "werkstatt-regio-sued-seq" + std::to_string(session->state.seq()) + ".pdf");
}

TEST_CASE("the board as SVG keeps its text as text and shows only what the room saw", "[journal][export][svg]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  auto session = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  REQUIRE(session);
  const std::string svg = render::render_download(*session, render::Download::svg);
  check_golden("board.de.svg", svg);
  // (Note texts are wrapped into lines as on the board: fragments.)
  for (const char* shown : {"Herausforderungen", "Ortskerne &amp; Arbeit", "Rufbus, ", "Carsharing",
                            "Grünzüge &amp; ", "&lt;b&gt;", "● 4"})
    CHECK(svg.find(shown) != std::string::npos);
  CHECK(svg.find("verworfen") == std::string::npos);       // deleted
  CHECK(svg.find("nie aufgedeckt") == std::string::npos);  // never revealed
  CHECK(svg.find("<b>") == std::string::npos);             // a note's markup is text, not markup
}

TEST_CASE("the board as PNG at an earlier moment of the replay", "[journal][export][png]") {
  BerlinTime berlin;
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  auto early = history::load_session(*j, "regio-sued", 22, &st);
  auto late = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  REQUIRE(early);
  REQUIRE(late);
  const std::string png = render::render_download(*early, render::Download::png);
  REQUIRE(png.size() > 24);
  CHECK(png.substr(0, 8) == "\x89PNG\r\n\x1a\n");
  const auto be32 = [&](std::size_t at) {
    return (std::uint32_t(std::uint8_t(png[at])) << 24) | (std::uint32_t(std::uint8_t(png[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(png[at + 2])) << 8) | std::uint32_t(std::uint8_t(png[at + 3]));
  };
  const std::uint32_t width = be32(16), height = be32(20);  // IHDR
  CHECK(width > 1000);
  CHECK(width <= 4096);
  CHECK(height > 500);
  CHECK(height <= 4096);
  // Before clustering and voting the board looks different from the end.
  CHECK(render::render_download(*late, render::Download::png) != png);
  // The earlier SVG has no cluster frame yet and no dots.
  const std::string early_svg = render::render_download(*early, render::Download::svg);
  CHECK(early_svg.find("Ortskerne &amp; Arbeit") == std::string::npos);
  CHECK(early_svg.find("●") == std::string::npos);
}

TEST_CASE("minutes rank a cluster that got dots of its own beside the notes", "[journal][export][vote]") {
  BerlinTime berlin;
  test::TempDir dir;
  journal::Status st;
  auto j = journal::RocksJournal::open(dir / "db", {}, &st);
  REQUIRE(j);
  v1::WorkshopMeta meta;
  meta.set_id("clusters");
  REQUIRE(j->put_workshop(meta).ok());
  board::Board b;
  std::vector<v1::EventRecord> records;
  std::int64_t clock = 1'764'158'400'000;
  const auto apply = [&](const v1::Op& op, std::string_view author) {
    clock += 30'000;
    auto r = b.apply(op, author, clock);
    INFO(op.ShortDebugString());
    REQUIRE(r.ok());
    v1::EventRecord rec;
    rec.set_workshop_id("clusters");
    rec.set_seq(r.event().seq());
    rec.set_time_ms(r.event().server_time_ms());
    rec.set_author_id(r.event().author_id());
    *rec.mutable_op() = r.event().op();
    records.push_back(rec);
  };
  for (const auto& op : board::template_ops(board::kImpulsWerkstattTemplate, "de", "Cluster-Runde"))
    apply(op, board::kSystemAuthor);
  apply(ops::join("fac", "Fran", v1::ROLE_FACILITATOR), board::kSystemAuthor);
  apply(ops::join("anna", "Anna", v1::ROLE_PARTICIPANT), board::kSystemAuthor);
  apply(ops::create_note("n1", "Rufbus", 0, 0, "chancen"), "anna");
  apply(ops::create_note("n2", "Radweg", 300, 0, "chancen"), "anna");
  v1::Op cluster = ops::create_cluster("c1", "", {"n1"});
  cluster.mutable_create_cluster()->set_area_id("chancen");
  apply(cluster, "fac");
  apply(ops::open_round("r1", 5, 3), "fac");
  apply(ops::vote_cluster("c1"), "anna");
  apply(ops::vote_cluster("c1"), "anna");
  apply(ops::vote("n2"), "anna");
  apply(ops::close_round("r1"), "fac");
  std::promise<journal::Status> done;
  j->append(records, [&](const journal::Status& s) { done.set_value(s); });
  REQUIRE(done.get_future().get().ok());
  auto session = history::load_session(*j, "clusters", UINT64_MAX, &st);
  REQUIRE(session);
  const std::string md = history::export_markdown(*session);
  INFO(md);
  CHECK(md.find("### Cluster ohne Titel (1 Karte, 2 Punkte)") != std::string::npos);
  CHECK(md.find("1. **2 Punkte** Cluster ohne Titel\n2. **1 Punkt** Radweg") != std::string::npos);
  CHECK(render::render_download(*session, render::Download::svg).find("● 2") != std::string::npos);
}

TEST_CASE("the state at a wall-clock time is found from the stored times at every moment", "[journal][export]") {
  test::TempDir dir;
  auto j = record_session(dir / "db", "de");
  journal::Status st;
  const auto session = history::load_session(*j, "regio-sued", UINT64_MAX, &st);
  REQUIRE(session);
  const std::vector<std::int64_t>& times = session->seq_time_ms;
  const std::uint64_t head = session->state.seq();
  REQUIRE(head > 40);
  // The definition: the last seq whose event happened at or before t.
  const auto linear = [&](std::int64_t t) {
    std::uint64_t found = 0;
    for (std::uint64_t seq = 1; seq <= head; ++seq)
      if (times[seq] <= t) found = seq;
    return found;
  };
  for (std::uint64_t seq = 1; seq <= head; ++seq) {
    for (const std::int64_t t : {times[seq] - 1, times[seq], times[seq] + 1}) {
      INFO("seq " << seq << ", t " << t);
      const auto at = history::seq_at_time(*j, "regio-sued", t, &st);
      REQUIRE(at);
      CHECK(*at == linear(t));
    }
  }
  CHECK(history::seq_at_time(*j, "regio-sued", 0, &st) == std::optional<std::uint64_t>(0));
  CHECK(history::seq_at_time(*j, "regio-sued", times[head] + 3'600'000, &st) == std::optional<std::uint64_t>(head));
  // A workshop without events has no moment.
  CHECK(history::seq_at_time(*j, "no-such-workshop", times[head], &st) == std::optional<std::uint64_t>(0));
}
