#include "werkstatt/render/board_image.hpp"

#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <vector>

namespace werkstatt::render {
namespace {

// Board units are the web client's CSS pixels: the same sizes as on screen.
constexpr double kDefaultNoteSide = 200;  // client-web/src/ui/placement.ts NEW_NOTE_SIDE
constexpr double kNotePad = 12;
constexpr double kNoteFontPx = 15;
constexpr double kNoteLinePx = 19;
constexpr double kClusterPad = 20;     // placement.ts CLUSTER_PAD
constexpr double kClusterHeader = 44;  // placement.ts CLUSTER_HEADER
constexpr double kAreaTitlePx = 28;
constexpr double kClusterTitlePx = 18;
constexpr double kMargin = 40;
constexpr int kMaxPngSide = 4096;
constexpr const char* kFont = "DejaVu Sans";

struct Rgb {
  double r, g, b;
  [[nodiscard]] std::string hex() const {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(std::lround(r * 255)),
                  static_cast<int>(std::lround(g * 255)), static_cast<int>(std::lround(b * 255)));
    return buf;
  }
};
constexpr Rgb rgb(unsigned v) { return {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0}; }

// The web client's palette (client-web/src/style.css --c*, --a*, area titles).
Rgb note_fill(v1::Color c) {
  static constexpr unsigned k[] = {0xfff1a6, 0xfff1a6, 0xffd9ad, 0xffcfe2, 0xcdeec6, 0xc9e2fb, 0xe2d6fb, 0xe6e6ea};
  const int i = static_cast<int>(c);
  return rgb(i >= 0 && i < 8 ? k[i] : k[0]);
}
Rgb area_fill(v1::Color c) {
  static constexpr unsigned k[] = {0xfffbe6, 0xfffbe6, 0xfff4e8, 0xfdf0f5, 0xeef8ec, 0xedf5fd, 0xf4effd, 0xf3f3f5};
  const int i = static_cast<int>(c);
  return rgb(i >= 0 && i < 8 ? k[i] : k[0]);
}
Rgb area_ink(v1::Color c) {
  static constexpr unsigned k[] = {0x7a6000, 0x7a6000, 0xa35600, 0xa82a5f, 0x2a7326, 0x1f5ea3, 0x5b37a3, 0x52555f};
  const int i = static_cast<int>(c);
  return rgb(i >= 0 && i < 8 ? k[i] : k[0]);
}
constexpr Rgb kInk = rgb(0x1d1f24);
constexpr Rgb kFrame = rgb(0x8a8f98);
constexpr Rgb kWhite = rgb(0xffffff);

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
};

struct TextLine {
  double x, y;  // baseline start
  std::string text;
};

struct NoteShape {
  Box box;
  Rgb fill;
  std::vector<TextLine> lines;
  std::uint32_t dots = 0;
};

struct Shape {  // an area or a cluster frame
  Box box;
  Rgb fill, stroke, ink;
  std::string title;
  double title_px;
  bool dashed;
  std::uint32_t dots = 0;  // a cluster's own dots
};

// Everything both painters draw, in board units, computed once.
struct Layout {
  Box bounds;
  std::string title;
  std::vector<Shape> areas;
  std::vector<Shape> clusters;
  std::vector<NoteShape> notes;
};

// Pango for line breaking only: its own font map per call (thread-safe).
class Typesetter {
 public:
  Typesetter()
      : map_(pango_cairo_font_map_new()),
        context_(pango_font_map_create_context(map_)),
        layout_(pango_layout_new(context_)),
        font_(pango_font_description_from_string(kFont)) {
    pango_font_description_set_absolute_size(font_, kNoteFontPx * PANGO_SCALE);
    pango_layout_set_font_description(layout_, font_);
    pango_layout_set_wrap(layout_, PANGO_WRAP_WORD_CHAR);
  }
  ~Typesetter() {
    pango_font_description_free(font_);
    g_object_unref(layout_);
    g_object_unref(context_);
    g_object_unref(map_);
  }
  Typesetter(const Typesetter&) = delete;
  Typesetter& operator=(const Typesetter&) = delete;

  // `text` broken into lines of at most `width` units; at most `max_lines`,
  // the last one ending in "…" when text was cut.
  std::vector<std::string> wrap(const std::string& text, double width, std::size_t max_lines) {
    pango_layout_set_width(layout_, static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_text(layout_, text.data(), static_cast<int>(text.size()));
    std::vector<std::string> lines;
    for (GSList* l = pango_layout_get_lines_readonly(layout_); l; l = l->next) {
      const auto* line = static_cast<PangoLayoutLine*>(l->data);
      std::string s = text.substr(static_cast<std::size_t>(line->start_index), static_cast<std::size_t>(line->length));
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
      if (lines.size() == max_lines) {  // more text than fits: mark the cut
        std::string& last = lines.back();
        while (!last.empty() && (static_cast<unsigned char>(last.back()) & 0xC0) == 0x80) last.pop_back();
        if (!last.empty()) last.pop_back();  // the lead byte of the last code point
        last += "…";
        break;
      }
      lines.push_back(std::move(s));
    }
    return lines;
  }

 private:
  PangoFontMap* map_;
  PangoContext* context_;
  PangoLayout* layout_;
  PangoFontDescription* font_;
};

Box note_box(const v1::Note& n) {
  const double w = n.has_size() && n.size().width() > 0 ? n.size().width() : kDefaultNoteSide;
  const double h = n.has_size() && n.size().height() > 0 ? n.size().height() : kDefaultNoteSide;
  return {n.position().x(), n.position().y(), w, h};
}

void grow(Box& into, const Box& b, bool& first) {
  if (first) {
    into = b;
    first = false;
    return;
  }
  const double x2 = std::max(into.x + into.w, b.x + b.w);
  const double y2 = std::max(into.y + into.h, b.y + b.h);
  into.x = std::min(into.x, b.x);
  into.y = std::min(into.y, b.y);
  into.w = x2 - into.x;
  into.h = y2 - into.y;
}

Layout lay_out(const v1::BoardState& s) {
  Layout L;
  L.title = s.settings().title();
  std::map<std::string, std::uint32_t> dots;
  for (const auto& b : s.ballots()) dots[b.note_id()] += b.dots();
  bool first = true;
  for (const auto& a : s.areas()) {
    if (a.deleted()) continue;
    const Box box{a.rect().x(), a.rect().y(), a.rect().width(), a.rect().height()};
    L.areas.push_back({box, area_fill(a.color()), area_ink(a.color()), area_ink(a.color()), a.title(), kAreaTitlePx, false});
    grow(L.bounds, box, first);
  }
  Typesetter type;
  std::map<std::string, std::vector<Box>> members;
  for (const auto& n : s.notes()) {
    if (n.deleted() || n.hidden()) continue;
    NoteShape shape;
    shape.box = note_box(n);
    shape.fill = note_fill(n.color());
    shape.dots = dots.contains(n.id()) ? dots.at(n.id()) : 0;
    const double text_h = shape.box.h - 2 * kNotePad - (shape.dots > 0 ? kNoteLinePx : 0);
    const auto max_lines = static_cast<std::size_t>(std::max(1.0, std::floor(text_h / kNoteLinePx)));
    double y = shape.box.y + kNotePad + kNoteFontPx;
    for (std::string& line : type.wrap(n.text(), shape.box.w - 2 * kNotePad, max_lines)) {
      shape.lines.push_back({shape.box.x + kNotePad, y, std::move(line)});
      y += kNoteLinePx;
    }
    grow(L.bounds, shape.box, first);
    if (!n.cluster_id().empty()) members[n.cluster_id()].push_back(shape.box);
    L.notes.push_back(std::move(shape));
  }
  for (const auto& c : s.clusters()) {
    if (c.deleted() || !members.contains(c.id())) continue;
    Box bbox;
    bool f = true;
    for (const Box& b : members.at(c.id())) grow(bbox, b, f);
    const Box frame{bbox.x - kClusterPad, bbox.y - kClusterPad - kClusterHeader, bbox.w + 2 * kClusterPad,
                    bbox.h + 2 * kClusterPad + kClusterHeader};
    L.clusters.push_back({frame, kWhite, kFrame, kInk, c.title().empty() ? "Cluster" : c.title(), kClusterTitlePx, true,
                          dots.contains(c.id()) ? dots.at(c.id()) : 0});
    grow(L.bounds, frame, first);
  }
  if (first) L.bounds = {0, 0, 800, 600};  // an empty board: an empty page
  L.bounds = {L.bounds.x - kMargin, L.bounds.y - kMargin - kAreaTitlePx, L.bounds.w + 2 * kMargin,
              L.bounds.h + 2 * kMargin + kAreaTitlePx};
  return L;
}

// ------------------------------------------------------------------ SVG

std::string xml(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s == "-0" ? "0" : s;
}

std::string svg_of(const Layout& L) {
  std::string o;
  o += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"" + num(L.bounds.x) + " " + num(L.bounds.y) + " " +
       num(L.bounds.w) + " " + num(L.bounds.h) + "\" width=\"" + num(L.bounds.w) + "\" height=\"" + num(L.bounds.h) +
       "\" font-family=\"DejaVu Sans, sans-serif\" role=\"img\">\n";
  o += "<title>" + xml(L.title) + "</title>\n";
  o += "<rect x=\"" + num(L.bounds.x) + "\" y=\"" + num(L.bounds.y) + "\" width=\"" + num(L.bounds.w) +
       "\" height=\"" + num(L.bounds.h) + "\" fill=\"#ffffff\"/>\n";
  const auto shape = [&](const Shape& s) {
    o += "<g><rect x=\"" + num(s.box.x) + "\" y=\"" + num(s.box.y) + "\" width=\"" + num(s.box.w) + "\" height=\"" +
         num(s.box.h) + "\" rx=\"12\" fill=\"" + s.fill.hex() + "\" fill-opacity=\"" + (s.dashed ? "0.6" : "1") +
         "\" stroke=\"" + s.stroke.hex() + "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"8 6\"" : "") +
         "/>";
    o += "<text x=\"" + num(s.box.x + 16) + "\" y=\"" + num(s.box.y + s.title_px + (s.dashed ? 8 : 12)) +
         "\" font-size=\"" + num(s.title_px) + "\" font-weight=\"bold\" fill=\"" + s.ink.hex() + "\">" + xml(s.title) +
         "</text>";
    if (s.dots > 0)
      o += "<text x=\"" + num(s.box.x + s.box.w - 16) + "\" y=\"" + num(s.box.y + s.title_px + 8) + "\" font-size=\"" +
           num(s.title_px) + "\" font-weight=\"bold\" text-anchor=\"end\" fill=\"" + s.ink.hex() + "\">● " +
           std::to_string(s.dots) + "</text>";
    o += "</g>\n";
  };
  for (const Shape& a : L.areas) shape(a);
  for (const Shape& c : L.clusters) shape(c);
  for (const NoteShape& n : L.notes) {
    o += "<g><rect x=\"" + num(n.box.x) + "\" y=\"" + num(n.box.y) + "\" width=\"" + num(n.box.w) + "\" height=\"" +
         num(n.box.h) + "\" rx=\"4\" fill=\"" + n.fill.hex() + "\" stroke=\"#00000022\"/>";
    if (!n.lines.empty()) {
      o += "<text font-size=\"" + num(kNoteFontPx) + "\" fill=\"" + kInk.hex() + "\">";
      for (const TextLine& l : n.lines)
        o += "<tspan x=\"" + num(l.x) + "\" y=\"" + num(l.y) + "\">" + xml(l.text) + "</tspan>";
      o += "</text>";
    }
    if (n.dots > 0)
      o += "<text x=\"" + num(n.box.x + n.box.w - kNotePad) + "\" y=\"" + num(n.box.y + n.box.h - kNotePad) +
           "\" font-size=\"" + num(kNoteFontPx) + "\" font-weight=\"bold\" text-anchor=\"end\" fill=\"" + kInk.hex() +
           "\">● " + std::to_string(n.dots) + "</text>";
    o += "</g>\n";
  }
  o += "</svg>\n";
  return o;
}

// ------------------------------------------------------------------ cairo

void set(cairo_t* cr, const Rgb& c, double alpha = 1) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

void rounded(cairo_t* cr, const Box& b, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, b.x + b.w - r, b.y + r, r, -M_PI / 2, 0);
  cairo_arc(cr, b.x + b.w - r, b.y + b.h - r, r, 0, M_PI / 2);
  cairo_arc(cr, b.x + r, b.y + b.h - r, r, M_PI / 2, M_PI);
  cairo_arc(cr, b.x + r, b.y + r, r, M_PI, 3 * M_PI / 2);
  cairo_close_path(cr);
}

// One line of text with its baseline at (x, y); `anchor_end`: ends at x.
void text(cairo_t* cr, PangoLayout* layout, double x, double y, const std::string& s, double px, bool bold,
          bool anchor_end = false) {
  PangoFontDescription* font = pango_font_description_from_string(kFont);
  pango_font_description_set_absolute_size(font, px * PANGO_SCALE);
  if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, font);
  pango_font_description_free(font);
  pango_layout_set_width(layout, -1);
  pango_layout_set_text(layout, s.data(), static_cast<int>(s.size()));
  const double baseline = pango_layout_get_baseline(layout) / static_cast<double>(PANGO_SCALE);
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  cairo_move_to(cr, anchor_end ? x - w / static_cast<double>(PANGO_SCALE) : x, y - baseline);
  pango_cairo_show_layout(cr, layout);
}

void paint(cairo_t* cr, const Layout& L) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  const auto shape = [&](const Shape& s) {
    rounded(cr, s.box, 12);
    set(cr, s.fill, s.dashed ? 0.6 : 1);
    cairo_fill_preserve(cr);
    set(cr, s.stroke);
    cairo_set_line_width(cr, 2);
    const double dash[] = {8, 6};
    cairo_set_dash(cr, dash, s.dashed ? 2 : 0, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    set(cr, s.ink);
    text(cr, layout, s.box.x + 16, s.box.y + s.title_px + (s.dashed ? 8 : 12), s.title, s.title_px, true);
    if (s.dots > 0)
      text(cr, layout, s.box.x + s.box.w - 16, s.box.y + s.title_px + 8, "● " + std::to_string(s.dots), s.title_px, true, true);
  };
  for (const Shape& a : L.areas) shape(a);
  for (const Shape& c : L.clusters) shape(c);
  for (const NoteShape& n : L.notes) {
    rounded(cr, n.box, 4);
    set(cr, n.fill);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.13);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    set(cr, kInk);
    for (const TextLine& l : n.lines) text(cr, layout, l.x, l.y, l.text, kNoteFontPx, false);
    if (n.dots > 0)
      text(cr, layout, n.box.x + n.box.w - kNotePad, n.box.y + n.box.h - kNotePad, "● " + std::to_string(n.dots),
           kNoteFontPx, true, true);
  }
  g_object_unref(layout);
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string board_image(const v1::BoardState& record, ImageFormat format) {
  const Layout L = lay_out(record);
  if (format == ImageFormat::svg) return svg_of(L);
  const double scale = std::min(1.0, kMaxPngSide / std::max(L.bounds.w, L.bounds.h));
  const int w = std::max(1, static_cast<int>(std::ceil(L.bounds.w * scale)));
  const int h = std::max(1, static_cast<int>(std::ceil(L.bounds.h * scale)));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(surface);
  set(cr, kWhite);
  cairo_paint(cr);
  cairo_scale(cr, scale, scale);
  cairo_translate(cr, -L.bounds.x, -L.bounds.y);
  paint(cr, L);
  cairo_destroy(cr);
  std::string png;
  cairo_surface_write_to_png_stream(surface, append, &png);
  cairo_surface_destroy(surface);
  return png;
}

void draw_board(cairo_t* cr, const v1::BoardState& record, double x, double y, double width, double height) {
  const Layout L = lay_out(record);
  const double scale = std::min(width / L.bounds.w, height / L.bounds.h);
  cairo_save(cr);
  cairo_translate(cr, x + (width - L.bounds.w * scale) / 2, y + (height - L.bounds.h * scale) / 2);
  cairo_scale(cr, scale, scale);
  cairo_translate(cr, -L.bounds.x, -L.bounds.y);
  paint(cr, L);
  cairo_restore(cr);
}

}  // namespace werkstatt::render
