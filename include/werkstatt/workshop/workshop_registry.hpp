#pragma once
// Every workshop of this node: creation, recovery at start, lookup by id,
// and shutdown.
//
// Workshops live as long as the process (a workshop is a few MiB at most and
// organisers return to it for days), so the registry owns them; sessions
// find theirs here and hold a shared_ptr while connected.
//
// Thread safety: every method may be called from any thread.
#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "werkstatt/journal/journal.hpp"
#include "werkstatt/workshop/workshop.hpp"

namespace werkstatt::workshop {

// The credentials of a new workshop, returned once: only digests of the
// tokens are stored, so they cannot be shown again.
struct CreatedWorkshop {
  std::string id;
  std::string join_code;
  std::string facilitator_token;
  std::string observer_token;
};

// Why create() failed: the caller's arguments, or the server (journal
// refused, shutting down), which a client may retry later.
struct CreateError {
  bool invalid_argument = true;
  std::string message;  // a sentence for the caller
};

class WorkshopRegistry {
 public:
  WorkshopRegistry(boost::asio::io_context& io, journal::Journal& journal, WorkshopOptions options);
  WorkshopRegistry(const WorkshopRegistry&) = delete;
  WorkshopRegistry& operator=(const WorkshopRegistry&) = delete;

  // Recovers every workshop the journal knows. Call once, before serving.
  // A workshop that cannot be recovered is skipped and named in the result
  // (the others still serve); the status is not ok if any failed.
  [[nodiscard]] journal::Status recover_all();

  // Creates a workshop from template `template_id` (board::known_template)
  // with `title` (empty: the template's name) in `language` ("de"/"en").
  // Stores its metadata, then journals the template ops. nullopt and `error` if an argument is invalid or the journal
  // refuses the metadata.
  [[nodiscard]] std::optional<CreatedWorkshop> create(std::string_view template_id, std::string_view title,
                                                      std::string_view language, CreateError* error);

  [[nodiscard]] std::shared_ptr<Workshop> find(std::string_view id) const;
  // The workshop whose current join code `code` is (as typed), if any.
  [[nodiscard]] std::shared_ptr<Workshop> find_by_join_code(std::string_view code) const;
  // The journal every workshop writes to (replay and exports read it).
  [[nodiscard]] journal::Journal& journal() const { return journal_; }
  [[nodiscard]] std::vector<std::shared_ptr<Workshop>> all() const;

  // Shuts every workshop down (Workshop::shutdown); `done` runs once all
  // have finished, on some workshop's strand. Creating afterwards fails.
  void shutdown(std::function<void()> done);

 private:
  boost::asio::io_context& io_;
  journal::Journal& journal_;
  const WorkshopOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Workshop>, std::less<>> by_id_;
  bool shut_down_ = false;
};

}  // namespace werkstatt::workshop
