#include "werkstatt/render/downloads.hpp"

#include "werkstatt/history/exports.hpp"
#include "werkstatt/render/board_image.hpp"
#include "werkstatt/render/minutes_pdf.hpp"

namespace werkstatt::render {
namespace {

std::optional<history::ExportFormat> text_format(Download d) {
  switch (d) {
    case Download::markdown: return history::ExportFormat::markdown;
    case Download::csv: return history::ExportFormat::csv;
    case Download::json: return history::ExportFormat::json;
    default: return std::nullopt;
  }
}

}  // namespace

std::optional<Download> parse_download(std::string_view name) {
  if (const auto text = history::parse_export_format(name)) {
    switch (*text) {
      case history::ExportFormat::markdown: return Download::markdown;
      case history::ExportFormat::csv: return Download::csv;
      case history::ExportFormat::json: return Download::json;
    }
  }
  if (name == "pdf") return Download::pdf;
  if (name == "svg") return Download::svg;
  if (name == "png") return Download::png;
  return std::nullopt;
}

const char* content_type(Download d) {
  if (const auto text = text_format(d)) return history::content_type(*text);
  switch (d) {
    case Download::pdf: return "application/pdf";
    case Download::svg: return "image/svg+xml";
    case Download::png: return "image/png";
    default: return "application/octet-stream";
  }
}

std::string download_filename(const history::SessionRecord& session, Download d) {
  if (const auto text = text_format(d)) return history::download_filename(session, *text);
  const char* ext = d == Download::pdf ? "pdf" : d == Download::svg ? "svg" : "png";
  return "werkstatt-" + session.workshop_id + "-seq" + std::to_string(session.state.seq()) + "." + ext;
}

std::string render_download(const history::SessionRecord& session, Download d) {
  if (const auto text = text_format(d)) return history::export_as(session, *text);
  switch (d) {
    case Download::pdf: return minutes_pdf(session);
    case Download::svg: return board_image(session.state, ImageFormat::svg);
    case Download::png: return board_image(session.state, ImageFormat::png);
    default: return {};
  }
}

}  // namespace werkstatt::render
