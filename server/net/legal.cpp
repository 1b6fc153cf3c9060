#include "legal.hpp"

#include <fstream>
#include <sstream>

#include "werkstatt/net/json.hpp"

namespace werkstatt::net {
namespace {

bool is_web_url(std::string_view s) {
  return (s.starts_with("https://") && s.size() > 8) || (s.starts_with("http://") && s.size() > 7);
}

// No spaces, quotes or control characters: the value goes into an href.
bool plain_url(std::string_view s) {
  for (const unsigned char c : s)
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') return false;
  return true;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t more = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
    if (more == 4 || i + more >= s.size()) return false;  // a bad lead byte, or cut off
    for (std::size_t k = 1; k <= more; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += more + 1;
  }
  return true;
}

std::string page_json(const LegalPage& page, std::string_view name) {
  if (!page.url.empty()) return json::Object().field("url", page.url).str();
  if (!page.markdown.empty()) return json::Object().field("page", "/legal/" + std::string(name)).str();
  return "null";
}

}  // namespace

std::optional<LegalPage> load_legal_page(std::string_view setting, std::string* error) {
  LegalPage page;
  if (setting.empty()) return page;
  if (is_web_url(setting)) {
    if (!plain_url(setting)) {
      *error = "'" + std::string(setting) + "' is not a plain URL (no spaces or quotes)";
      return std::nullopt;
    }
    page.url = setting;
    return page;
  }
  std::ifstream in{std::string(setting), std::ios::binary};
  if (!in) {
    *error = "cannot read '" + std::string(setting) + "' (give an https:// URL or a Markdown file)";
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  page.markdown = text.str();
  if (page.markdown.empty()) {
    *error = "'" + std::string(setting) + "' is empty";
    return std::nullopt;
  }
  if (page.markdown.size() > kMaxLegalPageBytes) {
    *error = "'" + std::string(setting) + "' is larger than 256 KiB";
    return std::nullopt;
  }
  if (!valid_utf8(page.markdown)) {
    *error = "'" + std::string(setting) + "' is not UTF-8 text";
    return std::nullopt;
  }
  return page;
}

std::optional<std::string> parse_feedback(std::string_view setting, std::string* error) {
  if (setting.empty()) return std::string();
  if (!plain_url(setting)) {
    *error = "'" + std::string(setting) + "' must be a URL or an e-mail address without spaces";
    return std::nullopt;
  }
  if (is_web_url(setting) || (setting.starts_with("mailto:") && setting.size() > 7)) return std::string(setting);
  const auto at = setting.find('@');
  if (at != std::string_view::npos && at > 0 && at + 1 < setting.size() && setting.find(':') == std::string_view::npos)
    return "mailto:" + std::string(setting);
  *error = "'" + std::string(setting) + "' is neither an https:// URL, a mailto: link nor an e-mail address";
  return std::nullopt;
}

std::optional<HttpReply> handle_legal(const ApiRequest& req, const LegalPages& pages) {
  const std::string_view path = req.target.substr(0, req.target.find('?'));
  constexpr std::string_view kBase = "/api/legal";
  if (path != kBase && !path.starts_with("/api/legal/")) return std::nullopt;
  HttpReply r;
  if (req.method != "GET" && req.method != "HEAD") {
    r.status = 405;
    r.body = json::Object().field("error", "method not allowed here").str();
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == kBase || path == "/api/legal/") {
    std::string feedback = "null";
    if (!pages.feedback.empty()) {
      const std::string quoted = json::Object().field("v", pages.feedback).str();  // {"v":"…"}
      feedback = quoted.substr(5, quoted.size() - 6);                           // "…", escaped
    }
    r.body = json::Object()
                 .raw("imprint", page_json(pages.imprint, "imprint"))
                 .raw("privacy", page_json(pages.privacy, "privacy"))
                 .raw("accessibility", page_json(pages.accessibility, "accessibility"))
                 .raw("feedback", feedback)
                 .str();
    return r;
  }
  const std::string_view name = path.substr(kBase.size() + 1);
  const LegalPage* page = name == "imprint"         ? &pages.imprint
                          : name == "privacy"       ? &pages.privacy
                          : name == "accessibility" ? &pages.accessibility
                                                    : nullptr;
  if (!page || page->markdown.empty()) {
    r.status = 404;
    r.body = json::Object().field("error", "no such legal page on this server").str();
    return r;
  }
  r.body = page->markdown;
  r.content_type = "text/markdown; charset=utf-8";
  return r;
}

}  // namespace werkstatt::net
