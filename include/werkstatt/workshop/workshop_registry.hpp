#pragma once
// Every workshop of this node: creation, the catalog of stored workshops,
// loading on demand, unloading when idle, lookup, and shutdown.
//
// On demand: at start only the workshops' metadata is read (a few hundred
// bytes each; no board is built). A workshop is loaded (latest snapshot +
// tail) on its first Hello or REST call and unloaded once nobody has held
// it for WorkshopOptions::idle_unload; unloading stores its summary
// (title, language, closed, last activity) in its metadata, so the admin
// list, the join-code lookup and retention need no replay. Workshops whose
// metadata has no summary yet (stored by an older werkstatt) are loaded at
// start, as before, and get one when they are unloaded.
//
// Sessions hold a shared_ptr while connected; a workshop is unloaded only
// when the registry's is the only one (no session, no request, no handler,
// no append in flight: it is at rest and all it did is stored), and is never
// loaded twice at once: a load waits for another load of it to finish.
//
// Thread safety: every method may be called from any thread. find() and
// list() may read the journal (a replay): never on an I/O thread or a
// strand; the I/O threads use find_loaded() and hand a load to the worker
// pool.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <condition_variable>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "werkstatt/journal/journal.hpp"
#include "werkstatt/workshop/workshop.hpp"
#include "werkstatt/workshop/worker_pool.hpp"

namespace werkstatt::workshop {

// The credentials of a new workshop, returned once: only digests of the
// tokens are stored, so they cannot be shown again.
struct CreatedWorkshop {
  std::string id;
  std::string join_code;
  std::string facilitator_token;
  std::string observer_token;
  WorkshopInfo info;  // as created
};

// Why create() failed: the caller's arguments, or the server (journal
// refused, shutting down), which a client may retry later.
struct CreateError {
  bool invalid_argument = true;
  std::string message;  // a sentence for the caller
};

// What a new workshop may carry beyond its template (the organiser page).
struct CreateExtras {
  std::string planned_date;  // "YYYY-MM-DD" or empty
  // A workshop to copy the structure of instead of the template (its record
  // as of now: board::copy_ops), and whether its notes come along.
  std::string copy_from;
  bool copy_notes = false;
  bool is_template = false;  // kept to copy from; listed as a template
};

// "YYYY-MM-DD" naming a real calendar day (years 2000-2999).
[[nodiscard]] bool valid_planned_date(std::string_view date);

class WorkshopRegistry {
 public:
  WorkshopRegistry(boost::asio::io_context& io, journal::Journal& journal, WorkshopOptions options);
  ~WorkshopRegistry();  // waits for erasures still running
  WorkshopRegistry(const WorkshopRegistry&) = delete;
  WorkshopRegistry& operator=(const WorkshopRegistry&) = delete;

  // Reads the catalog of every workshop the journal knows and loads those
  // without a summary; starts unloading idle ones. Call once, before
  // serving. A workshop that cannot be loaded (damaged metadata, events or
  // snapshots; found here or at its first load) is not served: it is kept
  // as damaged (damage()), logged with what and where, and named in the
  // result; the others still serve. Not ok if any failed, or if the list of
  // workshops itself cannot be read (then `listing_complete` is set false:
  // workshops may be missing, and a server must not start, or they would
  // silently answer 404).
  [[nodiscard]] journal::Status recover_all(bool* listing_complete = nullptr);
  // Why a workshop is not served because its stored history is damaged
  // (nullopt: it is not known as damaged). Such a workshop answers
  // WebSocket clients with a fatal Error WORKSHOP_DAMAGED and its REST
  // routes with 503; nothing is ever written to it.
  [[nodiscard]] std::optional<journal::Status> damage(std::string_view id) const;
  [[nodiscard]] std::vector<std::pair<std::string, journal::Status>> damaged() const;

  // Creates a workshop from template `template_id` (board::known_template)
  // with `title` (empty: the template's name) in `language` ("de"/"en").
  // `retention_days`: erased that many days after its last activity (0:
  // kept until deleted; at most kMaxRetentionDays); nullopt: the server's
  // WorkshopOptions::retention_days. The value is stored in its metadata,
  // so a later change of the server's default does not change it.
  // Stores its metadata, then journals the template ops. nullopt and `error` if an argument is invalid or the journal
  // refuses the metadata. With extras.copy_from the source's record is read
  // from the journal (a replay: call off the I/O threads, as REST does) and
  // copied instead of the template; not found or damaged: an error.
  [[nodiscard]] std::optional<CreatedWorkshop> create(std::string_view template_id, std::string_view title,
                                                      std::string_view language, CreateError* error,
                                                      std::optional<std::uint32_t> retention_days = std::nullopt,
                                                      const CreateExtras& extras = {});

  // The workshop, loaded from the journal if it is not (blocks for the
  // replay: not on an I/O thread or a strand). nullptr: unknown, damaged
  // (damage() says why; also when this load found it damaged), erasing, or
  // shutting down.
  [[nodiscard]] std::shared_ptr<Workshop> find(std::string_view id);
  // find() on `pool`, once for everyone who asks while it runs: a room of
  // participants joining a workshop that is not loaded takes one job of the
  // pool, not one each. `done` runs on a pool thread (or here, when it is
  // loaded already) with find()'s answer. False, and `done` never runs,
  // when the pool refused the job (full: the caller asks the client to
  // retry).
  [[nodiscard]] bool find_async(std::string_view id, WorkerPool& pool,
                                std::function<void(std::shared_ptr<Workshop>)> done);
  // The workshop if it is loaded now; never reads the journal.
  [[nodiscard]] std::shared_ptr<Workshop> find_loaded(std::string_view id) const;
  // Whether the catalog has the workshop and it is not known to be damaged:
  // find() would load it. With a shared journal the catalog also learns of
  // workshops other nodes created (one read of the journal per unknown id).
  [[nodiscard]] bool stored(std::string_view id) const;
  // Why the last load of a workshop did not take it (shared journals):
  // another node holds it (`moved`), or the journal could not be asked.
  // nullopt when it was not refused. Clients get Error MOVED and retry.
  [[nodiscard]] std::optional<journal::Status> held_elsewhere(std::string_view id) const;
  // The id of the open workshop whose current join code `code` is (as
  // typed), loaded or not; never reads the journal.
  [[nodiscard]] std::optional<std::string> id_by_join_code(std::string_view code) const;
  // What the organiser's list shows of every stored workshop that is not
  // damaged or being erased: loaded ones as they are, the others from their
  // summary and their stored head (one read each; call off the I/O threads).
  [[nodiscard]] std::vector<WorkshopInfo> list() const;
  // The number of stored workshops (loaded or not, damaged ones included).
  [[nodiscard]] std::size_t stored_count() const;
  // The journal every workshop writes to (replay and exports read it).
  [[nodiscard]] journal::Journal& journal() const { return journal_; }
  // Its write state, shared by every workshop (probes and metrics read it).
  [[nodiscard]] const JournalHealth& journal_health() const { return *options_.journal_health; }
  // The loaded workshops.
  [[nodiscard]] std::vector<std::shared_ptr<Workshop>> all() const;
  // Unloads every loaded workshop nobody has held for idle_unload (as its
  // timer does, every idle_unload / 4; tests call it directly). Returns how
  // many it started to unload.
  std::size_t unload_idle();

  // Erases a workshop while serving: it leaves the registry at once (new
  // Hellos get WORKSHOP_DELETED, REST 410 while erasing, 404 after), its
  // connections are closed with a fatal Error WORKSHOP_DELETED once the
  // appends in flight completed, then Journal::erase_workshop runs on a
  // thread of the registry's own (it blocks for the compaction). `done`
  // runs once with the result, on that thread. A damaged workshop can be
  // erased too. not_found if this registry knows no such workshop.
  void erase(std::string_view workshop_id, std::function<void(journal::Status)> done);
  enum class Erasure { none, running, failed };
  [[nodiscard]] Erasure erasure(std::string_view workshop_id) const;

  // Erases one person from a served workshop on request (DSGVO Art. 17):
  // Workshop::erase_participant (the pseudonym for everyone, their
  // connections closed, no resume), then Journal::erase_participant on a
  // thread of the registry's own, which rewrites the older records that
  // carried their name or secret and compacts the old versions away. `done`
  // runs once with the result and the pseudonym: on that thread, or at once
  // when refused (not_found: no such served workshop or participant).
  // Idempotent: erasing an erased person runs the rewrite again.
  void erase_participant(std::string_view workshop_id, std::string_view participant_id,
                         Workshop::ParticipantErased done);

  // Retention: from now on, every WorkshopOptions::retention_sweep_interval
  // (and once at once) the workshops whose WorkshopInfo::erase_after_ms()
  // has passed by WorkshopOptions::retention_clock are erased with erase(),
  // the same verified erasure as `delete-workshop`. The look itself runs on
  // the io_context as a timer handler and only reads each loaded
  // workshop's info and each other's summary (a mutex); one that looks due
  // by its summary is loaded first, on the registry's own thread, and
  // erased only if its real last activity says so; the erasure blocks on
  // that thread too. `erased`
  // runs once per erasure with its result, on that thread (e.g. for the
  // audit log). Damaged workshops are not looked at (their dates cannot be
  // read); shutdown() stops the sweep. Call once.
  using RetentionErased = std::function<void(const WorkshopInfo& due, const journal::Status& result)>;
  void start_retention(RetentionErased erased);
  // One look now, as the timer does (tests; the timer keeps its own pace).
  void sweep_retention();

  // Shuts every workshop down (Workshop::shutdown); `done` runs once all
  // have finished, on some workshop's strand. Creating afterwards fails.
  void shutdown(std::function<void()> done);

 private:
  // How workshops and the journal reach the registry (hand-overs) without
  // outliving it: the destructor clears `registry` under `mutex`.
  struct Handover {
    std::mutex mutex;
    WorkshopRegistry* registry = nullptr;
  };
  boost::asio::io_context& io_;
  journal::Journal& journal_;
  std::shared_ptr<Handover> handover_;
  const WorkshopOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Workshop>, std::less<>> by_id_;  // loaded
  // The catalog: every readable one (mutable: a shared journal's lookups add to it).
  mutable std::map<std::string, v1::WorkshopMeta, std::less<>> stored_;
  std::map<std::string, journal::Status, std::less<>> elsewhere_;  // held_elsewhere()
  // Adds a workshop another node created to the catalog (shared journals).
  // REQUIRES: `lock` holds mutex_; released while the journal is read.
  void learn_locked(std::unique_lock<std::mutex>& lock, std::string_view id) const;
  // Forgets a loaded instance another node took over (Workshop::on_moved)
  // and releases its lease if this node still holds it.
  void forget_moved(const std::string& id);
  // Shared journals: unloads a workshop just created and releases it.
  void hand_back_new(const std::string& id);
  std::set<std::string, std::less<>> loading_;                          // being loaded by some thread
  // find_async(): those waiting for the one pool job that loads each id.
  std::map<std::string, std::vector<std::function<void(std::shared_ptr<Workshop>)>>, std::less<>> load_waiters_;
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> idle_since_;
  std::condition_variable changed_;  // loading_ or background_jobs_ shrank
  void unload_idle_now() { (void)unload_idle(); }
  // Runs `work` every `interval` on `timer` (its strand) until shutdown() cancels it.
  void every(boost::asio::steady_timer& timer, std::chrono::milliseconds interval, void (WorkshopRegistry::*work)());
  // Loads a workshop of the catalog. REQUIRES: `lock` holds mutex_; it is
  // released during the replay.
  std::shared_ptr<Workshop> load_locked(std::unique_lock<std::mutex>& lock, const std::string& id);
  // Logs why and keeps it as damaged (REQUIRES: mutex_ held).
  void not_served_locked(const std::string& id, const journal::Status& status);
  std::size_t background_jobs_ = 0;  // retention checks on threads of their own
  std::map<std::string, journal::Status, std::less<>> damaged_;
  std::map<std::string, Erasure, std::less<>> erasures_;
  std::vector<std::thread> erase_threads_;
  bool shut_down_ = false;
  // The sweep's timer lives on a strand of its own: it is re-armed from its
  // handler (any I/O thread) and cancelled from shutdown().
  boost::asio::strand<boost::asio::io_context::executor_type> retention_strand_;
  boost::asio::steady_timer retention_timer_;
  boost::asio::steady_timer unload_timer_;  // unload_idle(), on the same strand
  RetentionErased retention_erased_;  // set once by start_retention()
};

}  // namespace werkstatt::workshop
