// The HTTP path/query resolver: every /api/… request goes
// through net::handle_api (REST routing, join codes, workshop info) and, for
// /api/workshops/{id}/…, the replay API's query parser and access check —
// against a real registry with one recorded workshop (in-memory journal).
//
// Input: byte 0 picks the method (bits 0-2), the Authorization header (bits
// 3-4: none, the workshop's facilitator token, the admin token, garbage) and
// whether the request comes from loopback (bit 5); the rest is the request
// target, a newline, then the body. In the target, "{id}", "{t}" and "{code}"
// stand for the workshop's id, facilitator token and join code, so the seeds
// reach the deep paths.
// Checks: handle_api answers every /api path (never nullopt) with a status
// from the documented set; no answer but a 201 creation carries a secret.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "chunks.hpp"
#include "rest.hpp"
#include "werkstatt/journal/memory_journal.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"

using namespace werkstatt;

namespace {

constexpr std::string_view kAdminToken = "fuzz-admin-token";

struct World {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  journal::MemoryJournal journal;
  workshop::WorkshopRegistry registry{io, journal, workshop::WorkshopOptions{}};
  net::GuessLimiter guesses;
  net::ApiConfig config;
  workshop::CreatedWorkshop w;
  std::thread runner;
  std::size_t created = 0;

  World() {
    runner = std::thread([this] { io.run(); });
    config.admin_token = std::string(kAdminToken);
    workshop::CreateError error;
    auto created_workshop = registry.create("impuls-werkstatt", "Fuzz", "de", &error);
    if (!created_workshop) fuzz::fail("cannot create the workshop: " + error.message);
    w = *created_workshop;
    // The template's events must be durable before replay reads them.
    while (registry.find(w.id)->info().head_seq < 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
};

World& world() {
  static World* w = new World();  // never destroyed: libFuzzer exits from anywhere
  return *w;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  World& wd = world();
  static constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "get"};
  const std::uint8_t flags = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto newline = rest.find('\n');
  std::string target(rest.substr(0, newline));
  const std::string body(newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1));
  replace_all(target, "{id}", wd.w.id);
  replace_all(target, "{t}", wd.w.facilitator_token);
  replace_all(target, "{code}", wd.w.join_code);

  std::string authorization;
  switch ((flags >> 3) & 3) {
    case 1: authorization = "Bearer " + wd.w.facilitator_token; break;
    case 2: authorization = "Bearer " + std::string(kAdminToken); break;
    case 3: authorization = "Bearer x"; break;
    default: break;
  }
  net::ApiRequest req;
  req.method = kMethods[flags & 7];
  req.target = target;
  req.body = body;
  req.authorization = authorization;
  req.host = "werkstatt.example";
  req.from_loopback = (flags & 0x20) != 0;
  req.client_address = "192.0.2.7";
  req.guesses = &wd.guesses;
  // Creating is allowed, but a few hundred workshops are enough: beyond that
  // memory would grow with the run, so later creations are unauthorised.
  if (wd.created >= 200) {
    req.from_loopback = false;
    if (((flags >> 3) & 3) == 2) req.authorization = {};
  }

  const auto reply = net::handle_api(req, wd.config, wd.registry);
  const std::string_view path = std::string_view(target).substr(0, target.find('?'));
  const bool ours = path == "/api" || path.starts_with("/api/");  // the probes (/healthz, …) are probes.hpp's
  if (reply.has_value() != ours) fuzz::fail("handle_api answered a path that is not its own, or not one of its own: " + target);
  if (!reply) return 0;
  switch (reply->status) {
    case 200: case 201: case 400: case 401: case 403: case 404: case 405: case 413: case 415: case 429: case 500: case 503: break;
    default: fuzz::fail("undocumented status " + std::to_string(reply->status) + " for " + target);
  }
  if (reply->status == 201) {
    ++wd.created;
  } else if (reply->body.find(wd.w.facilitator_token) != std::string::npos ||
             reply->body.find(wd.w.observer_token) != std::string::npos) {
    fuzz::fail("a reply carries a workshop secret: " + target);
  }
  return 0;
}
