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
// - Precompressed variants (as nginx's gzip_static / brotli_static): the
//   build writes `<file>.br` and `<file>.gz` beside compressible files
//   (client-web/scripts/compress.mjs). select_variant picks the one the
//   request's Accept-Encoding prefers, if it exists, is a regular file
//   inside the folder (the same check as the file itself) and is not older
//   than the file (a copied-over file with a leftover variant is served as
//   itself, never as the old contents). Nothing is compressed per request.
//
// Thread safety: pure functions (they read the file system).
#include <cstdint>
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
  // A text type the build precompresses (is_compressible): every answer for
  // it carries `Vary: Accept-Encoding`, the identity one too, so a shared
  // cache never hands the gzip body to a client that did not ask for it.
  bool compressible = false;
};

// Content codings of a static answer. identity: the file as it is.
enum class ContentCoding : std::uint8_t { identity, gzip, br };

// What a request's Accept-Encoding allows (RFC 9110, 12.5.3), as qualities
// in thousandths: 0 = not acceptable, 1000 = q=1. Codings and "q" are
// case-insensitive; "x-gzip" is gzip; "*" stands for every coding the
// header does not name; an element with a malformed q-value or coding is
// ignored; a coding named twice gets its lowest quality (a refusal wins).
// No header and an empty one both mean identity only here: the server then
// sends the file as it is, the one answer every client understands.
// identity is always available and never refused by this server (a client
// that refuses it too still gets the file rather than a 406).
struct AcceptEncoding {
  std::uint16_t br = 0;
  std::uint16_t gzip = 0;
};
[[nodiscard]] AcceptEncoding parse_accept_encoding(std::string_view header);

// The coding to answer with: the acceptable available one of the highest
// quality, br before gzip at equal quality (it is the smaller); identity if
// neither is acceptable and available.
[[nodiscard]] ContentCoding choose_coding(const AcceptEncoding& accept, bool have_br, bool have_gzip);

// The value of Content-Encoding for a coding ("" for identity).
[[nodiscard]] std::string_view content_encoding_name(ContentCoding coding);

// The file the answer's body comes from and its coding. REQUIRES:
// `file.kind == StaticFile::Kind::file` from resolve_static with this `root`.
struct StaticVariant {
  std::filesystem::path path;
  ContentCoding coding = ContentCoding::identity;
};
[[nodiscard]] StaticVariant select_variant(const std::filesystem::path& root, const StaticFile& file,
                                           const AcceptEncoding& accept);

// True for the file types the build precompresses (text, JSON, SVG, wasm;
// not PNG, WOFF2 or other formats that are compressed already).
[[nodiscard]] bool is_compressible(const std::filesystem::path& file);

inline constexpr std::string_view kImmutableCache = "public, max-age=31536000, immutable";
inline constexpr std::string_view kRevalidateCache = "no-cache";

// `target` is the request target (path and query). REQUIRES: `root` is an
// absolute, canonical directory path (see canonical_static_dir).
[[nodiscard]] StaticFile resolve_static(const std::filesystem::path& root, std::string_view target);

// The content type for a file name's extension; application/octet-stream
// for unknown ones (with nosniff, the browser will not guess).
[[nodiscard]] std::string_view content_type_for(const std::filesystem::path& file);

}  // namespace werkstatt::net
