#pragma once
// The join codes held by the open workshops of one server, so that a code
// names at most one workshop: a new code (at creation or rotation) is drawn
// until no other workshop holds it.
//
// Contract
// - claim() returns a code nobody holds and records it as held by the
//   caller's workshop; the workshop's previous code stays held until it
//   calls release() (after the rotation is durable, or when it closes).
// - A claimed code that is not used (the rotation was refused) is released
//   by the claimer.
// - With other nodes sharing the journal, a code one of their workshops
//   holds (refuse_also(), asked with the book's mutex held, so only at
//   claims) is not drawn either.
// - hold() records a code found in the journal (recovery). Two recovered
//   workshops with the same code (journals from before this check) are
//   logged by the caller; the later rotation of either ends it.
//
// Thread safety: every method may be called from any thread (one mutex).
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace werkstatt::workshop {

class JoinCodeBook {
 public:
  using Source = std::function<std::string()>;  // draws a candidate code
  explicit JoinCodeBook(Source source) : source_(std::move(source)) {}

  [[nodiscard]] std::string claim(std::string_view workshop_id) {
    std::lock_guard lock(mutex_);
    std::string code;
    do code = source_();
    while (holder_.contains(code) || (taken_elsewhere_ && taken_elsewhere_(code)));
    holder_.emplace(code, std::string(workshop_id));
    return code;
  }
  // False if another workshop holds `code` already (it stays theirs).
  bool hold(const std::string& code, std::string_view workshop_id) {
    std::lock_guard lock(mutex_);
    const auto [it, inserted] = holder_.emplace(code, std::string(workshop_id));
    return inserted || it->second == workshop_id;
  }
  // Codes held beyond this book (another node's workshops); set before serving.
  void refuse_also(std::function<bool(const std::string& code)> taken_elsewhere) {
    std::lock_guard lock(mutex_);
    taken_elsewhere_ = std::move(taken_elsewhere);
  }
  // Releases `code` if `workshop_id` holds it.
  void release(const std::string& code, std::string_view workshop_id) {
    std::lock_guard lock(mutex_);
    const auto it = holder_.find(code);
    if (it != holder_.end() && it->second == workshop_id) holder_.erase(it);
  }
  [[nodiscard]] bool held(const std::string& code) const {
    std::lock_guard lock(mutex_);
    return holder_.contains(code);
  }
  // The workshop that holds `code` (normalised), if any.
  [[nodiscard]] std::optional<std::string> holder(const std::string& code) const {
    std::lock_guard lock(mutex_);
    const auto it = holder_.find(code);
    if (it == holder_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  Source source_;
  std::function<bool(const std::string&)> taken_elsewhere_;
  std::map<std::string, std::string, std::less<>> holder_;  // code → workshop id
};

}  // namespace werkstatt::workshop
