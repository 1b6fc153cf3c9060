// The static-file resolver (net::resolve_static) and percent_decode, against
// a real folder: index.html, a hashed asset, a subfolder, a hidden file, and
// symlinks that lead out of the folder (to a file and to a directory).
// Checks: a file answer always lies inside the canonical folder, is a
// regular file, never a hidden one, never reached through a symlink that
// leaves the folder; /assets/ answers are immutable and only those; a
// percent_decode success never holds a NUL; the precompressed variant chosen
// for it (select_variant, with a .gz beside the asset and a .br that is a
// symlink out of the folder) obeys the same rules and is the file itself
// plus ".gz"/".br", or the file itself.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "chunks.hpp"
#include "static_files.hpp"
#include "url.hpp"

using namespace werkstatt;
namespace fs = std::filesystem;

namespace {

struct Folder {
  fs::path root;
  fs::path outside;
  Folder() {
    char tmpl[] = "/tmp/werkstatt-fuzz-static-XXXXXX";
    const char* made = mkdtemp(tmpl);
    if (!made) fuzz::fail("mkdtemp failed");
    const fs::path base = made;
    root = base / "dist";
    outside = base / "secret";
    fs::create_directories(root / "assets");
    fs::create_directories(root / "sub");
    fs::create_directories(outside);
    const auto write = [](const fs::path& p) { std::ofstream(p) << p.filename().string(); };
    write(root / "index.html");
    write(root / "assets" / "app-1a2b3c.js");
    write(root / "sub" / "page.html");
    write(root / ".env");
    write(root / "assets" / "app-1a2b3c.js.gz");
    write(outside / "passwd");
    fs::create_symlink(outside / "passwd", root / "leak.txt");
    fs::create_symlink(outside / "passwd", root / "assets" / "app-1a2b3c.js.br");
    fs::create_symlink(outside / "passwd", root / "index.html.br");
    fs::create_directory_symlink(outside, root / "out");
    root = fs::canonical(root);
  }
};

const Folder& folder() {
  static const Folder* f = new Folder();  // left in /tmp on purpose: libFuzzer exits from anywhere
  return *f;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target(reinterpret_cast<const char*>(data), size);
  const Folder& f = folder();

  std::string decoded;
  if (net::percent_decode(target, decoded) && decoded.find('\0') != std::string::npos)
    fuzz::fail("percent_decode accepted a NUL");

  const net::StaticFile r = net::resolve_static(f.root, target);
  if (r.kind != net::StaticFile::Kind::file) return 0;
  std::error_code ec;
  const fs::path real = fs::canonical(r.path, ec);
  if (ec) fuzz::fail("resolved a file that does not exist: " + r.path.string());
  const std::string root = f.root.string() + "/";
  if (real.string().compare(0, root.size(), root) != 0) fuzz::fail("served a file outside the folder: " + real.string());
  if (!fs::is_regular_file(real)) fuzz::fail("served something that is not a regular file: " + real.string());
  for (const auto& part : real.lexically_relative(f.root))
    if (part.string().starts_with(".")) fuzz::fail("served a hidden file: " + real.string());
  const bool immutable = r.cache_control == net::kImmutableCache;
  if (immutable != real.lexically_relative(f.root).string().starts_with("assets/"))
    fuzz::fail("immutable caching on the wrong file: " + real.string());

  const net::StaticVariant v = net::select_variant(f.root, r, net::parse_accept_encoding("br, gzip"));
  const fs::path variant_real = fs::canonical(v.path, ec);
  if (ec) fuzz::fail("chose a variant that does not exist: " + v.path.string());
  if (variant_real.string().compare(0, root.size(), root) != 0)
    fuzz::fail("served a variant outside the folder: " + variant_real.string());
  if (!fs::is_regular_file(variant_real)) fuzz::fail("served a variant that is not a regular file: " + v.path.string());
  const std::string suffix = v.coding == net::ContentCoding::br     ? ".br"
                             : v.coding == net::ContentCoding::gzip ? ".gz"
                                                                    : "";
  if (v.path.string() != r.path.string() + suffix) fuzz::fail("a variant that is not the file's own: " + v.path.string());
  if (v.coding != net::ContentCoding::identity && !r.compressible)
    fuzz::fail("an encoded variant of a type never encoded: " + r.path.string());
  return 0;
}
