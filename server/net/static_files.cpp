#include "static_files.hpp"

#include <algorithm>
#include <optional>
#include <system_error>
#include <vector>

#include "url.hpp"

namespace werkstatt::net {
namespace {

bool regular_file(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_regular_file(p, ec);
}

// True if `p` (following symlinks) lies inside `root`.
bool inside(const std::filesystem::path& root, const std::filesystem::path& p) {
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(p, ec);
  if (ec) return false;
  auto r = root.begin();
  auto q = real.begin();
  for (; r != root.end(); ++r, ++q) {
    if (q == real.end() || *r != *q) return false;
  }
  return true;
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// tchar of RFC 9110, 5.6.2.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<std::uint16_t> parse_qvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return std::nullopt;
  const bool one = v[0] == '1';
  if (v.size() == 1) return one ? 1000 : 0;
  if (v[1] != '.' || v.size() > 5) return std::nullopt;
  std::uint16_t thousandths = 0;
  std::uint16_t scale = 100;
  for (const char c : v.substr(2)) {
    if (c < '0' || c > '9' || (one && c != '0')) return std::nullopt;
    thousandths = static_cast<std::uint16_t>(thousandths + (c - '0') * scale);
    scale = static_cast<std::uint16_t>(scale / 10);
  }
  return one ? 1000 : thousandths;
}

bool not_older(const std::filesystem::path& variant, const std::filesystem::path& original) {
  std::error_code ec1;
  std::error_code ec2;
  const auto v = std::filesystem::last_write_time(variant, ec1);
  const auto o = std::filesystem::last_write_time(original, ec2);
  return !ec1 && !ec2 && v >= o;
}

}  // namespace

AcceptEncoding parse_accept_encoding(std::string_view header) {
  std::optional<std::uint16_t> br;
  std::optional<std::uint16_t> gzip;
  std::optional<std::uint16_t> any;
  const auto note = [](std::optional<std::uint16_t>& slot, std::uint16_t q) { slot = slot ? std::min(*slot, q) : q; };
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t semi = element.find(';');
    const std::string_view coding = trim_ows(element.substr(0, semi));
    if (coding.empty()) continue;  // "gzip,,br" and a trailing comma are allowed (#rule)
    if (!is_token(coding)) continue;
    std::uint16_t q = 1000;
    bool valid = true;
    for (std::string_view params = semi == std::string_view::npos ? std::string_view() : element.substr(semi + 1);
         valid && !params.empty();) {
      const std::size_t next = params.find(';');
      const std::string_view param = trim_ows(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      const std::size_t eq = param.find('=');
      if (eq == std::string_view::npos) {
        valid = false;
      } else if (iequals(trim_ows(param.substr(0, eq)), "q")) {  // "q = 0" is read as meant, not as q=1
        const auto parsed = parse_qvalue(trim_ows(param.substr(eq + 1)));
        if (parsed) q = *parsed;
        else valid = false;
      }  // other parameters are not defined for Accept-Encoding: ignored
    }
    if (!valid) continue;
    if (iequals(coding, "br")) note(br, q);
    else if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) note(gzip, q);
    else if (coding == "*") note(any, q);
  }
  AcceptEncoding out;
  out.br = br.value_or(any.value_or(0));
  out.gzip = gzip.value_or(any.value_or(0));
  return out;
}

ContentCoding choose_coding(const AcceptEncoding& accept, bool have_br, bool have_gzip) {
  const std::uint16_t br = have_br ? accept.br : 0;
  const std::uint16_t gzip = have_gzip ? accept.gzip : 0;
  if (br == 0 && gzip == 0) return ContentCoding::identity;
  return br >= gzip ? ContentCoding::br : ContentCoding::gzip;
}

std::string_view content_encoding_name(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::br: return "br";
    case ContentCoding::gzip: return "gzip";
    case ContentCoding::identity: break;
  }
  return "";
}

bool is_compressible(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  for (const std::string_view e : {".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".webmanifest", ".txt", ".wasm"})
    if (ext == e) return true;
  return false;
}

StaticVariant select_variant(const std::filesystem::path& root, const StaticFile& file, const AcceptEncoding& accept) {
  StaticVariant out;
  out.path = file.path;
  if (!file.compressible || (accept.br == 0 && accept.gzip == 0)) return out;
  const auto usable = [&](const char* suffix) -> std::optional<std::filesystem::path> {
    std::filesystem::path p = file.path;
    p += suffix;
    if (regular_file(p) && inside(root, p) && not_older(p, file.path)) return p;
    return std::nullopt;
  };
  const std::optional<std::filesystem::path> br = accept.br ? usable(".br") : std::nullopt;
  const std::optional<std::filesystem::path> gzip = accept.gzip ? usable(".gz") : std::nullopt;
  out.coding = choose_coding(accept, br.has_value(), gzip.has_value());
  if (out.coding == ContentCoding::br) out.path = *br;
  if (out.coding == ContentCoding::gzip) out.path = *gzip;
  return out;
}

std::string_view content_type_for(const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json" || ext == ".map") return "application/json";
  if (ext == ".webmanifest") return "application/manifest+json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".gif") return "image/gif";
  if (ext == ".webp") return "image/webp";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  return "application/octet-stream";
}

StaticFile resolve_static(const std::filesystem::path& root, std::string_view target) {
  StaticFile out;
  const std::filesystem::path index = root / "index.html";
  if (!regular_file(index)) {
    out.kind = StaticFile::Kind::no_client;
    return out;
  }
  const std::string_view raw_path = target.substr(0, target.find_first_of("?#"));
  std::string path;
  if (raw_path.empty() || raw_path.front() != '/' || !percent_decode(raw_path, path)) {
    out.kind = StaticFile::Kind::bad_request;
    return out;
  }
  // Split into segments; refuse anything that could step outside or reach
  // hidden files. Empty segments ("//") are skipped.
  std::vector<std::string_view> segments;
  for (std::size_t i = 1; i <= path.size();) {
    const std::size_t end = std::min(path.find('/', i), path.size());
    const std::string_view seg = std::string_view(path).substr(i, end - i);
    if (!seg.empty()) {
      if (seg.front() == '.' || seg.find('\\') != std::string_view::npos || seg.find(':') != std::string_view::npos) {
        out.kind = StaticFile::Kind::bad_request;
        return out;
      }
      segments.push_back(seg);
    }
    i = end + 1;
  }
  const bool under_assets = !segments.empty() && segments.front() == "assets";
  std::filesystem::path file = root;
  for (const std::string_view seg : segments) file /= std::string(seg);
  if (segments.empty()) file = index;

  if (regular_file(file) && inside(root, file)) {
    out.kind = StaticFile::Kind::file;
    out.path = file;
    out.content_type = content_type_for(file);
    out.cache_control = under_assets && segments.size() > 1 ? kImmutableCache : kRevalidateCache;
    out.compressible = is_compressible(file);
    return out;
  }
  const bool has_extension = !segments.empty() && segments.back().find('.') != std::string_view::npos;
  if (under_assets || has_extension) {
    out.kind = StaticFile::Kind::not_found;
    return out;
  }
  out.kind = StaticFile::Kind::file;  // a client-side route
  out.path = index;
  out.content_type = content_type_for(index);
  out.cache_control = kRevalidateCache;
  out.compressible = is_compressible(index);
  return out;
}

}  // namespace werkstatt::net
