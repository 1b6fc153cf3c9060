#pragma once
// Every download of a recorded session, one name each: the text exports of
// history/exports.hpp (md, csv, json) and the rendered ones (pdf minutes,
// svg and png board images). The replay API's ?format= and the CLI's
// --format take these names. Pure functions of the record; thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "werkstatt/history/session.hpp"

namespace werkstatt::render {

enum class Download { markdown, csv, json, pdf, svg, png };

// "md"/"markdown", "csv", "json", "pdf", "svg", "png"; nullopt otherwise.
[[nodiscard]] std::optional<Download> parse_download(std::string_view name);
inline constexpr const char* kDownloadNames = "md, csv, json, pdf, svg or png";
[[nodiscard]] const char* content_type(Download d);
// e.g. "werkstatt-<id>-seq42.pdf"
[[nodiscard]] std::string download_filename(const history::SessionRecord& session, Download d);
[[nodiscard]] std::string render_download(const history::SessionRecord& session, Download d);

}  // namespace werkstatt::render
