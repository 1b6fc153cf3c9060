#include "werkstatt/render/minutes_pdf.hpp"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "werkstatt/history/exports.hpp"
#include "werkstatt/render/board_image.hpp"

namespace werkstatt::render {
namespace {

// A4 in PostScript points; margins of 2 cm.
constexpr double kPageW = 595.28;
constexpr double kPageH = 841.89;
constexpr double kMargin = 56.7;
constexpr double kFooter = 28;

// One block of the Markdown minutes as it is typeset.
struct Block {
  enum class Kind { h1, h2, h3, item, paragraph } kind = Kind::paragraph;
  std::string markup;  // Pango markup
  std::string marker;  // list items: "•" or "3."
};

void escape_into(std::string& out, char c) {
  switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    default: out.push_back(c);
  }
}

// The Markdown the minutes use inline: backslash escapes (every literal
// markup character is escaped, history/exports.cpp), **bold**, _italic_.
std::string inline_markup(std::string_view md) {
  std::string out;
  bool bold = false, italic = false;
  for (std::size_t i = 0; i < md.size(); ++i) {
    const char c = md[i];
    if (c == '\\' && i + 1 < md.size()) {
      escape_into(out, md[++i]);
    } else if (c == '*' && i + 1 < md.size() && md[i + 1] == '*') {
      out += bold ? "</b>" : "<b>";
      bold = !bold;
      ++i;
    } else if (c == '_') {
      out += italic ? "</i>" : "<i>";
      italic = !italic;
    } else {
      escape_into(out, c);
    }
  }
  if (italic) out += "</i>";
  if (bold) out += "</b>";
  return out;
}

std::vector<Block> blocks_of(std::string_view md) {
  std::vector<Block> blocks;
  bool continuing = false;  // the last block is a list item that may go on
  while (!md.empty()) {
    const auto nl = md.find('\n');
    const std::string_view line = md.substr(0, nl);
    md.remove_prefix(nl == std::string_view::npos ? md.size() : nl + 1);
    if (line.empty()) {
      continuing = false;
      continue;
    }
    if (continuing && line.starts_with("  ")) {  // a note's further line
      blocks.back().markup += "\n\t" + inline_markup(line.substr(2));  // tabbed to the item's text
      continue;
    }
    Block b;
    continuing = false;
    if (line.starts_with("### ")) {
      b.kind = Block::Kind::h3, b.markup = inline_markup(line.substr(4));
    } else if (line.starts_with("## ")) {
      b.kind = Block::Kind::h2, b.markup = inline_markup(line.substr(3));
    } else if (line.starts_with("# ")) {
      b.kind = Block::Kind::h1, b.markup = inline_markup(line.substr(2));
    } else if (line.starts_with("- ")) {
      b.kind = Block::Kind::item, b.marker = "•", b.markup = inline_markup(line.substr(2));
      continuing = true;
    } else if (const auto dot = line.find(". "); dot != std::string_view::npos && dot > 0 && dot <= 3 &&
                                                 line.substr(0, dot).find_first_not_of("0123456789") ==
                                                     std::string_view::npos) {
      b.kind = Block::Kind::item, b.marker = std::string(line.substr(0, dot + 1)),
      b.markup = inline_markup(line.substr(dot + 2));
    } else {
      b.markup = inline_markup(line);
    }
    blocks.push_back(std::move(b));
  }
  return blocks;
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Lays the blocks out on pages: line by line, so a long block breaks across
// pages, and a heading is never the last thing on a page.
class Typesetter {
 public:
  Typesetter(cairo_t* cr, std::string footer, bool english)
      : cr_(cr), layout_(pango_cairo_create_layout(cr)), footer_(std::move(footer)), english_(english) {}
  ~Typesetter() { g_object_unref(layout_); }
  Typesetter(const Typesetter&) = delete;
  Typesetter& operator=(const Typesetter&) = delete;

  void block(const Block& b) {
    double size = 10.5, before = 3, indent = 0;
    bool heading = true;
    switch (b.kind) {
      case Block::Kind::h1: size = 18, before = 0; break;
      case Block::Kind::h2: size = 14, before = 14; break;
      case Block::Kind::h3: size = 11.5, before = 9; break;
      case Block::Kind::item: indent = 18, heading = false; break;
      case Block::Kind::paragraph: before = 5, heading = false; break;
    }
    if (y_ > top()) y_ += before;
    if (heading && y_ + 4 * size > bottom()) new_page();
    font(size, heading);
    pango_layout_set_width(layout_, static_cast<int>((kPageW - 2 * kMargin) * PANGO_SCALE));
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_indent(layout_, static_cast<int>(-indent * PANGO_SCALE));
    const std::string markup = b.marker.empty() ? b.markup : b.marker + "\t" + b.markup;
    pango_layout_set_markup(layout_, markup.data(), static_cast<int>(markup.size()));
    if (!b.marker.empty()) {
      PangoTabArray* tabs = pango_tab_array_new_with_positions(1, TRUE, PANGO_TAB_LEFT, static_cast<int>(indent));
      pango_layout_set_tabs(layout_, tabs);
      pango_tab_array_free(tabs);
    } else {
      pango_layout_set_tabs(layout_, nullptr);
    }
    lines(kMargin);
  }

  void new_page() {
    footer();
    cairo_show_page(cr_);
    ++page_;
    y_ = top();
  }
  void finish_text_pages() { footer(); cairo_show_page(cr_); ++page_; }
  [[nodiscard]] int page() const { return page_; }

 private:
  [[nodiscard]] static double top() { return kMargin; }
  [[nodiscard]] static double bottom() { return kPageH - kMargin - kFooter; }

  void font(double size, bool bold) {
    PangoFontDescription* f = pango_font_description_from_string("DejaVu Sans");
    pango_font_description_set_size(f, static_cast<int>(size * PANGO_SCALE));
    if (bold) pango_font_description_set_weight(f, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(layout_, f);
    pango_font_description_free(f);
  }

  // Draws the layout's lines from the cursor down, breaking pages between
  // lines. A list item's marker hangs in the indent: its text starts at a
  // tab stop, and Pango's negative indent puts its wrapped lines there too.
  void lines(double x) {
    PangoLayoutIter* it = pango_layout_get_iter(layout_);
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double h = logical.height / static_cast<double>(PANGO_SCALE);
      const double baseline = (pango_layout_iter_get_baseline(it) - logical.y) / static_cast<double>(PANGO_SCALE);
      if (y_ + h > bottom()) new_page();
      cairo_set_source_rgb(cr_, 0.11, 0.12, 0.14);
      cairo_move_to(cr_, x + logical.x / static_cast<double>(PANGO_SCALE), y_ + baseline);
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
      y_ += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  }

  void footer() {
    PangoLayout* f = pango_layout_copy(layout_);
    pango_layout_set_attributes(f, nullptr);  // not the last block's markup
    pango_layout_set_indent(f, 0);
    pango_layout_set_tabs(f, nullptr);
    PangoFontDescription* d = pango_font_description_from_string("DejaVu Sans 8");
    pango_layout_set_font_description(f, d);
    pango_font_description_free(d);
    pango_layout_set_width(f, -1);
    const std::string text = footer_ + " · " + (english_ ? "Page " : "Seite ") + std::to_string(page_);
    pango_layout_set_text(f, text.data(), static_cast<int>(text.size()));
    cairo_set_source_rgb(cr_, 0.35, 0.36, 0.4);
    cairo_move_to(cr_, kMargin, kPageH - kMargin);
    pango_cairo_show_layout(cr_, f);
    g_object_unref(f);
  }

  cairo_t* cr_;
  PangoLayout* layout_;
  std::string footer_;
  bool english_;
  double y_ = kMargin;
  int page_ = 1;
};

}  // namespace

std::string minutes_pdf(const history::SessionRecord& session) {
  const v1::BoardState& state = session.state;
  const bool english = state.settings().language() == "en";
  const std::string title = state.settings().title().empty() ? session.workshop_id : state.settings().title();
  std::string pdf;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append, &pdf, kPageW, kPageH);
  // Fixed metadata (the record's own time), so one record gives one file.
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, ((english ? "Minutes: " : "Protokoll: ") + title).c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "werkstatt");
  const std::int64_t ms = state.seq() < session.seq_time_ms.size() ? session.seq_time_ms[state.seq()] : 0;
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date);
  cairo_t* cr = cairo_create(surface);
  {
    Typesetter type(cr, title, english);
    for (const Block& b : blocks_of(history::export_markdown(session))) type.block(b);
    type.finish_text_pages();
  }
  // The board as it stood, on a landscape page of its own.
  cairo_pdf_surface_set_size(surface, kPageH, kPageW);
  {
    PangoLayout* heading = pango_cairo_create_layout(cr);
    PangoFontDescription* f = pango_font_description_from_string("DejaVu Sans Bold 14");
    pango_layout_set_font_description(heading, f);
    pango_font_description_free(f);
    const std::string text = english ? "The board" : "Das Board";
    pango_layout_set_text(heading, text.data(), static_cast<int>(text.size()));
    cairo_set_source_rgb(cr, 0.11, 0.12, 0.14);
    cairo_move_to(cr, kMargin, kMargin - 24);
    pango_cairo_show_layout(cr, heading);
    g_object_unref(heading);
  }
  draw_board(cr, state, kMargin, kMargin, kPageH - 2 * kMargin, kPageW - 2 * kMargin - 12);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return pdf;
}

}  // namespace werkstatt::render
