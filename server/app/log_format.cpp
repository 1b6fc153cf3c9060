#include "log_format.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <regex>

#include "werkstatt/net/json.hpp"

namespace werkstatt::app {
namespace {

void field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":";
  net::json::append_string(out, value);
}

std::string iso_time(long long unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, unix_ms % 1000);
  return buf;
}

}  // namespace

std::string json_log_line(std::string_view level, std::string_view message, long long unix_ms) {
  static const std::regex kWorkshop(R"(^workshop ([A-Za-z0-9]+): )");
  static const std::regex kConnection(R"(\bconnection (\d+)(?: from ([0-9A-Fa-f:.]+))?)");
  std::string out = "{\"time\":\"" + iso_time(unix_ms) + "\"";
  field(out, "level", level);
  const std::string text(message);
  std::smatch w;
  const bool about_workshop = std::regex_search(text, w, kWorkshop);
  field(out, "event", about_workshop ? std::string_view(text).substr(static_cast<std::size_t>(w.length(0))) : text);
  if (about_workshop) field(out, "workshop", w[1].str());
  if (std::smatch c; std::regex_search(text, c, kConnection)) {
    out += ",\"connection\":";
    out += c[1].str();
    if (c[2].matched) field(out, "client_address", c[2].str());
  }
  out += '}';
  return out;
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
  const auto level = spdlog::level::to_string_view(msg.level);
  const std::string line = json_log_line(std::string_view(level.data(), level.size()),
                                         std::string_view(msg.payload.data(), msg.payload.size()), ms);
  dest.append(line.data(), line.data() + line.size());
  dest.push_back('\n');
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const { return std::make_unique<JsonLogFormatter>(); }

}  // namespace werkstatt::app
