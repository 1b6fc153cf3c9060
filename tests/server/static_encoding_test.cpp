// Precompressed static files: Accept-Encoding parsing (pure), and the server
// on loopback answering from real .br/.gz files beside real files in a temp
// folder, with Content-Encoding, Vary, the file's type, length and caching.
// The .br files are made with libbrotlienc and the .gz files with zlib here;
// the bodies received are decoded with libbrotlidec and zlib. Bodies are
// compared inside CHECK((…)) so a failure does not print kilobytes of text.
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <catch2/catch.hpp>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <iterator>

#include "harness.hpp"
#include "static_files.hpp"
#include "support/temp_dir.hpp"

using namespace werkstatt;
using namespace werkstatt::test;
using net::AcceptEncoding;
using net::ContentCoding;
using net::parse_accept_encoding;

namespace {

std::string gzip(const std::string& data) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string gunzip(const std::string& data) {
  z_stream z{};
  REQUIRE(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[4096];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
  }
  inflateEnd(&z);
  CHECK(rc == Z_STREAM_END);  // a truncated or corrupt body fails here
  return out;
}

std::string brotli(const std::string& data) {
  std::string out(BrotliEncoderMaxCompressedSize(data.size()), '\0');
  std::size_t size = out.size();
  REQUIRE(BrotliEncoderCompress(BROTLI_MAX_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                                reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                                reinterpret_cast<std::uint8_t*>(out.data())) == BROTLI_TRUE);
  out.resize(size);
  return out;
}

std::string unbrotli(const std::string& data, std::size_t expected_size) {
  std::string out(expected_size + 1, '\0');  // one spare byte: a longer result shows as a wrong size
  std::size_t size = out.size();
  const auto rc = BrotliDecoderDecompress(data.size(), reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                                          reinterpret_cast<std::uint8_t*>(out.data()));
  CHECK(rc == BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  return out;
}

void write(const std::filesystem::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary) << data;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string text(std::size_t n) {
  std::string s;
  while (s.size() < n) s += "export const note = board.add({ area: 'ideen', text: 'Werkstatt' });\n";
  s.resize(n);
  return s;
}

// A built client as the build leaves it: files with .br/.gz beside them.
struct Site {
  TempDir dir;
  std::filesystem::path root;
  std::string js = text(20'000);
  std::string index = "<!doctype html><title>werkstatt</title>" + text(2'000);
  std::string css = "body{margin:0}" + text(5'000);
  Site() {
    root = dir.path() / "dist";
    std::filesystem::create_directories(root / "assets");
    write(root / "index.html", index);
    write(root / "index.html.gz", gzip(index));
    write(root / "index.html.br", brotli(index));
    write(root / "assets" / "app-1a2b.js", js);
    write(root / "assets" / "app-1a2b.js.gz", gzip(js));
    write(root / "assets" / "app-1a2b.js.br", brotli(js));
    write(root / "assets" / "style-9f8e.css", css);  // only a .gz beside it
    write(root / "assets" / "style-9f8e.css.gz", gzip(css));
    write(root / "assets" / "logo-77aa.png", text(3'000));  // a type that is never encoded, whatever lies beside it
    write(root / "assets" / "logo-77aa.png.gz", gzip(text(3'000)));
    root = std::filesystem::canonical(root);
  }
  [[nodiscard]] std::filesystem::path asset(const std::string& name) const { return root / "assets" / name; }
};

HttpResponse get(std::uint16_t port, const std::string& target, const std::string& accept_encoding,
                 const std::string& method = "GET") {
  std::map<std::string, std::string> headers;
  if (!accept_encoding.empty()) headers["Accept-Encoding"] = accept_encoding;
  return http_request(port, method, target, "", headers);
}

}  // namespace

TEST_CASE("Accept-Encoding: tokens, q-values, * and refusals", "[static][encoding]") {
  // "br=<q> gzip=<q>" in thousandths (a string, so a failure shows both).
  const auto q = [](const std::string& header) {
    const AcceptEncoding a = parse_accept_encoding(header);
    return "br=" + std::to_string(a.br) + " gzip=" + std::to_string(a.gzip);
  };
  const auto P = [](int br, int gzip) { return "br=" + std::to_string(br) + " gzip=" + std::to_string(gzip); };
  CHECK(q("") == P(0, 0));
  CHECK(q("identity") == P(0, 0));
  CHECK(q("gzip") == P(0, 1000));
  CHECK(q("gzip, deflate, br, zstd") == P(1000, 1000));
  CHECK(q("BR;Q=0.5 , GZip") == P(500, 1000));                  // case-insensitive, spaces around elements
  CHECK(q("br;q=0.25,gzip;q=0.8") == P(250, 800));
  CHECK(q("gzip; q=0.001") == P(0, 1));
  CHECK(q("br;q=1.000, gzip;q=0.") == P(1000, 0));
  CHECK(q("x-gzip") == P(0, 1000));
  CHECK(q("*") == P(1000, 1000));
  CHECK(q("*;q=0.3, gzip;q=0") == P(300, 0));                   // * is every coding not named
  CHECK(q("br;q=0, *") == P(0, 1000));
  CHECK(q("*;q=0") == P(0, 0));
  CHECK(q("gzip, gzip;q=0") == P(0, 0));                        // named twice: the refusal wins
  CHECK(q("gzip;q = 0") == P(0, 0));                            // read as meant, never as q=1
  CHECK(q(",gzip,,br;q=0.5,") == P(500, 1000));                 // empty list elements are allowed
  CHECK(q("gzip;level=9") == P(0, 1000));                       // an unknown parameter is ignored
  // Malformed elements are ignored (not read as q=1), the others still count.
  for (const char* bad : {"gzip;q=1.5", "gzip;q=1.001", "gzip;q=0.1234", "gzip;q=", "gzip;q", "gzip;q=-1",
                          "gzip;q=.5", "gz@ip", "gzip;q=0.5x"}) {
    INFO(bad);
    CHECK(q(std::string(bad) + ", br;q=0.7") == P(700, 0));
  }

  using net::choose_coding;
  const AcceptEncoding both = parse_accept_encoding("gzip, br");
  CHECK(choose_coding(both, true, true) == ContentCoding::br);  // equal quality: br, the smaller
  CHECK(choose_coding(both, false, true) == ContentCoding::gzip);
  CHECK(choose_coding(both, false, false) == ContentCoding::identity);
  CHECK(choose_coding(parse_accept_encoding("br;q=0.5, gzip"), true, true) == ContentCoding::gzip);  // the client's order
  CHECK(choose_coding(parse_accept_encoding("br;q=0, gzip;q=0"), true, true) == ContentCoding::identity);
}

TEST_CASE("static files: the precompressed variant the client prefers, with Vary and the file's headers",
          "[http][static][encoding]") {
  Site site;
  TestServerOptions options;
  options.static_dir = site.root;
  TestServer server(options);
  const auto port = server.port();
  const std::string br_file = read(site.asset("app-1a2b.js.br"));
  const std::string gz_file = read(site.asset("app-1a2b.js.gz"));
  REQUIRE(br_file.size() < gz_file.size());
  REQUIRE(gz_file.size() < site.js.size());

  SECTION("br preferred when both are acceptable") {
    for (const char* accept : {"gzip, deflate, br", "br, gzip", "*", "gzip;q=0.9, br;q=0.9"}) {
      INFO(accept);
      auto r = get(port, "/assets/app-1a2b.js", accept);
      CHECK(r.status == 200);
      CHECK(r.headers["content-encoding"] == "br");
      CHECK(r.headers["vary"] == "Accept-Encoding");
      CHECK(r.headers["content-type"] == "text/javascript; charset=utf-8");
      CHECK(r.headers["cache-control"] == "public, max-age=31536000, immutable");
      CHECK(r.headers["content-length"] == std::to_string(br_file.size()));
      CHECK(r.headers["x-content-type-options"] == "nosniff");
      CHECK((r.body == br_file));  // the file the build wrote, not compressed per request
      CHECK((unbrotli(r.body, site.js.size()) == site.js));
    }
  }
  SECTION("gzip when only gzip is acceptable, or preferred by q") {
    for (const char* accept : {"gzip", "gzip, deflate", "br;q=0, gzip", "GZIP;q=0.5", "br;q=0.4, gzip;q=0.5", "x-gzip",
                               "*, br;q=0"}) {
      INFO(accept);
      auto r = get(port, "/assets/app-1a2b.js", accept);
      CHECK(r.status == 200);
      CHECK(r.headers["content-encoding"] == "gzip");
      CHECK(r.headers["vary"] == "Accept-Encoding");
      CHECK(r.headers["content-type"] == "text/javascript; charset=utf-8");
      CHECK(r.headers["content-length"] == std::to_string(gz_file.size()));
      CHECK((gunzip(r.body) == site.js));
    }
  }
  SECTION("identity without Accept-Encoding, for unknown codings and for refusals, still with Vary") {
    for (const char* accept : {"", "identity", "deflate, zstd", "br;q=0, gzip;q=0", "*;q=0", "gzip;q=abc"}) {
      INFO(accept);
      auto r = get(port, "/assets/app-1a2b.js", accept);
      CHECK(r.status == 200);
      CHECK(r.headers.count("content-encoding") == 0);
      CHECK(r.headers["vary"] == "Accept-Encoding");
      CHECK(r.headers["content-length"] == std::to_string(site.js.size()));
      CHECK((r.body == site.js));
    }
  }
  SECTION("HEAD answers the variant's headers and length without a body") {
    auto r = get(port, "/assets/app-1a2b.js", "br, gzip", "HEAD");
    CHECK(r.status == 200);
    CHECK(r.headers["content-encoding"] == "br");
    CHECK(r.headers["vary"] == "Accept-Encoding");
    CHECK(r.headers["content-length"] == std::to_string(br_file.size()));
    CHECK(r.body.empty());
    r = get(port, "/assets/app-1a2b.js", "", "HEAD");
    CHECK(r.headers.count("content-encoding") == 0);
    CHECK(r.headers["content-length"] == std::to_string(site.js.size()));
  }
  SECTION("index.html and the SPA fallback for client routes are encoded too") {
    for (const char* path : {"/", "/index.html", "/w/abc?code=XYZ", "/replay/xyz"}) {
      INFO(path);
      auto r = get(port, path, "gzip, br");
      CHECK(r.status == 200);
      CHECK(r.headers["content-encoding"] == "br");
      CHECK(r.headers["content-type"] == "text/html; charset=utf-8");
      CHECK(r.headers["cache-control"] == "no-cache");
      CHECK(r.headers["vary"] == "Accept-Encoding");
      CHECK((unbrotli(r.body, site.index.size()) == site.index));
    }
  }
  SECTION("a missing variant falls back to the one there is, then to the file itself") {
    auto r = get(port, "/assets/style-9f8e.css", "br, gzip");
    CHECK(r.headers["content-encoding"] == "gzip");
    CHECK(r.headers["content-type"] == "text/css; charset=utf-8");
    CHECK((gunzip(r.body) == site.css));
    r = get(port, "/assets/style-9f8e.css", "br");
    CHECK(r.headers.count("content-encoding") == 0);
    CHECK(r.headers["vary"] == "Accept-Encoding");
    CHECK((r.body == site.css));
  }
  SECTION("a type that is not compressed is sent as it is, without Vary") {
    auto r = get(port, "/assets/logo-77aa.png", "gzip, br");
    CHECK(r.status == 200);
    CHECK(r.headers.count("content-encoding") == 0);
    CHECK(r.headers.count("vary") == 0);
    CHECK(r.headers["content-type"] == "image/png");
    CHECK((r.body == read(site.asset("logo-77aa.png"))));
  }
  SECTION("a Range request gets the whole file, never a range of the encoded body") {
    auto r = http_request(port, "GET", "/assets/app-1a2b.js", "",
                                {{"Accept-Encoding", "br"}, {"Range", "bytes=0-9"}});
    CHECK(r.status == 200);
    CHECK(r.headers.count("content-range") == 0);
    CHECK((unbrotli(r.body, site.js.size()) == site.js));
  }
}

TEST_CASE("static files: a variant is used only if it is a regular file inside the folder and not older",
          "[http][static][encoding]") {
  Site site;
  // Outside the folder, a file a symlinked variant would leak.
  write(site.dir.path() / "secret.br", brotli("outside the static folder"));
  std::filesystem::remove(site.asset("app-1a2b.js.br"));
  std::filesystem::create_symlink(site.dir.path() / "secret.br", site.asset("app-1a2b.js.br"));
  // A variant left over from an older build: older than the file beside it.
  const auto now = std::filesystem::last_write_time(site.root / "index.html");
  std::filesystem::last_write_time(site.root / "index.html.br", now - std::chrono::hours(1));
  // A directory where a variant would be.
  std::filesystem::create_directories(site.root / "assets" / "style-9f8e.css.br");
  TestServerOptions options;
  options.static_dir = site.root;
  TestServer server(options);
  const auto port = server.port();

  auto r = get(port, "/assets/app-1a2b.js", "br");
  CHECK(r.headers.count("content-encoding") == 0);
  CHECK((r.body == site.js));
  r = get(port, "/assets/app-1a2b.js", "br, gzip");
  CHECK(r.headers["content-encoding"] == "gzip");
  CHECK((gunzip(r.body) == site.js));

  r = get(port, "/", "br, gzip");
  CHECK(r.headers["content-encoding"] == "gzip");  // the stale .br is skipped, the fresh .gz used
  CHECK((gunzip(r.body) == site.index));

  r = get(port, "/assets/style-9f8e.css", "br, gzip");
  CHECK(r.headers["content-encoding"] == "gzip");
  CHECK((gunzip(r.body) == site.css));
}
