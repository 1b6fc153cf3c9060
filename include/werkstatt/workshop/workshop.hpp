#pragma once
// A live workshop: its board, its connections, the path of every edit from
// a client to the journal and back out to everyone, and presence.
//
// The path of an op (docs/DESIGN.md, "Data flow of one edit")
//   submit() posts to the workshop strand → board.apply() assigns the next
//   seq → the EventRecord joins the append buffer; one handler later the
//   buffer goes to journal.append() (ops arriving together share an append;
//   appends are pipelined, never waited for) → when the journal's done()
//   reports ok, durable_seq advances and, in seq order, the author's
//   connection gets Ack{client_op_id, seq} and every other connection the
//   Event, encoded once for all of them (ops the server completes —
//   RotateJoinCode, Reveal — reach their author as the Event, then the Ack).
//   A rejected op is answered with Reject to its author only, at once.
//
// What a caller may rely on
// - Nothing that is not durable is ever sent: no Ack, no Event, no Welcome
//   state and no resume reaches a client before the journal has stored it.
//   The board runs ahead of the journal while appends are in flight, so a
//   Welcome is prepared at the board's seq T when the Hello arrives and held
//   back until T is durable (one append round trip; the welcome never waits
//   for appends issued after it, so a busy workshop cannot starve joins).
// - Every welcomed connection receives every durable event after its
//   Welcome's seq exactly once, gapless, in seq order; its own ops as Acks.
// - An op resent with a client_op_id already seen from that participant is
//   never applied again: it is answered with its original seq (the Ack waits
//   for durability if the original is still in flight). The last
//   WorkshopOptions::remembered_ops ids per participant are kept, durably:
//   each event carries its id into the journal's idempotency index in the
//   same write (and the id it pushes out of the window), and recovery loads
//   that index, so a resend is recognised after any number of events by
//   others and any restart.
// - History identity: every Welcome carries history_id (the journal's
//   incarnation and the workshop id). A Hello whose last_seen_seq is above
//   the head, or whose history_id is a different one, gets a full-state
//   Welcome with history_reset = true, never a partial resume of a history
//   this server does not have (e.g. after a backup was restored).
// - Journal failure: the workshop turns read-only. Ops in flight are never
//   acknowledged (their authors get Reject READ_ONLY), everyone gets a
//   non-fatal Error READ_ONLY, later ops get Reject READ_ONLY, and once the
//   last append in flight has completed the board is rebuilt from the
//   journal (latest snapshot + tail), so it equals what was stored. The
//   server's JournalHealth retries the journal (one loop for all
//   workshops); once it takes writes again the workshop accepts ops again
//   (the next op is simply acked).
// - Joins and leaves are events by the system author. A participant with
//   several connections leaves when the last one closes. While read-only,
//   joins and leaves are made up for once writes resume.
// - Presence (cursor, viewport, typing) is never journaled; per participant
//   the latest state wins and at most one PresenceUpdate per
//   presence_interval goes out (default 50 ms: ≤ 20 updates/s).
// - Snapshots: every snapshot_every events, once they are durable, the state
//   at that seq is queued with journal.store_snapshot(); metadata changes
//   (a rotated join code, new links) with journal.store_workshop(), in the
//   order they were made. Nothing on the strand waits for a write.
// - What each viewer may see is the board's decision (Board::view_for,
//   Board::views_of): Welcomes carry the viewer's view; an event is encoded
//   once per distinct view (at most three) and each connection gets the one
//   for its participant and role, so unrevealed notes and others' ballots
//   are withheld, not blurred. During a private phase participants' cursors
//   reach facilitators only; while a voting round is open participants'
//   cursors, viewports, typing and drags reach nobody; presence never names
//   a note its recipient may not see (typing_note_id, Drag.note_ids, also in
//   Welcome.online); in pseudonymous workshops presence carries the names
//   each viewer may see.
// - The server's clock: a running phase timer is expired by the system
//   author at its deadline. A facilitator's RotateJoinCode gets a fresh
//   server-made code; the current code is the board's.
// - A participant a facilitator removed is disconnected and cannot resume
//   that identity.
// - Resumes are served from the recent events kept in memory (which carry
//   every view); a client further behind gets a snapshot Welcome instead.
//
// Thread safety: the public methods may be called from any thread; they post
// to the workshop's strand, where all state lives. info() reads a copy kept
// under a mutex. A Workshop must be owned by a shared_ptr (handlers hold it).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "werkstatt/board/board.hpp"
#include "werkstatt/journal/journal.hpp"
#include "werkstatt/metrics/metrics.hpp"
#include "werkstatt/v1/journal.pb.h"
#include "werkstatt/v1/protocol.pb.h"
#include "werkstatt/workshop/client.hpp"
#include "werkstatt/workshop/join_codes.hpp"
#include "werkstatt/workshop/journal_health.hpp"

namespace werkstatt::workshop {

struct WorkshopOptions {
  // Concurrent connections per workshop. Sized for the target workshops
  // (150 people, some with two devices, a projector) with margin; the board
  // itself caps identities at board::limits::kMaxParticipants.
  std::size_t max_connections = 500;
  // Connections above max_connections only facilitator and observer tokens
  // may use, so a full room never turns its facilitators or projector away.
  std::size_t token_holder_headroom = 32;
  // How often the journal is asked to take writes again while it refuses
  // them (JournalHealth), and a failed rebuild is retried. Frequent enough
  // that a freed disk is noticed quickly, rare enough not to hammer a
  // failing one.
  std::chrono::milliseconds retry_interval{5000};
  // The journal's write state, shared by every workshop of a server (the
  // registry makes one). Null: the workshop makes its own.
  std::shared_ptr<JournalHealth> journal_health;
  // Presence coalescing period: at most one PresenceUpdate per period
  // (50 ms = 20/s), latest state per participant wins.
  std::chrono::milliseconds presence_interval{50};
  // Recent encoded events kept for resumes. A phone that drops off for a
  // minute in a busy workshop misses a few hundred events; 4096 events or
  // 8 MiB covers that from memory, older gaps are read from the journal.
  std::size_t recent_events = 4096;
  std::size_t recent_bytes = 8u << 20;
  // A resume that misses more events than this gets a full snapshot instead:
  // past this point the snapshot is smaller and cheaper than the events.
  std::uint64_t max_resume_gap = 10'000;
  // Events between snapshots: bounds recovery and replay to 1000 events
  // after the nearest snapshot.
  std::uint64_t snapshot_every = 1000;
  // client_op_ids remembered per participant for idempotent resends. A
  // client resends at most its unacked ops, far fewer than 1024.
  std::size_t remembered_ops = 1024;
  // The join codes of the server's open workshops (shared; see JoinCodeBook).
  // Null: codes are drawn without a uniqueness check (single-workshop tests).
  std::shared_ptr<JoinCodeBook> join_codes;
  // Retention (WorkshopRegistry): a workshop is erased this many days after
  // its last activity (see WorkshopInfo::last_activity_ms); 0 = kept until
  // deleted. The default for new workshops that name none and for workshops
  // stored without one. 90 days leaves organisers a quarter to write up
  // their minutes, and nothing stays forever unless an operator says so.
  std::uint32_t retention_days = 90;
  // How often the registry looks for workshops that are due. An hour: a
  // retention is counted in days, and a look is a few mutex reads per workshop.
  std::chrono::milliseconds retention_sweep_interval{std::chrono::hours(1)};
  // The wall clock the retention sweep compares due dates with (ms since the
  // Unix epoch). Null: the system clock. Tests move it forward by days.
  std::function<std::int64_t()> retention_clock;
  // A loaded workshop nobody has held for this long (no connection, no
  // request, nothing in flight) is unloaded (WorkshopRegistry): memory goes
  // with the workshops in use, not with all that are stored. Ten minutes
  // rides out a coffee break without a reload; 0: never unloaded.
  std::chrono::milliseconds idle_unload{std::chrono::minutes(10)};
  // Called (on the workshop's strand) when another node took the workshop
  // over (a shared journal answered `moved`): the registry forgets this
  // instance, so the next client loads it afresh or is sent on. Null: nobody.
  std::function<void(const std::string& workshop_id)> on_moved;
};

// The longest retention a workshop may have (100 years): beyond it, keep (0).
inline constexpr std::uint32_t kMaxRetentionDays = 36'500;

// What GET /api/workshops/{id} shows. No secrets.
struct WorkshopInfo {
  std::string id;
  std::string title;
  std::string language;
  std::string template_id;
  std::int64_t created_ms = 0;
  std::string planned_date;  // "YYYY-MM-DD" or empty
  std::string copied_from;   // the workshop it was copied from, or empty
  bool is_template = false;
  std::uint64_t head_seq = 0;  // durable
  std::size_t participants_online = 0;
  std::size_t connections = 0;
  bool read_only = false;
  bool closed = false;
  // Retention: days after the last activity (0: kept until deleted), and
  // the time of the last durable event that is not a leave (for a closed
  // workshop its closing, since nothing is journaled after it; leaves are
  // not activity, so the leaves a restart records do not move the date).
  std::uint32_t retention_days = 0;
  std::int64_t last_activity_ms = 0;
  // When the server erases it (ms since the epoch); 0: never.
  [[nodiscard]] std::int64_t erase_after_ms() const {
    return retention_days == 0 ? 0 : last_activity_ms + std::int64_t{retention_days} * 86'400'000;
  }
};

class Workshop : public std::enable_shared_from_this<Workshop> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // A new workshop: `meta` is already stored (put_workshop); `setup` are the
  // template ops, applied by the system author and journaled as events.
  // With `status`: returns once those events are durable (blocks for one
  // synced append, completed by the journal's thread, never needing an I/O
  // thread) and `status` says whether they were stored (if not, the
  // workshop is read-only as after any journal failure). Without: returns
  // at once, the template is appended like any other events.
  [[nodiscard]] static std::shared_ptr<Workshop> create(boost::asio::io_context& io, journal::Journal& journal,
                                                        v1::WorkshopMeta meta, const std::vector<v1::Op>& setup,
                                                        const WorkshopOptions& options,
                                                        journal::Status* status = nullptr);
  // A workshop from the journal: latest snapshot + tail, participants'
  // secret digests, recent client op ids and events. Participants the
  // journal shows online (the server stopped while they were connected) are
  // marked as left. nullptr and `status` set if the journal is corrupt.
  [[nodiscard]] static std::shared_ptr<Workshop> recover(boost::asio::io_context& io, journal::Journal& journal,
                                                         v1::WorkshopMeta meta, const WorkshopOptions& options,
                                                         journal::Status* status);

  ~Workshop();
  Workshop(const Workshop&) = delete;
  Workshop& operator=(const Workshop&) = delete;

  // A connection said Hello (protocol version already checked). Checks the
  // credential before anything else; on failure the client gets a fatal
  // Error and is closed. Otherwise it gets its Welcome once its state is
  // durable, then every later event.
  void join(std::shared_ptr<Client> client, v1::Hello hello);
  // An op from a joined connection (ignored if the connection is unknown,
  // e.g. its join failed, or the workshop is shutting down: the client
  // resends unacked ops after reconnecting).
  void submit(std::uint64_t connection_id, v1::OpRequest request);
  void update_presence(std::uint64_t connection_id, v1::Presence presence);
  // The connection is gone (called from its destructor).
  void detach(std::uint64_t connection_id);
  // Stops taking ops, lets appends in flight complete and be acked, closes
  // every connection with Error SHUTTING_DOWN (going_away), records the
  // leaves, then calls `done` once (on the strand).
  void shutdown(std::function<void()> done);
  // As shutdown(), for a workshop about to be erased: every connection is
  // closed with a fatal Error WORKSHOP_DELETED (policy close) and new joins
  // get the same. `done` runs once nothing of it is in flight.
  void close_for_erasure(std::function<void()> done);
  // Another node serves this workshop now (the journal lost its lease):
  // stops taking ops and closes every connection with Error MOVED (close
  // 1001), so clients reconnect through the proxy to the node that holds
  // it and resend what was not acknowledged here; nothing in flight is
  // acknowledged or rejected, and nothing more is journaled (not even the
  // connections leaving). New joins get the same. Calls on_moved.
  void hand_over();

  // Erases one person on request (DSGVO Art. 17; see
  // WorkshopRegistry::erase_participant). Journals EraseParticipant by the
  // system author: their name becomes the pseudonym "Gelöschte Person N" /
  // "Erased person N" (the workshop's language) for everyone, their
  // identity is removed and can never resume; their notes stay. Once that
  // event is durable their connections get a fatal Error PARTICIPANT_ERASED,
  // their secret digest is forgotten, and the recent events kept for
  // resumes are dropped (they carry the old name: a client from before gets
  // a full Welcome instead). Then, once no snapshot older than the event is
  // still being stored, `journaled` runs on the strand with ok and the
  // pseudonym: the caller rewrites the older records off the strand
  // (Journal::erase_participant). An erased person answers ok with their
  // pseudonym again (a failed rewrite can be retried). not_found: no such
  // participant; read_only / closed: nothing was changed; a journal failure
  // before the event was stored: that failure (the board is rebuilt without it).
  using ParticipantErased = std::function<void(const journal::Status&, const std::string& pseudonym)>;
  void erase_participant(std::string participant_id, ParticipantErased journaled);

  // Closes the workshop for its organiser (REST, the admin page), as a
  // facilitator's CloseWorkshop would: journaled as a system event, `done`
  // runs on the strand once it is durable (ok; also ok if it was closed
  // already), or with why not (read_only, closed while shutting down, the
  // journal's failure).
  void close_by_organiser(std::function<void(const journal::Status&)> done);

  // New facilitator and observer links for the organiser (the first ones
  // cannot be shown again: only digests are stored). The links made before
  // keep working; of the extra ones the newest kMaxExtraLinks do. `done`
  // runs on the strand once the metadata with the new digests is stored,
  // with the two new tokens (empty on failure).
  static constexpr std::size_t kMaxExtraLinks = 20;
  using LinksMade = std::function<void(const journal::Status&, const std::string& facilitator_token,
                                       const std::string& observer_token)>;
  void add_links(LinksMade done);

  [[nodiscard]] const std::string& id() const { return meta_.id(); }
  [[nodiscard]] WorkshopInfo info() const;
  // Its metadata as last queued to the journal, with the registry's summary
  // (title, language, closed, last activity) as of now.
  [[nodiscard]] v1::WorkshopMeta metadata() const;
  // Whether `code` (as typed; normalised here) is this workshop's current
  // join code. Compares digests in constant time.
  [[nodiscard]] bool has_join_code(std::string_view code) const;
  // Whether `token` is this workshop's facilitator token (constant time).
  [[nodiscard]] bool has_facilitator_token(std::string_view token) const;
  // The current join code for a join screen (GET …/join-screen): for the
  // facilitator token always, for the observer token (the projector) only
  // while the facilitator shows the join screen (PROJECTOR_VIEW_JOIN).
  // nullopt for any other token, and once the workshop is closed.
  [[nodiscard]] std::optional<std::string> join_screen_code(std::string_view token) const;

 private:
  struct Member {  // a participant identity known to this workshop
    std::string id;
    std::string display_name;
    v1::Role role = v1::ROLE_UNSPECIFIED;
    std::string secret_sha256;
    std::size_t connections = 0;  // attached
    std::size_t welcomed = 0;     // attached and welcomed: "online" in presence
    v1::PresenceState presence;
    bool presence_dirty = false;
  };
  struct Connection {
    std::weak_ptr<Client> client;
    std::shared_ptr<SendGroup> group;  // null: send to the client directly
    std::string participant_id;
    bool welcomed = false;
    std::uint64_t delivered_seq = 0;  // the last seq this connection has
    std::vector<Frame> deferred;      // must follow the Welcome (early acks, rejects, notices)
    std::vector<Frame> out;           // gathered during one delivery pass, sent as one send()
    std::optional<metrics::Role> metric_role;  // counted in werkstatt_connections{role}
    // The role its Welcome was prepared for (unspecified until then): what it
    // was sent depends on it, so a different role starts its view over.
    v1::Role view_role = v1::ROLE_UNSPECIFIED;
  };
  struct PendingWelcome {
    std::uint64_t connection_id = 0;
    std::uint64_t last_seen_seq = 0;  // from the Hello
    std::uint64_t at_seq = 0;         // the state the Welcome describes
    bool resume = false;              // no state: events (last_seen_seq, at_seq] follow
    std::string seen_history_id;      // from the Hello (empty: an older client)
    bool rewelcome = false;           // a welcomed connection whose role changed: its view starts over
    v1::Welcome welcome;
  };
  // A durable event, encoded once per distinct view (see EventViews).
  struct EncodedEvent {
    std::uint64_t seq = 0;
    Frame full;
    Frame facilitators;  // null: facilitators get `full`
    Frame others;        // null: everyone else gets `full`
    std::vector<std::string> full_viewers;
    [[nodiscard]] bool uniform() const { return !facilitators && !others; }
    [[nodiscard]] const Frame& for_viewer(std::string_view participant_id, v1::Role role) const;
    [[nodiscard]] std::size_t bytes() const;
  };
  struct Inflight {  // applied to the board, not yet durable
    board::EventViews views;
    std::uint64_t author_connection = 0;  // 0: a system event
    std::string client_op_id;
    std::vector<std::uint64_t> resent_by;  // connections that resent this op before it was durable
    std::shared_ptr<const v1::Snapshot> snapshot;
    std::chrono::steady_clock::time_point received{};  // when the author's op arrived (ack latency)
  };
  // Someone waiting for an event of theirs to be durable, and for the
  // snapshots older than it to be stored (an erasure rewrites those next).
  struct DurableWait {
    std::uint64_t seq = 0;  // their event (or the head, for one that happened before)
    std::function<void(const journal::Status&)> done;  // ok, or why the event was not stored
  };
  struct RememberedOps {
    std::unordered_map<std::string, std::uint64_t> seq_of;
    std::deque<std::string> order;
  };

  Workshop(boost::asio::io_context& io, journal::Journal& journal, v1::WorkshopMeta meta,
           const WorkshopOptions& options);

  void do_join(const std::shared_ptr<Client>& client, v1::Hello& hello);
  // The Hello names a known, not removed identity with its right secret.
  [[nodiscard]] bool resumable(const v1::Hello& hello) const;
  void do_submit(std::uint64_t connection_id, v1::OpRequest& request);
  void do_presence(std::uint64_t connection_id, const v1::Presence& presence);
  void do_detach(std::uint64_t connection_id);
  void do_clock();
  void do_erase_participant(const std::string& participant_id, ParticipantErased journaled);
  // Hands durable erasures to their callers once no older snapshot is being stored.
  void release_durable_waits();

  // Applies a system op (join/leave) and journals it; false if the board refused.
  bool apply_system(const v1::Op& op, std::string secret_sha256);
  void record(v1::Event event, std::uint64_t author_connection, const std::string& author_id, v1::Role role,
              const std::string& client_op_id, std::string secret_sha256);
  void flush_appends();
  void release_appends();  // ends the hold-back of create()/recover()
  void on_appended(std::uint64_t epoch, std::uint64_t last_seq, const journal::Status& status);
  void deliver_durable();
  void deliver_welcomes(std::uint64_t up_to_seq);
  void prepare_welcome(PendingWelcome& w);
  bool collect_events(const Connection& c, std::uint64_t after_seq, std::uint64_t up_to_seq, std::vector<Frame>& out);
  [[nodiscard]] static EncodedEvent encode_views(const board::EventViews& views);
  void remember_event(EncodedEvent event);
  [[nodiscard]] std::uint64_t first_recent_seq() const;
  [[nodiscard]] v1::Role role_of(const std::string& participant_id) const;
  void sync_member(const std::string& participant_id);  // role and name from the board
  void after_durable(const v1::Event& event);           // closes removed participants, stores a rotated code
  void schedule_clock();
  // Returns the id pushed out of the participant's window (empty if none).
  std::string remember_op(const std::string& participant_id, const std::string& client_op_id, std::uint64_t seq);
  void forget_ops_after(std::uint64_t seq);
  [[nodiscard]] std::uint64_t known_op(const std::string& participant_id, const std::string& client_op_id) const;
  void send_to(std::uint64_t connection_id, const Frame& frame);  // deferred until welcomed
  // Sends every connection's `out`: one task per send group (see Client).
  void flush_out();
  void store_snapshots(std::vector<std::shared_ptr<const v1::Snapshot>> snapshots);

  void on_journal_failure(const journal::Status& status);
  void on_moved(const journal::Status& status);
  void maybe_rebuild();
  void arm_retry();  // retries a rebuild that could not read the journal
  void on_retry();
  void wait_for_writes();  // asks journal_health to say when writes are taken again
  void try_resume();       // read-only → writable, once rebuilt and the journal takes writes
  // The token is the link's (`digest`) or one of the links made since
  // (`extra_digests`, read under info_mutex_), compared in constant time.
  [[nodiscard]] bool matches_link(std::string_view token, const std::string& digest,
                                  const std::vector<std::string>& extra_digests) const;
  // journal_.append(), or append_with_meta() with meta_ when a rotation or
  // closing among `records` changed it (meta_with_next_append_).
  void append_records(std::vector<v1::EventRecord> records, journal::AppendDone done);
  // meta_'s join code and closing from the board (and meta_copy_).
  void meta_follows_board();
  // Queues the metadata as it is now (in order with every other write).
  void store_meta(std::function<void(const journal::Status&)> stored);
  void reconcile_presence();  // joins/leaves the journal is missing (after read-only, at start)
  [[nodiscard]] bool needs_join_event(const Member& m) const;
  // The Hello names a participant this workshop knows, with its secret.
  [[nodiscard]] bool known_identity(const v1::Hello& hello) const;
  // At the identity cap: journals ForgetParticipants for identities nothing
  // refers to (Board::forgettable) and drops their credentials, so throw-away
  // identities cannot use a workshop up. Changes nothing when read-only.
  void forget_unused_identities();

  void mark_presence_dirty(Member& m);
  void arm_presence();
  void flush_presence();
  // `for_facilitators`: real names and every cursor; otherwise what a
  // participant or observer may see (pseudonyms, no cursors in private phases).
  [[nodiscard]] v1::PresenceState presence_of(const Member& m, bool for_facilitators) const;
  [[nodiscard]] bool presence_differs_by_role() const;
  // Whether `s` names a note (typing, drag) that is unknown or unrevealed.
  [[nodiscard]] bool names_unseen_notes(const v1::PresenceState& s) const;
  // Removes the ids of notes `viewer_id` may not see (a drag of none is dropped).
  void strip_unseen_notes(v1::PresenceState& s, std::string_view viewer_id) const;

  void maybe_finish_shutdown();
  // The member's role changed at the current seq: each of its connections
  // whose view was built for another role gets a fresh Welcome right after
  // that event.
  void rewelcome(const std::string& participant_id);
  // While a shutdown waits, says every few seconds what it waits for.
  void watch_shutdown();
  void close_connection(std::uint64_t connection_id, CloseCode code, const Frame& last);
  void update_info();
  [[nodiscard]] static std::int64_t now_ms();
  // The time stamped on the next event: now, but never before the last
  // event's (a clock stepped back must not reorder the record's times:
  // replay answers "the state at time T" by binary search over them).
  [[nodiscard]] std::int64_t event_time_ms() const { return std::max(now_ms(), last_event_ms_); }

  Strand strand_;
  boost::asio::io_context& io_;
  journal::Journal& journal_;
  v1::WorkshopMeta meta_;  // the join code changes with RotateJoinCode
  const std::string history_id_;  // Welcome.history_id
  const std::string facilitator_digest_;  // never changes: read from any thread
  const std::string observer_digest_;     // likewise
  // Under info_mutex_: the organiser's further links (add_links).
  std::vector<std::string> extra_facilitator_digests_;
  std::vector<std::string> extra_observer_digests_;
  [[nodiscard]] bool is_observer_token(std::string_view token) const;
  const WorkshopOptions options_;

  board::Board board_;
  std::uint64_t durable_seq_ = 0;
  std::int64_t last_activity_ms_ = 0;  // WorkshopInfo::last_activity_ms
  std::int64_t last_event_ms_ = 0;     // server time of the newest event (applied, not yet durable included)
  std::map<std::string, Member, std::less<>> members_;
  std::size_t online_ = 0;  // members with welcomed > 0
  std::unordered_map<std::uint64_t, Connection> connections_;
  std::deque<PendingWelcome> pending_welcomes_;  // ordered by at_seq
  std::deque<Inflight> inflight_;                // ordered by seq, consecutive
  std::vector<v1::EventRecord> append_buffer_;
  bool flush_posted_ = false;
  std::size_t appends_in_flight_ = 0;
  std::deque<EncodedEvent> recent_;  // durable events, consecutive seqs
  std::size_t recent_bytes_ = 0;
  std::unordered_map<std::string, RememberedOps> ops_;  // by participant id
  std::vector<DurableWait> durable_waits_;  // waiting for durability / snapshots
  std::size_t snapshots_storing_ = 0;  // store_snapshots() batches not yet written

  // Journal failure.
  bool read_only_ = false;
  bool rebuild_pending_ = false;
  std::uint64_t epoch_ = 0;  // appends of an older epoch belong to a failed stretch
  boost::asio::steady_timer retry_timer_;
  bool retry_armed_ = false;
  std::shared_ptr<JournalHealth> health_;
  bool waiting_for_writes_ = false;  // a when_writable() callback is registered
  bool writes_resumed_ = false;      // the journal took writes again since the failure

  // The phase timer's deadline (system time), when it runs.
  boost::asio::steady_timer clock_timer_;
  std::int64_t clock_deadline_ms_ = 0;

  // Presence.
  boost::asio::steady_timer presence_timer_;
  bool presence_armed_ = false;
  std::vector<std::string> presence_gone_;

  // Shutdown.
  boost::asio::steady_timer shutdown_watch_timer_;
  bool shutting_down_ = false;
  bool erasing_ = false;  // close_for_erasure(): goodbyes say WORKSHOP_DELETED
  bool moved_ = false;    // hand_over(): goodbyes say MOVED
  bool connections_closed_ = false;
  std::function<void()> shutdown_done_;

  mutable std::mutex info_mutex_;
  WorkshopInfo info_;
  v1::WorkshopMeta meta_copy_;  // under info_mutex_: meta_ as last queued (metadata())
  // meta_ goes into the next append's write (it holds a rotation's or a
  // closing's change).
  bool meta_with_next_append_ = false;
  // The join code stored with the newest durable rotation (or at creation):
  // the one the JoinCodeBook releases when the next rotation is durable.
  std::string durable_join_code_;
  std::string join_code_sha256_;  // under info_mutex_: the current code's digest
  std::string join_code_;         // under info_mutex_: the current code (empty once closed)
  bool join_on_projector_ = false;  // under info_mutex_: the projector shows the join screen
};

}  // namespace werkstatt::workshop
