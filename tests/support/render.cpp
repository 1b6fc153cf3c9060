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
    << " dots=" << st.dots_per_participant() << "/" << st.max_dots_per_note() << "\n";
  for (const auto& a : s.areas())
    o << "area " << a.id() << " \"" << a.title() << "\" " << a.rect().x() << "," << a.rect().y() << " "
      << a.rect().width() << "x" << a.rect().height() << " " << color(a.color()) << (a.deleted() ? " deleted" : "")
      << " c" << a.created_seq() << " u" << a.updated_seq() << "\n";
  for (const auto& n : s.notes())
    o << "note " << n.id() << " \"" << n.text() << "\" " << color(n.color()) << " @" << n.position().x() << ","
      << n.position().y() << " " << n.size().width() << "x" << n.size().height() << " area=" << n.area_id()
      << " cluster=" << n.cluster_id() << " by=" << n.author_id() << (n.deleted() ? " deleted" : "") << " c"
      << n.created_seq() << " u" << n.updated_seq() << "\n";
  for (const auto& c : s.clusters())
    o << "cluster " << c.id() << " \"" << c.title() << "\" @" << c.position().x() << "," << c.position().y()
      << " area=" << c.area_id() << (c.deleted() ? " deleted" : "") << " c" << c.created_seq() << " u"
      << c.updated_seq() << "\n";
  for (const auto& b : s.ballots()) o << "ballot " << b.voter_id() << "->" << b.note_id() << " x" << b.dots() << "\n";
  for (const auto& p : s.participants())
    o << "participant " << p.id() << " \"" << p.display_name() << "\" " << v1::Role_Name(p.role())
      << (p.online() ? " online" : " offline") << " joined" << p.joined_seq() << "\n";
  return o.str();
}

}  // namespace werkstatt::test
