#pragma once
// Legal pages every public body must link from each page (German law: an
// imprint, TMG/DDG §5; a privacy notice, DSGVO Art. 13; an accessibility
// statement with a feedback channel, BGG §12b / BITV 2.0 §7). The operator
// names each one as a web address or as a local Markdown file:
//
//   werkstatt serve --imprint https://example.org/impressum
//                   --privacy-notice /etc/werkstatt/datenschutz.md
//                   --accessibility-statement /etc/werkstatt/barrierefreiheit.md
//                   --accessibility-feedback mailto:barrierefreiheit@example.org
//   (or the same keys in the --config TOML file)
//
//   GET /api/legal          {"imprint":P,"privacy":P,"accessibility":P,"feedback":F}
//                           P = {"url":"https://…"} | {"page":"/legal/<name>"} | null
//                           F = "https://…" | "mailto:…" | null
//   GET /api/legal/<name>   the Markdown file (text/markdown; charset=utf-8),
//                           404 when <name> is not configured as a file
//
// The web client shows a file at /legal/<name> (rendered as text, never as
// HTML) and, when no accessibility statement is configured, its built-in
// template filled with what the software knows.
//
// Thread safety: LegalPages is read-only after start-up; the loaders are
// pure functions (they read the file once, at start-up).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace werkstatt::net {

// Exactly one of url / markdown is set, or neither (not configured).
struct LegalPage {
  std::string url;
  std::string markdown;
};

struct LegalPages {
  LegalPage imprint;
  LegalPage privacy;
  LegalPage accessibility;
  std::string feedback;  // https://… or mailto:…; empty: none configured
};

// Largest Markdown file accepted: a legal page is a few pages of text.
inline constexpr std::size_t kMaxLegalPageBytes = 256 * 1024;

// A setting's value: "" → not configured; http(s)://… → a link; anything else
// is a path to a Markdown file, read now. nullopt and `error` when the file
// cannot be read, is empty, too large or not UTF-8, or the URL is malformed.
[[nodiscard]] std::optional<LegalPage> load_legal_page(std::string_view setting, std::string* error);

// "" → none; https:// or http:// URL, mailto:…, or a bare e-mail address
// (becomes mailto:). nullopt and `error` for anything else.
[[nodiscard]] std::optional<std::string> parse_feedback(std::string_view setting, std::string* error);

}  // namespace werkstatt::net
