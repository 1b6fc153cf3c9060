#include "werkstatt/board/templates.hpp"

#include <string>

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
  return ops;
}

}  // namespace werkstatt::board
