#include "static_files.hpp"

#include <system_error>
#include <vector>

namespace werkstatt::net {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

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

}  // namespace

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\0') return false;  // raw, too: the file system would cut the path there
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;  // a '%' needs two hex digits after it
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return false;
    out.push_back(c);
    i += 2;
  }
  return true;
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
  return out;
}

}  // namespace werkstatt::net
