#include "werkstatt/history/exports.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <sstream>

#include "werkstatt/v1/journal.pb.h"

namespace werkstatt::history {
namespace {

// Headings and labels of the minutes, in the workshop's language. The
// vocabulary is the web client's: "Karte" (note), "Cluster", "Punkte".
struct Words {
  const char* minutes;
  const char* date;
  const char* participants;
  const char* state_at;
  const char* event;
  const char* cluster;
  const char* untitled_cluster;
  const char* unclustered;
  const char* no_area;
  const char* point;   // one dot
  const char* points;  // several
  const char* card;    // one note
  const char* cards;   // several
  const char* phases;
  const char* no_phases;
  const char* no_notes;
  const char* person;
  const char* csv_header;
  const char* rounds;
  const char* round;
  const char* round_budget;   // "%u dots each, at most %u per note"
  const char* per_card;
  const char* still_open;
  const char* no_votes;
  const char* unrevealed_one;
  const char* unrevealed;
  const char* csv_round;
  const char* facilitators;
  const char* observers;
  const char* attendance;
  const char* pseudonymous_note;
  const char* voted_one;
  const char* voted;
  const char* results;
  const char* planned;
};

constexpr Words kGerman = {"Protokoll", "Datum", "Teilnehmende", "Stand", "Ereignis", "Cluster", "Cluster ohne Titel",
                           "Ohne Cluster", "Ohne Bereich", "Punkt", "Punkte", "Karte", "Karten", "Ablauf",
                           "Keine Phasen erfasst.", "Keine Karten.", "Person",
                           "Bereich,Cluster,Text,Autor,Punkte,Erstellt,Zuletzt bearbeitet,Karten-ID",
                           "Bewertungsrunden", "Runde", "Punkte je Person, höchstens", "je Karte", "läuft noch",
                           "Keine Punkte vergeben.", "nicht aufgedeckte Karte ist nicht im Protokoll",
                           "nicht aufgedeckte Karten sind nicht im Protokoll", "Punkte: ", "Moderation",
                           "Beobachtend", "Anwesenheit",
                           "Der Workshop war pseudonym: Teilnehmende erscheinen als „Person N“.",
                           "Person hat abgestimmt", "Personen haben abgestimmt", "Ergebnisse und Beschlüsse",
                           "geplant"};
constexpr Words kEnglish = {"Minutes", "Date", "Participants", "State", "event", "Cluster", "Untitled cluster",
                            "Not clustered", "No area", "point", "points", "note", "notes", "Agenda",
                            "No phases recorded.", "No notes.", "Person",
                            "Area,Cluster,Text,Author,Points,Created,Last edited,Note ID", "Voting rounds", "Round",
                            "dots per person, at most", "per note", "still open", "No dots given.",
                            "unrevealed note is not in the minutes", "unrevealed notes are not in the minutes",
                            "Points: ", "Facilitators", "Observers", "Attendance",
                            "The workshop was pseudonymous: participants appear as \"Person N\".",
                            "person voted", "people voted", "Results and decisions", "planned"};

const Words& words_for(const v1::BoardState& s) { return s.settings().language() == "en" ? kEnglish : kGerman; }

std::tm local_tm(std::int64_t ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  return tm;
}

// The formats are literals at each call (so -Wformat checks them).
enum class TimeFormat { iso, date_de, date_en, clock };

std::string format_time(std::int64_t ms, TimeFormat f) {
  if (ms == 0) return "";
  const std::tm tm = local_tm(ms);
  char buf[64];
  switch (f) {
    case TimeFormat::iso: std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm); break;
    case TimeFormat::date_de: std::strftime(buf, sizeof buf, "%d.%m.%Y", &tm); break;
    case TimeFormat::date_en: std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm); break;
    case TimeFormat::clock: std::strftime(buf, sizeof buf, "%H:%M", &tm); break;
  }
  return buf;
}

// ISO 8601 with the UTC offset, e.g. 2026-11-26T14:05:03+01:00.
std::string iso_time(std::int64_t ms) {
  const std::string s = format_time(ms, TimeFormat::iso);  // offset as +0100
  if (s.size() < 5) return s;
  return s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2);
}

std::string human_date(std::int64_t ms, bool english) {
  return format_time(ms, english ? TimeFormat::date_en : TimeFormat::date_de);
}
std::string human_clock(std::int64_t ms) { return format_time(ms, TimeFormat::clock); }

std::int64_t time_of(const SessionRecord& s, std::uint64_t seq) {
  return seq < s.seq_time_ms.size() ? s.seq_time_ms[seq] : 0;
}

// Everything the renderers need, derived once from the state.
struct View {
  std::map<std::string, std::uint32_t> votes;       // note id → dots, all rounds
  std::map<std::string, std::map<std::string, std::uint32_t>> round_votes;  // round → note → dots
  std::map<std::string, const v1::Note*> note_by_id;
  std::size_t unrevealed = 0;
  // participant id → how the record names them: the display name, or in a
  // pseudonymous workshop "Person N" for participants (facilitators and
  // observers run and watch the session under their names).
  std::map<std::string, std::string> name;
  bool pseudonymous = false;
  std::vector<const v1::Participant*> people;       // in join order
  std::vector<const v1::Area*> areas;               // live areas, left to right
  std::map<std::string, const v1::Cluster*> clusters;
  std::vector<const v1::Note*> notes;               // live notes
};

View make_view(const v1::BoardState& s) {
  View v;
  for (const auto& b : s.ballots()) {
    v.votes[b.note_id()] += b.dots();
    v.round_votes[b.round_id()][b.note_id()] += b.dots();
  }
  for (const auto& p : s.participants()) v.people.push_back(&p);
  std::stable_sort(v.people.begin(), v.people.end(),
                   [](auto* a, auto* b) { return a->joined_seq() < b->joined_seq(); });
  const Words& w = words_for(s);
  v.pseudonymous = s.settings().pseudonymous();
  for (std::size_t i = 0; i < v.people.size(); ++i) {
    const v1::Participant& p = *v.people[i];
    const std::uint32_t number = p.pseudonym_number() != 0 ? p.pseudonym_number() : static_cast<std::uint32_t>(i + 1);
    const bool masked = v.pseudonymous && p.role() == v1::ROLE_PARTICIPANT;
    v.name[p.id()] = masked || p.display_name().empty() ? std::string(w.person) + " " + std::to_string(number)
                                                         : p.display_name();
  }
  for (const auto& a : s.areas())
    if (!a.deleted()) v.areas.push_back(&a);
  std::stable_sort(v.areas.begin(), v.areas.end(), [](auto* a, auto* b) {
    return a->rect().x() != b->rect().x() ? a->rect().x() < b->rect().x() : a->rect().y() < b->rect().y();
  });
  for (const auto& c : s.clusters())
    if (!c.deleted()) v.clusters[c.id()] = &c;
  // Minutes record what the group saw: unrevealed notes stay out (counted).
  for (const auto& n : s.notes()) {
    if (n.deleted()) continue;
    if (n.hidden()) {
      ++v.unrevealed;
      continue;
    }
    v.notes.push_back(&n);
    v.note_by_id[n.id()] = &n;
  }
  // Notes still private to their author are not in the record at all, only counted.
  for (const auto& h : s.hidden_notes()) v.unrevealed += h.count();
  return v;
}

std::uint32_t votes_of(const View& v, const std::string& note_id) {
  const auto it = v.votes.find(note_id);
  return it == v.votes.end() ? 0 : it->second;
}

// Most votes first; ties in the order the notes were written.
void sort_by_votes(std::vector<const v1::Note*>& notes, const View& v) {
  std::stable_sort(notes.begin(), notes.end(), [&](auto* a, auto* b) {
    const auto va = votes_of(v, a->id());
    const auto vb = votes_of(v, b->id());
    return va != vb ? va > vb : a->created_seq() < b->created_seq();
  });
}

// Backslash-escapes what Markdown (or HTML in a Markdown renderer) would
// interpret, so a note reads as its author wrote it.
std::string md_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::string_view("\\`*_[]<>#|~").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// "1 Punkt", "3 Punkte".
std::string count_of(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Multi-line text as Markdown lines: further lines are indented by `indent`.
void md_lines(std::ostringstream& o, std::string_view text, std::string_view indent) {
  bool first = true;
  while (true) {
    const auto nl = text.find('\n');
    if (!first) o << "\n" << indent;
    o << md_escape(text.substr(0, nl));
    first = false;
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// A note as one list item: its dots (none: no number), its text (further
// lines indented under it) and, unless the workshop was pseudonymous, who
// wrote it.
void md_note(std::ostringstream& o, const View& v, const Words& w, const v1::Note& n) {
  o << "- ";
  if (const std::uint32_t dots = votes_of(v, n.id()); dots > 0) o << "**" << count_of(dots, w.point, w.points) << "** ";
  md_lines(o, n.text(), "  ");
  if (!v.pseudonymous) {
    const auto author = v.name.find(n.author_id());
    if (author != v.name.end()) o << " _(" << md_escape(author->second) << ")_";
  }
  o << "\n";
}

void md_notes_of_area(std::ostringstream& o, const View& v, const Words& w, const std::string& area_id) {
  // Group by cluster; clusters ordered by their total votes.
  std::map<std::string, std::vector<const v1::Note*>> by_cluster;
  for (const auto* n : v.notes)
    if (n->area_id() == area_id) by_cluster[v.clusters.contains(n->cluster_id()) ? n->cluster_id() : ""].push_back(n);
  if (by_cluster.empty()) {
    o << w.no_notes << "\n\n";
    return;
  }
  std::vector<std::pair<std::uint32_t, std::string>> order;
  for (auto& [cid, notes] : by_cluster) {
    sort_by_votes(notes, v);
    if (cid.empty()) continue;
    std::uint32_t total = votes_of(v, cid);  // dots on the cluster itself, then on its notes
    for (const auto* n : notes) total += votes_of(v, n->id());
    order.emplace_back(total, cid);
  }
  std::stable_sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first
                              : v.clusters.at(a.second)->created_seq() < v.clusters.at(b.second)->created_seq();
  });
  for (const auto& [total, cid] : order) {
    const std::string& title = v.clusters.at(cid)->title();
    o << "### " << (title.empty() ? std::string(w.untitled_cluster) : std::string(w.cluster) + ": " + md_escape(title))
      << " (" << count_of(by_cluster[cid].size(), w.card, w.cards);
    if (total > 0) o << ", " << count_of(total, w.point, w.points);
    o << ")\n\n";
    for (const auto* n : by_cluster[cid]) md_note(o, v, w, *n);
    o << "\n";
  }
  if (by_cluster.contains("")) {
    if (!order.empty()) o << "### " << w.unclustered << "\n\n";
    for (const auto* n : by_cluster[""]) md_note(o, v, w, *n);
    o << "\n";
  }
}

std::string csv_field(std::string_view value) {
  std::string v(value);
  // A cell starting like a formula would run in a spreadsheet: neutralise it.
  if (!v.empty() && std::string_view("=+-@\t\r").find(v.front()) != std::string_view::npos) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string quoted = "\"";
  for (const char c : v) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "md" || name == "markdown") return ExportFormat::markdown;
  if (name == "csv") return ExportFormat::csv;
  if (name == "json") return ExportFormat::json;
  return std::nullopt;
}

const char* content_type(ExportFormat format) {
  switch (format) {
    case ExportFormat::markdown: return "text/markdown; charset=utf-8";
    case ExportFormat::csv: return "text/csv; charset=utf-8";
    case ExportFormat::json: return "application/json";
  }
  return "application/octet-stream";
}

std::string download_filename(const SessionRecord& session, ExportFormat format) {
  const char* ext = format == ExportFormat::markdown ? "md" : format == ExportFormat::csv ? "csv" : "json";
  return "werkstatt-" + session.workshop_id + "-seq" + std::to_string(session.state.seq()) + "." + ext;
}

std::string export_markdown(const SessionRecord& s) {
  const Words& w = words_for(s.state);
  const bool english = s.state.settings().language() == "en";
  const View v = make_view(s.state);
  std::ostringstream o;
  const std::string title = s.state.settings().title().empty() ? s.workshop_id : s.state.settings().title();
  o << "# " << w.minutes << ": " << md_escape(title) << "\n\n";
  const std::int64_t first = s.timeline.first_ms;
  const std::int64_t last = time_of(s, s.state.seq());
  o << "- " << w.date << ": " << human_date(first, english) << ", " << human_clock(first) << "–" << human_clock(last)
    << "\n";
  // People by role (their role at this moment): observers (a projector, a
  // guest) and facilitators are not "Teilnehmende".
  std::vector<const v1::Participant*> by_role[5];
  for (const auto* p : v.people)
    if (p->role() >= 0 && p->role() < 5) by_role[p->role()].push_back(p);
  o << "- " << w.participants << ": " << by_role[v1::ROLE_PARTICIPANT].size() << " · " << w.facilitators << ": "
    << by_role[v1::ROLE_FACILITATOR].size() << " · " << w.observers << ": " << by_role[v1::ROLE_OBSERVER].size()
    << "\n";
  o << "- " << w.state_at << ": " << w.event << " " << s.state.seq() << " (" << human_date(last, english) << " "
    << human_clock(last) << ")\n\n";

  // Attendance: everyone who took part, by role, as the record names them.
  o << "## " << w.attendance << "\n\n";
  for (const auto& [role, label] : {std::pair{v1::ROLE_FACILITATOR, w.facilitators},
                                    {v1::ROLE_PARTICIPANT, w.participants}, {v1::ROLE_OBSERVER, w.observers}}) {
    o << "- " << label << ": ";
    if (by_role[role].empty()) o << "–";
    for (std::size_t i = 0; i < by_role[role].size(); ++i) o << (i ? ", " : "") << md_escape(v.name.at(by_role[role][i]->id()));
    o << "\n";
  }
  if (v.pseudonymous) o << "\n_" << w.pseudonymous_note << "_\n";
  o << "\n";

  for (const auto* a : v.areas) {
    o << "## " << md_escape(a->title()) << "\n\n";
    md_notes_of_area(o, v, w, a->id());
  }
  // Notes on the open board or in a deleted area.
  std::vector<const v1::Note*> unplaced;
  for (const auto* n : v.notes)
    if (std::none_of(v.areas.begin(), v.areas.end(), [&](const v1::Area* a) { return a->id() == n->area_id(); }))
      unplaced.push_back(n);
  if (!unplaced.empty()) {
    o << "## " << w.no_area << "\n\n";
    sort_by_votes(unplaced, v);
    for (const auto* n : unplaced) md_note(o, v, w, *n);
    o << "\n";
  }

  if (v.unrevealed > 0)
    o << "_" << v.unrevealed << " " << (v.unrevealed == 1 ? w.unrevealed_one : w.unrevealed) << "._\n\n";

  if (s.state.rounds_size() > 0) {
    o << "## " << w.rounds << "\n\n";
    int number = 0;
    for (const auto& round : s.state.rounds()) {
      // The round's title is the question put to the room.
      ++number;
      o << "### " << w.round << " " << number;
      if (!round.title().empty()) o << ": " << md_escape(round.title());
      o << "\n\n";
      o << round.dots_per_participant() << " " << w.round_budget << " " << round.max_dots_per_note() << " "
        << w.per_card;
      if (round.open()) o << " (" << w.still_open << ")";
      else o << ", " << human_clock(time_of(s, round.opened_seq())) << "–" << human_clock(time_of(s, round.closed_seq()));
      if (!round.open()) o << " · " << round.voters() << " " << (round.voters() == 1 ? w.voted_one : w.voted);
      o << "\n\n";
      // Winners: most dots first; the frozen results of a closed round, else the live ballots.
      // Notes and clusters alike (a dot may go on either): (dots, created, text).
      struct Ranked {
        std::uint32_t dots;
        std::uint64_t created_seq;
        std::string text;
      };
      std::vector<Ranked> ranked;
      const auto add = [&](const std::string& id, std::uint32_t dots) {
        if (const auto n = v.note_by_id.find(id); n != v.note_by_id.end()) {
          std::string line = n->second->text();
          std::replace(line.begin(), line.end(), '\n', ' ');
          ranked.push_back({dots, n->second->created_seq(), md_escape(line)});
        } else if (const auto c = v.clusters.find(id); c != v.clusters.end()) {
          const std::string& name = c->second->title();
          ranked.push_back({dots, c->second->created_seq(),
                            name.empty() ? std::string(w.untitled_cluster) : std::string(w.cluster) + ": " + md_escape(name)});
        }
      };
      if (!round.open()) {
        for (const auto& t : round.results()) add(t.note_id(), t.dots());
      } else if (v.round_votes.contains(round.id())) {
        for (const auto& [id, dots] : v.round_votes.at(round.id())) add(id, dots);
      }
      std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        return a.dots != b.dots ? a.dots > b.dots : a.created_seq < b.created_seq;
      });
      if (ranked.empty()) o << w.no_votes << "\n";
      int place = 0;
      for (const Ranked& r : ranked) {
        if (++place > 10) break;
        o << place << ". **" << count_of(r.dots, w.point, w.points) << "** " << r.text << "\n";
      }
      o << "\n";
    }
  }

  o << "## " << w.phases << "\n\n";
  bool any_phase = false;
  for (const auto& m : s.timeline.markers) {
    if (m.kind != TimelineMarker::Kind::phase) continue;
    any_phase = true;
    o << "- " << human_clock(m.time_ms) << " " << md_escape(m.label) << "\n";
  }
  if (!any_phase) o << w.no_phases << "\n";

  // What the facilitator recorded per phase, in agenda order.
  bool any_notes = false;
  for (const auto& phase : s.state.agenda().phases()) {
    if (phase.notes().empty()) continue;
    if (!any_notes) o << "\n## " << w.results << "\n";
    any_notes = true;
    o << "\n### " << md_escape(phase.name()) << "\n";
    // Each line the facilitator wrote is a paragraph of its own (Markdown
    // would run single line breaks together).
    std::string_view text = phase.notes();
    while (!text.empty()) {
      const auto nl = text.find('\n');
      if (const std::string_view line = text.substr(0, nl); !line.empty()) o << "\n" << md_escape(line) << "\n";
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
  }
  return o.str();
}

std::string export_csv(const SessionRecord& s) {
  const Words& w = words_for(s.state);
  const View v = make_view(s.state);
  std::map<std::string, std::string> area_title;
  std::map<std::string, std::size_t> area_rank;
  for (std::size_t i = 0; i < v.areas.size(); ++i) {
    area_title[v.areas[i]->id()] = v.areas[i]->title();
    area_rank[v.areas[i]->id()] = i;
  }
  std::vector<const v1::Note*> rows = v.notes;
  sort_by_votes(rows, v);
  // Area by area (left to right, the open board last), then by votes.
  std::stable_sort(rows.begin(), rows.end(), [&](auto* a, auto* b) {
    const auto ra = area_rank.contains(a->area_id()) ? area_rank[a->area_id()] : area_rank.size();
    const auto rb = area_rank.contains(b->area_id()) ? area_rank[b->area_id()] : area_rank.size();
    return ra < rb;
  });
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte order mark
  out += w.csv_header;
  for (const auto& round : s.state.rounds())
    out += "," + csv_field(std::string(w.csv_round) + (round.title().empty() ? round.id() : round.title()));
  out += "\r\n";
  for (const auto* n : rows) {
    const auto cluster = v.clusters.find(n->cluster_id());
    const auto author = v.name.find(n->author_id());
    const std::string fields[] = {
        area_title.contains(n->area_id()) ? area_title[n->area_id()] : "",
        cluster == v.clusters.end() ? "" : cluster->second->title(),
        n->text(),
        author == v.name.end() ? "" : author->second,
        std::to_string(votes_of(v, n->id())),
        iso_time(time_of(s, n->created_seq())),
        iso_time(time_of(s, n->updated_seq())),
        n->id(),
    };
    for (std::size_t i = 0; i < std::size(fields); ++i) {
      if (i) out += ',';
      out += csv_field(fields[i]);
    }
    for (const auto& round : s.state.rounds()) {
      const auto r = v.round_votes.find(round.id());
      const auto dots = r == v.round_votes.end() || !r->second.contains(n->id()) ? 0u : r->second.at(n->id());
      out += "," + std::to_string(dots);
    }
    out += "\r\n";
  }
  return out;
}

std::string export_json(const SessionRecord& s) {
  v1::Snapshot doc;
  doc.set_workshop_id(s.workshop_id);
  doc.set_seq(s.state.seq());
  doc.set_time_ms(time_of(s, s.state.seq()));
  *doc.mutable_state() = s.state;
  return to_download_json(doc);
}

std::string to_download_json(const google::protobuf::Message& record) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(record, &out, options);
  return out;
}

std::string export_as(const SessionRecord& session, ExportFormat format) {
  switch (format) {
    case ExportFormat::markdown: return export_markdown(session);
    case ExportFormat::csv: return export_csv(session);
    case ExportFormat::json: return export_json(session);
  }
  return {};
}

}  // namespace werkstatt::history
