#include "werkstatt/board/templates.hpp"

#include <algorithm>
#include <string>

#include "werkstatt/board/permissions.hpp"

namespace werkstatt::board {
namespace {

struct AreaSpec {
  const char* id;
  const char* title_de;
  const char* title_en;
  v1::Color color;
};

// The three columns of an "Impuls-Werkstatt" in regional planning.
constexpr AreaSpec kImpulsAreas[] = {
    {"herausforderungen", "Herausforderungen", "Challenges", v1::COLOR_PINK},
    {"chancen", "Chancen & Potenziale", "Opportunities & potentials", v1::COLOR_GREEN},
    {"loesungsansaetze", "Lösungsansätze", "Solution ideas", v1::COLOR_BLUE},
};
// Side by side, each wide enough for three columns of default-sized notes.
constexpr double kAreaWidth = 1200.0;
constexpr double kAreaHeight = 1600.0;
constexpr double kAreaGap = 80.0;

struct PhaseSpec {
  const char* id;
  const char* name_de;
  const char* name_en;
  v1::PhaseKind kind;
  std::uint32_t planned_minutes;
  bool private_collection;
};

// The Impuls-Werkstatt agenda: arrive, collect privately (so the first ideas
// are everyone's own, not an echo of the loudest), present and cluster, weigh
// with dots, discuss the top clusters, close.
constexpr PhaseSpec kImpulsPhases[] = {
    {"ankommen", "Ankommen", "Check-in", v1::PHASE_KIND_CHECK_IN, 10, false},
    {"sammeln", "Sammeln", "Collect", v1::PHASE_KIND_COLLECT, 20, true},
    {"clustern", "Vorstellen & Clustern", "Present & cluster", v1::PHASE_KIND_CLUSTER, 30, false},
    {"bewerten", "Bewerten", "Vote", v1::PHASE_KIND_VOTE, 10, false},
    {"diskutieren", "Diskutieren", "Discuss", v1::PHASE_KIND_DISCUSS, 40, false},
    {"abschluss", "Abschluss", "Close", v1::PHASE_KIND_CLOSE, 10, false},
};

v1::Op agenda_op(std::string_view lang) {
  v1::Op op;
  for (const PhaseSpec& spec : kImpulsPhases) {
    v1::Phase* p = op.mutable_set_agenda()->add_phases();
    p->set_id(spec.id);
    p->set_name(lang == "en" ? spec.name_en : spec.name_de);
    p->set_kind(spec.kind);
    p->set_planned_seconds(spec.planned_minutes * 60);
    *p->mutable_permissions() = to_proto(default_permissions(spec.kind));
    p->set_private_collection(spec.private_collection);
  }
  return op;
}

v1::Op settings_op(std::string_view language, std::string_view title) {
  v1::Op op;
  auto* u = op.mutable_update_settings();
  u->add_mask(v1::SETTINGS_FIELD_TITLE);
  u->add_mask(v1::SETTINGS_FIELD_LANGUAGE);
  u->mutable_settings()->set_title(std::string(title));
  u->mutable_settings()->set_language(std::string(language));
  return op;
}

}  // namespace

bool known_template(std::string_view id) { return id == kImpulsWerkstattTemplate || id == kBlankTemplate; }

std::vector<v1::Op> template_ops(std::string_view id, std::string_view language, std::string_view title) {
  const std::string_view lang = language == "en" ? "en" : "de";
  std::vector<v1::Op> ops;
  ops.push_back(settings_op(lang, title));
  if (id != kImpulsWerkstattTemplate) return ops;
  double x = -(3 * kAreaWidth + 2 * kAreaGap) / 2;
  for (const AreaSpec& spec : kImpulsAreas) {
    v1::Op op;
    auto* a = op.mutable_create_area();
    a->set_id(spec.id);
    a->set_title(lang == "en" ? spec.title_en : spec.title_de);
    a->set_color(spec.color);
    a->mutable_rect()->set_x(x);
    a->mutable_rect()->set_y(-kAreaHeight / 2);
    a->mutable_rect()->set_width(kAreaWidth);
    a->mutable_rect()->set_height(kAreaHeight);
    ops.push_back(std::move(op));
    x += kAreaWidth + kAreaGap;
  }
  ops.push_back(agenda_op(lang));
  return ops;
}

std::vector<v1::Op> copy_ops(const v1::BoardState& source, std::string_view title, bool with_notes) {
  const v1::WorkshopSettings& from = source.settings();
  std::vector<v1::Op> ops;
  {
    v1::Op op = settings_op(from.language() == "en" ? "en" : "de", title.empty() ? from.title() : title);
    op.mutable_update_settings()->add_mask(v1::SETTINGS_FIELD_PSEUDONYMOUS);
    op.mutable_update_settings()->mutable_settings()->set_pseudonymous(from.pseudonymous());
    ops.push_back(std::move(op));
  }
  for (const v1::Area& area : source.areas()) {
    if (area.deleted()) continue;
    v1::Op op;
    auto* a = op.mutable_create_area();
    a->set_id(area.id());
    a->set_title(area.title());
    *a->mutable_rect() = area.rect();
    a->set_color(area.color());
    ops.push_back(std::move(op));
    if (area.locked()) {
      v1::Op lock;
      auto* u = lock.mutable_update_area();
      u->set_id(area.id());
      u->add_mask(v1::AREA_FIELD_LOCKED);
      u->set_locked(true);
      ops.push_back(std::move(lock));
    }
  }
  if (source.agenda().phases_size() > 0) {
    v1::Op op;
    for (const v1::Phase& phase : source.agenda().phases()) {
      v1::Phase* p = op.mutable_set_agenda()->add_phases();
      *p = phase;
      p->clear_notes();
    }
    ops.push_back(std::move(op));
  }
  if (!with_notes) return ops;

  const auto live_area = [&](const std::string& id) {
    return id.empty() || std::any_of(source.areas().begin(), source.areas().end(),
                                     [&](const v1::Area& a) { return a.id() == id && !a.deleted(); });
  };
  for (const v1::Note& note : source.notes()) {
    if (note.deleted() || note.hidden()) continue;
    v1::Op op;
    auto* n = op.mutable_create_note();
    n->set_id(note.id());
    n->set_text(note.text());
    n->set_color(note.color());
    *n->mutable_position() = note.position();
    *n->mutable_size() = note.size();
    if (live_area(note.area_id())) n->set_area_id(note.area_id());
    ops.push_back(std::move(op));
  }
  for (const v1::Cluster& cluster : source.clusters()) {
    if (cluster.deleted() || !live_area(cluster.area_id())) continue;
    v1::Op op;
    auto* c = op.mutable_create_cluster();
    c->set_id(cluster.id());
    c->set_title(cluster.title());
    *c->mutable_position() = cluster.position();
    c->set_area_id(cluster.area_id());
    for (const v1::Note& note : source.notes())
      if (!note.deleted() && !note.hidden() && note.cluster_id() == cluster.id()) c->add_note_ids(note.id());
    ops.push_back(std::move(op));
  }
  return ops;
}

}  // namespace werkstatt::board
