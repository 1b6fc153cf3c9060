#pragma once
// The audit log: one JSON object per line for each security-relevant event,
// for the operator's SIEM or a plain `grep` (`--audit-log FILE`, `-` for
// stderr).
//
//   {"time":"2026-12-01T10:41:07.123Z","event":"credential_refused",
//    "client":"203.0.113.7","workshop":"w…","reason":"wrong join code"}
//
// Events (the `event` field): credential_refused (wrong join code, token,
// participant secret, admin Bearer, unknown workshop or code), rate_limited
// (a guessing or connection limit tripped), request_refused (Host, Origin or
// Content-Type: DNS rebinding and CSRF), workshop_created, workshop_closed,
// participant_removed, participant_erased, replay_access, export (also
// action export_participant) and workshop_erased (by the
// retention sweep: "client":"server", "reason":"retention"). `client` is
// otherwise always the real client address (behind a trusted proxy: the
// one the proxy reported).
// Never written: tokens, join codes, secrets, note texts, display names.
//
// Each line is written with one fwrite and flushed at once, so a crash loses
// no line and concurrent writers never interleave inside a line.
//
// Thread safety: record() may be called from any thread.
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace werkstatt::net {

class AuditLog {
 public:
  using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // "-": stderr; otherwise the file, appended to (created 0600). Null and
  // `error` if it cannot be opened.
  [[nodiscard]] static std::shared_ptr<AuditLog> open(const std::string& path, std::string* error);
  // Writes to `file`; closes it on destruction if `owned`.
  AuditLog(std::FILE* file, bool owned) : file_(file), owned_(owned) {}
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // One line: time, event, client, then `fields` in order (values escaped).
  void record(std::string_view event, std::string_view client, Fields fields = {});

 private:
  std::mutex mutex_;
  std::FILE* file_;
  bool owned_;
};

// record() if `log` is set.
inline void audit(AuditLog* log, std::string_view event, std::string_view client, AuditLog::Fields fields = {}) {
  if (log) log->record(event, client, fields);
}

}  // namespace werkstatt::net
