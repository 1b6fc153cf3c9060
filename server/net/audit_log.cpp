#include "werkstatt/net/audit_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include "werkstatt/net/json.hpp"

namespace werkstatt::net {

std::shared_ptr<AuditLog> AuditLog::open(const std::string& path, std::string* error) {
  if (path == "-") return std::make_shared<AuditLog>(stderr, false);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  std::FILE* file = fd >= 0 ? ::fdopen(fd, "a") : nullptr;
  if (!file) {
    *error = "cannot open the audit log " + path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return nullptr;
  }
  return std::make_shared<AuditLog>(file, true);
}

AuditLog::~AuditLog() {
  if (owned_ && file_) std::fclose(file_);
}

void AuditLog::record(std::string_view event, std::string_view client, Fields fields) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char time[96];
  std::snprintf(time, sizeof time, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  json::Object line;
  line.field("time", std::string_view(time)).field("event", event).field("client", client);
  for (const auto& [key, value] : fields) line.field(key, value);
  std::string text = line.str();
  text += '\n';
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);
}

}  // namespace werkstatt::net
