#pragma once
// `--log-format json`: one JSON object per line on stderr, for a log
// collector (journald, Loki, Elasticsearch):
//   {"time":"2026-12-01T10:00:00.123Z","level":"info","event":"…",
//    "workshop":"…","connection":12,"client_address":"…"}
// time is UTC (ISO 8601, milliseconds); workshop, connection and
// client_address appear when the line is about one. They are taken from the
// server's message conventions ("workshop <id>: …", "connection <n> from
// <address>"), so every existing log line carries them without a second
// logging API; `event` is the message itself.
//
// Thread safety: install before any thread logs.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/formatter.h>

namespace werkstatt::app {

// The JSON line for one message (without the newline); exposed for tests.
[[nodiscard]] std::string json_log_line(std::string_view level, std::string_view message, long long unix_ms);

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace werkstatt::app
