#pragma once
// The minutes as a PDF for a public record: the Markdown minutes
// (history/exports.hpp, the same words and order) typeset on A4 pages with
// page numbers, then the board as it stood on a landscape page. Drawn with
// cairo/pango (fonts-dejavu-core); `pdftotext` gives back the minutes' text.
// The document's creation date is the state's time, so the same record
// gives the same bytes. Thread-safe.
#include <string>

#include "werkstatt/history/session.hpp"

namespace werkstatt::render {

[[nodiscard]] std::string minutes_pdf(const history::SessionRecord& session);

}  // namespace werkstatt::render
