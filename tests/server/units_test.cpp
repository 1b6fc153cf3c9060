// The pure parts of the server: frame batching, secrets, JSON, static file
// resolution, REST authorisation.
#include <catch2/catch.hpp>

#include <filesystem>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <vector>

#include "guess_limiter.hpp"
#include "werkstatt/net/json.hpp"
#include "rest.hpp"
#include "werkstatt/net/legal.hpp"
#include "static_files.hpp"
#include "url.hpp"
#include "support/temp_dir.hpp"
#include "werkstatt/workshop/frames.hpp"
#include "werkstatt/journal/memory_journal.hpp"
#include "werkstatt/workshop/secrets.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"

using namespace werkstatt;

TEST_CASE("a batch built by concatenation decodes as a Batch of the same messages", "[units][frames]") {
  std::vector<workshop::Frame> frames;
  for (int i = 1; i <= 300; ++i) {
    v1::ServerMessage m;
    m.mutable_event()->set_seq(static_cast<std::uint64_t>(i));
    m.mutable_event()->set_author_id("p" + std::string(static_cast<std::size_t>(i % 7), 'x'));
    m.mutable_event()->mutable_op()->mutable_create_note()->set_text(std::string(static_cast<std::size_t>(i), 'n'));
    frames.push_back(workshop::encode(m));
  }
  frames.push_back(workshop::ack_frame("op-1", 301));
  std::string bytes;
  workshop::append_batch(bytes, frames);
  CHECK(bytes.size() == workshop::batch_size(frames));
  v1::ServerMessage decoded;
  REQUIRE(decoded.ParseFromString(bytes));
  REQUIRE(decoded.has_batch());
  REQUIRE(decoded.batch().messages_size() == 301);
  for (int i = 0; i < 300; ++i) {
    CHECK(decoded.batch().messages(i).event().seq() == static_cast<std::uint64_t>(i + 1));
    CHECK(decoded.batch().messages(i).SerializeAsString() == *frames[static_cast<std::size_t>(i)]);
  }
  CHECK(decoded.batch().messages(300).ack().client_op_id() == "op-1");
}

TEST_CASE("secrets: ids, tokens and join codes have their alphabets - digests compare", "[units][secrets]") {
  const std::string token = workshop::random_token();
  CHECK(token.size() == 43);
  CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
  CHECK(workshop::random_token() != token);
  const std::string id = workshop::random_base32(10);
  CHECK(id.size() == 16);
  CHECK(id.find_first_not_of("abcdefghijklmnopqrstuvwxyz234567") == std::string::npos);
  for (int i = 0; i < 50; ++i) {
    const std::string code = workshop::random_join_code();
    CHECK(code.size() == workshop::kJoinCodeLength);
    CHECK(code.find_first_not_of(workshop::kJoinCodeAlphabet) == std::string::npos);
  }
  CHECK(workshop::normalise_join_code(" ab-c2 3d ") == "ABC23D");
  const std::string digest = workshop::sha256(token);
  CHECK(digest.size() == 32);
  CHECK(workshop::matches_digest(token, digest));
  CHECK_FALSE(workshop::matches_digest(token + "x", digest));
  CHECK_FALSE(workshop::matches_digest("", digest));
  CHECK_FALSE(workshop::matches_digest(token, ""));
}

TEST_CASE("json: strings are escaped and flat string objects parse strictly", "[units][json]") {
  std::string out;
  net::json::append_string(out, "a\"b\\c\n\x01<script>\xC3\xA4\xFF");
  CHECK(out == R"("a\"b\\c\n\u0001\u003cscript\u003eä\ufffd")");
  CHECK(net::json::Object().field("n", std::uint64_t{7}).field("ok", true).field("s", "x").str() ==
        R"({"n":7,"ok":true,"s":"x"})");

  std::string error;
  auto parsed = net::json::parse_string_object(R"( {"title": "Stra\u00dfe \ud83d\ude00", "language":"de"} )", &error);
  REQUIRE(parsed);
  CHECK(parsed->at("title") == "Straße 😀");
  CHECK(parsed->at("language") == "de");
  for (const char* bad : {"", "[]", R"({"a":1})", R"({"a":"x",})", R"({"a":"x"} x)", R"({"a":"\ud800"})",
                          R"({"a":"x","a":"y"})", "{\"a\":\"\x01\"}", R"({"a":"x")", "{\"a\":\"\xC3\"}"}) {
    INFO(bad);
    CHECK_FALSE(net::json::parse_string_object(bad, &error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("static files: inside the folder only, right types and caching, SPA fallback", "[units][static]") {
  test::TempDir dir;
  const auto root = std::filesystem::canonical(dir.path());
  std::filesystem::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<!doctype html>";
  std::ofstream(root / "assets" / "app-1a2b.js") << "export {}";
  std::ofstream(root / "assets" / "app-1a2b.css") << "body{}";
  std::ofstream(root / "robots.txt") << "User-agent: *";
  std::ofstream(dir.path().parent_path() / "werkstatt-secret.txt") << "secret";
  std::filesystem::create_directory_symlink("/etc", root / "etc");

  using K = net::StaticFile::Kind;
  auto r = net::resolve_static(root, "/");
  CHECK(r.kind == K::file);
  CHECK(r.path == root / "index.html");
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.cache_control == "no-cache");
  r = net::resolve_static(root, "/assets/app-1a2b.js?v=1");
  CHECK(r.kind == K::file);
  CHECK(r.content_type == "text/javascript; charset=utf-8");
  CHECK(r.cache_control == "public, max-age=31536000, immutable");
  CHECK(net::resolve_static(root, "/assets/app-1a2b.css").content_type == "text/css; charset=utf-8");
  CHECK(net::resolve_static(root, "/robots.txt").cache_control == "no-cache");
  // Client-side routes get index.html; missing files with an extension or under /assets do not.
  r = net::resolve_static(root, "/w/abc123?code=XYZ");
  CHECK(r.kind == K::file);
  CHECK(r.path == root / "index.html");
  CHECK(net::resolve_static(root, "/assets/missing.js").kind == K::not_found);
  CHECK(net::resolve_static(root, "/favicon.ico").kind == K::not_found);
  // Traversal in every spelling.
  for (const char* bad : {"/../werkstatt-secret.txt", "/%2e%2e/werkstatt-secret.txt", "/assets/..%2f..%2fwerkstatt-secret.txt",
                          "/.hidden", "/assets/%2e%2e/index.html", "/a\\..\\b", "/%00", "/%zz", "relative", "/x%2"}) {
    INFO(bad);
    CHECK(net::resolve_static(root, bad).kind == K::bad_request);
  }
  // A raw NUL too (found by werkstatt_fuzz_static_files): the file system would cut the path at it,
  // so "/index.html<NUL>.js" would serve index.html as JavaScript.
  using namespace std::string_view_literals;
  CHECK(net::resolve_static(root, "/index.html\0.js"sv).kind == K::bad_request);
  CHECK(net::resolve_static(root, "/w/abc\0"sv).kind == K::bad_request);
  std::string decoded;
  CHECK_FALSE(net::percent_decode("/a\0b"sv, decoded));
  // A symlink out of the folder is not followed.
  r = net::resolve_static(root, "/etc/passwd");
  CHECK((r.kind != K::file || r.path == root / "index.html"));
  CHECK(net::resolve_static(root / "nothing", "/").kind == K::no_client);
}

TEST_CASE("query strings - decoded by Boost.URL and a malformed one is refused", "[units][url]") {
  const auto q = net::parse_query("/api/workshops/w/export?format=json&t=a%2Bb+c&seq=7&flag&seq=9");
  REQUIRE(q);
  CHECK(q->at("format") == "json");
  CHECK(q->at("t") == "a+b c");   // %2B is a plus, '+' a space
  CHECK(q->at("seq") == "7");     // the first value of a repeated key
  CHECK(q->at("flag").empty());   // a key without '='
  CHECK(net::parse_query("/api/workshops/w/state")->empty());
  // A target inside a larger buffer, as Beast hands it over (not NUL-terminated): nothing
  // after its end is read (Boost.URL 1.81 ran strlen on it; the asan preset caught it).
  const std::string buffer = "/x?a=b&c=dGET /next HTTP/1.1";
  const std::vector<char> exact(buffer.begin(), buffer.begin() + 10);  // "/x?a=b&c=d", no NUL after it
  const auto inside = net::parse_query(std::string_view(exact.data(), exact.size()));
  REQUIRE(inside);
  CHECK(inside->size() == 2);
  CHECK(inside->at("c") == "d");
  const auto prefix = net::parse_query(std::string_view(buffer).substr(0, 10));
  REQUIRE(prefix);
  CHECK(prefix->at("c") == "d");
  CHECK(net::parse_query("/x?")->empty());
  // A bad escape or a character a query may not hold: refused, not guessed at.
  for (const char* bad : {"/x?t=%zz", "/x?t=%4", "/x?a=b c", "/x?a=<b>", "/x?a=b#c"}) {
    INFO(bad);
    CHECK_FALSE(net::parse_query(bad));
  }
  std::string path;
  CHECK(net::percent_decode("/assets/a%20b.js", path));
  CHECK(path == "/assets/a b.js");
  CHECK_FALSE(net::percent_decode("/a%2", path));
  CHECK_FALSE(net::percent_decode("/a%00b", path));
}

TEST_CASE("creating workshops needs loopback or the admin token", "[units][rest]") {
  CHECK(net::may_create_workshops(true, "", ""));
  CHECK_FALSE(net::may_create_workshops(false, "", ""));
  CHECK_FALSE(net::may_create_workshops(false, "", "Bearer "));
  CHECK(net::may_create_workshops(false, "s3cret-token", "Bearer s3cret-token"));
  CHECK_FALSE(net::may_create_workshops(false, "s3cret-token", "Bearer s3cret-tokeN"));
  CHECK_FALSE(net::may_create_workshops(false, "s3cret-token", "s3cret-token"));
  // A wrong Bearer is refused from loopback too.
  CHECK_FALSE(net::may_create_workshops(true, "s3cret-token", "Bearer wrong"));
  CHECK_FALSE(net::may_create_workshops(true, "", "Bearer anything"));
  CHECK(net::base_url_for({"", "https://w.example.org/", {}, {}}, "evil") == "https://w.example.org");
  CHECK(net::base_url_for({"", "", {}, {}}, "127.0.0.1:8080") == "http://127.0.0.1:8080");
  CHECK(net::base_url_for({"", "", {}, {}}, "x\"><script>") == "http://localhost");
}

TEST_CASE("guessing: wrong credentials cost an address tokens, right ones nothing", "[units][guesses]") {
  using namespace std::chrono_literals;
  net::GuessLimiter::Options options;
  options.burst = 5;
  options.per_minute = 6;  // one token per 10 s
  net::GuessLimiter limiter(options);
  const auto t0 = net::GuessLimiter::Clock::now();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(limiter.allowed("203.0.113.7", t0));
    limiter.failed("203.0.113.7", t0);
  }
  CHECK_FALSE(limiter.allowed("203.0.113.7", t0));
  CHECK(limiter.retry_after_seconds("203.0.113.7", t0) == 10);
  CHECK(limiter.allowed("203.0.113.8", t0));  // another address is not affected
  CHECK_FALSE(limiter.allowed("203.0.113.7", t0 + 9s));
  CHECK(limiter.allowed("203.0.113.7", t0 + 10s));  // one token back
  limiter.failed("203.0.113.7", t0 + 10s);
  CHECK_FALSE(limiter.allowed("203.0.113.7", t0 + 10s));
  // Refilled completely, the address is forgotten.
  CHECK(limiter.allowed("203.0.113.7", t0 + 60s));
  CHECK(limiter.tracked() == 0);
}

TEST_CASE("guessing: an IPv6 host is one address per /64", "[units][guesses]") {
  CHECK(net::GuessLimiter::key_of("2001:db8:1:2:aaaa::1") == net::GuessLimiter::key_of("2001:db8:1:2:ffff::9"));
  CHECK(net::GuessLimiter::key_of("2001:db8:1:2::1") != net::GuessLimiter::key_of("2001:db8:1:3::1"));
  CHECK(net::GuessLimiter::key_of("192.0.2.1") == "192.0.2.1");
  net::GuessLimiter::Options options;
  options.burst = 2;
  net::GuessLimiter limiter(options);
  const auto t0 = net::GuessLimiter::Clock::now();
  limiter.failed("2001:db8:1:2::1", t0);
  limiter.failed("2001:db8:1:2::2", t0);
  CHECK_FALSE(limiter.allowed("2001:db8:1:2::3", t0));
  CHECK(limiter.allowed("2001:db8:1:9::3", t0));
}

TEST_CASE("guessing: the table of addresses stays bounded", "[units][guesses]") {
  net::GuessLimiter::Options options;
  options.burst = 3;
  options.max_addresses = 100;
  net::GuessLimiter limiter(options);
  auto t = net::GuessLimiter::Clock::now();
  for (int i = 0; i < 1000; ++i) {
    t += std::chrono::milliseconds(1);
    limiter.failed("198.51.100." + std::to_string(i % 250) + "." + std::to_string(i), t);
  }
  CHECK(limiter.tracked() <= 100);
  // The most recent guessers are still held back.
  limiter.failed("198.51.100.999.999", t);
  limiter.failed("198.51.100.999.999", t);
  limiter.failed("198.51.100.999.999", t);
  CHECK_FALSE(limiter.allowed("198.51.100.999.999", t));
}

TEST_CASE("GET /api/join: unknown codes from one address end in 429 with Retry-After", "[units][rest][guesses]") {
  net::GuessLimiter::Options options;
  options.burst = 3;
  options.per_minute = 1;
  net::GuessLimiter limiter(options);
  journal::MemoryJournal journal;
  boost::asio::io_context io;
  workshop::WorkshopRegistry registry(io, journal, {});
  net::ApiRequest req;
  req.method = "GET";
  req.target = "/api/join/ZZZZZZ";
  req.client_address = "203.0.113.7";
  req.guesses = &limiter;
  const net::ApiConfig config;
  for (int i = 0; i < 3; ++i) CHECK(net::handle_api(req, config, registry)->status == 404);
  const auto refused = net::handle_api(req, config, registry);
  REQUIRE(refused->status == 429);
  CHECK(std::find_if(refused->headers.begin(), refused->headers.end(), [](const auto& h) {
          return h.first == "Retry-After" && h.second == "60";
        }) != refused->headers.end());
  req.client_address = "203.0.113.8";
  CHECK(net::handle_api(req, config, registry)->status == 404);  // others still get answers
}

TEST_CASE("legal pages: URLs, Markdown files and feedback addresses are checked at start-up", "[units][rest][legal]") {
  test::TempDir dir;
  std::string error;
  const auto url = net::load_legal_page("https://example.org/impressum", &error);
  REQUIRE(url);
  CHECK(url->url == "https://example.org/impressum");
  CHECK(url->markdown.empty());
  CHECK_FALSE(net::load_legal_page("https://example.org/a b", &error));
  CHECK_FALSE(net::load_legal_page((dir.path() / "missing.md").string(), &error));
  CHECK(error.find("cannot read") != std::string::npos);
  {
    std::ofstream(dir.path() / "latin1.md", std::ios::binary) << "Stra\xdf" "e";
  }
  CHECK_FALSE(net::load_legal_page((dir.path() / "latin1.md").string(), &error));
  CHECK(error.find("UTF-8") != std::string::npos);
  {
    std::ofstream(dir.path() / "ds.md", std::ios::binary) << "# Datenschutz\n\nVerantwortlich: Landkreis Süd\n";
  }
  const auto file = net::load_legal_page((dir.path() / "ds.md").string(), &error);
  REQUIRE(file);
  CHECK(file->markdown == "# Datenschutz\n\nVerantwortlich: Landkreis Süd\n");
  CHECK(net::load_legal_page("", &error)->markdown.empty());

  CHECK(net::parse_feedback("barrierefreiheit@example.org", &error) == "mailto:barrierefreiheit@example.org");
  CHECK(net::parse_feedback("https://example.org/barriere-melden", &error) == "https://example.org/barriere-melden");
  CHECK(net::parse_feedback("", &error) == "");
  CHECK_FALSE(net::parse_feedback("javascript:alert(1)", &error));
  CHECK_FALSE(net::parse_feedback("not an address", &error));
}

TEST_CASE("GET /api/legal names what is configured - /api/legal/<name> serves a Markdown file", "[units][rest][legal]") {
  journal::MemoryJournal journal;
  boost::asio::io_context io;
  workshop::WorkshopRegistry registry(io, journal, {});
  net::LegalPages pages;
  pages.imprint.url = "https://example.org/impressum";
  pages.privacy.markdown = "# Datenschutz\n\"Zitat\"\n";
  pages.feedback = "mailto:a11y@example.org";
  net::ApiConfig config;
  config.legal = &pages;
  net::ApiRequest req;
  req.method = "GET";
  req.target = "/api/legal";
  auto r = net::handle_api(req, config, registry);
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body ==
        R"({"imprint":{"url":"https://example.org/impressum"},"privacy":{"page":"/legal/privacy"},)"
        R"("accessibility":null,"feedback":"mailto:a11y@example.org"})");
  req.target = "/api/legal/privacy";
  r = net::handle_api(req, config, registry);
  CHECK(r->status == 200);
  CHECK(r->content_type == "text/markdown; charset=utf-8");
  CHECK(r->body == pages.privacy.markdown);
  req.target = "/api/legal/imprint";  // a URL, not a file
  CHECK(net::handle_api(req, config, registry)->status == 404);
  req.target = "/api/legal/../../etc/passwd";
  CHECK(net::handle_api(req, config, registry)->status == 404);
  req.method = "POST";
  req.target = "/api/legal";
  CHECK(net::handle_api(req, config, registry)->status == 405);
  // Nothing configured: every entry is null.
  req.method = "GET";
  r = net::handle_api(req, net::ApiConfig{}, registry);
  CHECK(r->body == R"({"imprint":null,"privacy":null,"accessibility":null,"feedback":null})");
}

TEST_CASE("token bucket: starts full, spends whole tokens, refills exactly per period, never from time going back",
          "[units]") {
  using net::TokenBucket;
  const auto t0 = TokenBucket::Clock::now();
  const TokenBucket::Rate six_per_minute{6, std::chrono::minutes(1)};
  TokenBucket b(3, t0);
  CHECK(b.take(six_per_minute, 3, t0));
  CHECK(b.take(six_per_minute, 3, t0));
  CHECK(b.take(six_per_minute, 3, t0));
  CHECK_FALSE(b.take(six_per_minute, 3, t0));
  CHECK(b.seconds_until_token(six_per_minute) == 10.0);
  CHECK_FALSE(b.take(six_per_minute, 3, t0 + std::chrono::seconds(9)));
  CHECK(b.take(six_per_minute, 3, t0 + std::chrono::seconds(10)));  // 10 s at 6/min is exactly one token
  // Time going backwards earns nothing, and a later refill is not credited twice.
  b.refill(six_per_minute, 3, t0);
  CHECK(b.tokens() == 0.0);
  b.refill(six_per_minute, 3, t0 + std::chrono::hours(1));
  CHECK(b.tokens() == 3.0);  // capped at the burst
  b.spend();
  b.spend();
  b.spend();
  b.spend();  // never below zero
  CHECK(b.tokens() == 0.0);
  const TokenBucket::Rate thirty_per_second{30};
  TokenBucket ops(1, t0);
  CHECK(ops.take(thirty_per_second, 1, t0));
  CHECK_FALSE(ops.take(thirty_per_second, 1, t0 + std::chrono::milliseconds(20)));
  CHECK(ops.take(thirty_per_second, 1, t0 + std::chrono::milliseconds(40)));
}
