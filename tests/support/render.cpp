#include "support/render.hpp"

#include <sstream>

namespace werkstatt::test {
namespace {
std::string color(v1::Color c) {
  std::string name = v1::Color_Name(c);
  return name.substr(name.find('_') + 1);
}
}  // namespace

std::string render(const v1::BoardState& s) {
  std::ostringstream o;
  const auto& st = s.settings();
  o << "seq " << s.seq() << "\n";
  o << "settings title=\"" << st.title() << "\" lang=" << st.language() << " locked=" << st.locked()
    << " pseudonymous=" << st.pseudonymous() << (s.closed() ? " CLOSED" : "") << "\n";
  if (s.agenda().phases_size() > 0) {
    o << "agenda current=" << s.agenda().current_phase_id() << " since=" << s.agenda().phase_started_seq() << ":";
    for (const auto& p : s.agenda().phases()) o << " " << p.id() << (p.private_collection() ? "(private)" : "");
    o << "\n";
  }
  if (s.timer().state() != v1::Timer::STATE_STOPPED)
    o << "timer " << v1::Timer::State_Name(s.timer().state()) << " duration=" << s.timer().duration_ms()
      << " deadline=" << s.timer().deadline_ms() << " remaining=" << s.timer().remaining_ms() << "\n";
  for (const auto& r : s.rounds()) {
    o << "round " << r.id() << (r.open() ? " open" : " closed") << " dots=" << r.dots_per_participant() << "/"
      << r.max_dots_per_note() << " results:";
    for (const auto& t : r.results()) o << " " << t.note_id() << "=" << t.dots();
    o << "\n";
  }
  for (const auto& h : s.raised_hands()) o << "hand " << h << "\n";
  if (s.follow_me().active()) o << "follow-me " << s.follow_me().facilitator_id() << "\n";
  if (!s.join_code().empty()) o << "join-code " << s.join_code() << "\n";
  for (const auto& h : s.hidden_notes()) o << "hidden " << h.author_id() << " area=" << h.area_id() << " x" << h.count() << "\n";
  for (const auto& t : s.tallies()) o << "tally " << t.note_id() << "=" << t.dots() << "\n";
  for (const auto& a : s.areas())
    o << "area " << a.id() << " \"" << a.title() << "\" " << a.rect().x() << "," << a.rect().y() << " "
      << a.rect().width() << "x" << a.rect().height() << " " << color(a.color()) << (a.deleted() ? " deleted" : "")
      << (a.locked() ? " locked" : "")
      << " c" << a.created_seq() << " u" << a.updated_seq() << "\n";
  for (const auto& n : s.notes())
    o << "note " << n.id() << " \"" << n.text() << "\" " << color(n.color()) << " @" << n.position().x() << ","
      << n.position().y() << " " << n.size().width() << "x" << n.size().height() << " area=" << n.area_id()
      << " cluster=" << n.cluster_id() << " by=" << n.author_id() << (n.deleted() ? " deleted" : "")
      << (n.hidden() ? (n.hidden_from_facilitators() ? " hidden-from-all" : " hidden") : "") << " c"
      << n.created_seq() << " u" << n.updated_seq() << "\n";
  for (const auto& c : s.clusters())
    o << "cluster " << c.id() << " \"" << c.title() << "\" @" << c.position().x() << "," << c.position().y()
      << " area=" << c.area_id() << (c.deleted() ? " deleted" : "") << " c" << c.created_seq() << " u"
      << c.updated_seq() << "\n";
  for (const auto& b : s.ballots())
    o << "ballot " << b.round_id() << ":" << b.voter_id() << "->" << b.note_id() << " x" << b.dots() << "\n";
  for (const auto& p : s.participants())
    o << "participant " << p.id() << " \"" << p.display_name() << "\" " << v1::Role_Name(p.role())
      << (p.online() ? " online" : " offline") << (p.removed() ? " removed" : "") << " joined" << p.joined_seq()
      << " #" << p.pseudonym_number() << "\n";
  return o.str();
}

}  // namespace werkstatt::test
