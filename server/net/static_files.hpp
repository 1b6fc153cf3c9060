#pragma once
// Which file answers a GET for the web client, with which headers.
//
// - Only files below the static folder are served: the path is decoded once
//   (%XX), then any "..", ".", backslash, NUL or hidden segment refuses the
//   request, and the resolved file must still lie inside the folder after
//   symlinks are followed. Path traversal is impossible by construction.
// - Cache-Control: files under /assets/ carry a content hash in their name
//   (Vite), so they are immutable for a year; everything else, index.html
//   first, is revalidated on every load so a deploy shows at once.
// - SPA fallback: a path that names no file, is not under /assets/ and has
//   no extension in its last segment (e.g. /w/abc) gets index.html, so
//   client-side routes survive a reload. A missing asset is a 404, never
//   index.html served as JavaScript.
//
// Thread safety: pure functions (they read the file system).
#include <filesystem>
#include <string>
#include <string_view>

namespace werkstatt::net {

struct StaticFile {
  enum class Kind {
    file,         // serve `path`
    not_found,
    bad_request,  // a malformed or forbidden path
    no_client,    // the static folder has no index.html: the client is not built
  };
  Kind kind = Kind::not_found;
  std::filesystem::path path;
  std::string_view content_type;
  std::string_view cache_control;
};

inline constexpr std::string_view kImmutableCache = "public, max-age=31536000, immutable";
inline constexpr std::string_view kRevalidateCache = "no-cache";

// `target` is the request target (path and query). REQUIRES: `root` is an
// absolute, canonical directory path (see canonical_static_dir).
[[nodiscard]] StaticFile resolve_static(const std::filesystem::path& root, std::string_view target);

// The content type for a file name's extension; application/octet-stream
// for unknown ones (with nosniff, the browser will not guess).
[[nodiscard]] std::string_view content_type_for(const std::filesystem::path& file);

// Percent-decodes a URL path; false on a malformed escape or a NUL (raw or decoded).
[[nodiscard]] bool percent_decode(std::string_view in, std::string& out);

}  // namespace werkstatt::net
