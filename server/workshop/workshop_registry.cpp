#include "werkstatt/workshop/workshop_registry.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <atomic>
#include <chrono>

#include "werkstatt/board/limits.hpp"
#include "werkstatt/board/templates.hpp"
#include "werkstatt/board/text.hpp"
#include "werkstatt/history/session.hpp"
#include "werkstatt/history/session_cache.hpp"
#include "werkstatt/metrics/metrics.hpp"
#include "werkstatt/workshop/secrets.hpp"

namespace werkstatt::workshop {
namespace asio = boost::asio;

namespace {
// One book of join codes and one journal health for every workshop of this server.
WorkshopOptions shared_by_all(WorkshopOptions options, journal::Journal& journal) {
  if (!options.join_codes) options.join_codes = std::make_shared<JoinCodeBook>(random_join_code);
  if (!options.journal_health)
    options.journal_health = std::make_shared<JournalHealth>(journal, options.retry_interval);
  return options;
}
}  // namespace

WorkshopRegistry::WorkshopRegistry(boost::asio::io_context& io, journal::Journal& journal, WorkshopOptions options)
    : io_(io),
      journal_(journal),
      handover_(std::make_shared<Handover>()),
      options_([&] {
        WorkshopOptions o = shared_by_all(std::move(options), journal);
        o.on_moved = [handover = handover_](const std::string& id) {
          std::lock_guard lock(handover->mutex);
          if (handover->registry) handover->registry->forget_moved(id);
        };
        return o;
      }()),
      retention_strand_(asio::make_strand(io)),
      retention_timer_(retention_strand_),
      unload_timer_(retention_strand_) {
  handover_->registry = this;
  if (journal_.shared())
    options_.join_codes->refuse_also([&journal = journal_](const std::string& code) {
      std::string holder;
      return journal.workshop_by_join_code(code, &holder).ok();
    });
  // A lease taken over, or asked for by the node the proxy sends this
  // workshop's clients to: the instance here sends its clients on (and
  // releases the lease if it still holds it). Runs on a journal thread.
  journal_.on_hand_over([handover = handover_](const std::string& id) {
    std::lock_guard lock(handover->mutex);
    if (!handover->registry) return;
    if (auto w = handover->registry->find_loaded(id)) w->hand_over();
  });
}

journal::Status WorkshopRegistry::recover_all(bool* listing_complete) {
  std::string failed;
  std::vector<v1::WorkshopMeta> metas;
  std::vector<journal::DamagedWorkshop> damaged;
  const journal::Status listed = journal_.workshops(&metas, &damaged);
  if (listing_complete) *listing_complete = listed.ok();
  for (const auto& d : damaged) {
    failed += (failed.empty() ? "" : ", ") + d.workshop_id;
    std::lock_guard lock(mutex_);
    not_served_locked(d.workshop_id, d.status);
  }
  // The catalog; open workshops hold their codes, so a code finds its
  // workshop before it is loaded and is never drawn for another.
  std::vector<std::string> without_summary;
  for (v1::WorkshopMeta& meta : metas) {
    if (!meta.closed() && !meta.join_code().empty() && !options_.join_codes->hold(meta.join_code(), meta.id()))
      spdlog::warn("workshop {}: its join code is also another open workshop's; rotate it", meta.id());
    if (meta.last_activity_ms() == 0) without_summary.push_back(meta.id());
    std::lock_guard lock(mutex_);
    stored_[meta.id()] = std::move(meta);
  }
  std::size_t loaded = 0;
  for (const std::string& id : without_summary) {
    if (find(id)) ++loaded;
    else failed += (failed.empty() ? "" : ", ") + id;
  }
  spdlog::info("{} workshop(s) in the journal; {} loaded at start (stored without a summary), the others load on "
               "their first use",
               metas.size(), loaded);
  if (options_.idle_unload.count() > 0)
    asio::post(retention_strand_, [this] {
      every(unload_timer_, std::max<std::chrono::milliseconds>(options_.idle_unload / 4, std::chrono::milliseconds(10)),
            &WorkshopRegistry::unload_idle_now);
    });
  if (!listed.ok()) return {listed.code(), "the list of workshops cannot be read completely: " + listed.message()};
  if (!failed.empty()) return {journal::Status::Code::corruption, "could not recover workshop(s) " + failed};
  return {};
}

void WorkshopRegistry::not_served_locked(const std::string& id, const journal::Status& status) {
  spdlog::error("workshop {} is damaged and is not served (clients get WORKSHOP_DAMAGED, its REST routes 503; "
                "run 'werkstatt inspect', then restore a backup): {}",
                id, status.message());
  damaged_[id] = status;
}

std::shared_ptr<Workshop> WorkshopRegistry::load_locked(std::unique_lock<std::mutex>& lock, const std::string& id) {
  const v1::WorkshopMeta meta = stored_.at(id);
  loading_.insert(id);
  lock.unlock();
  const auto started = std::chrono::steady_clock::now();
  // A shared journal serves a workshop from one node at a time: take it first.
  if (journal::Status held = journal_.acquire_workshop(id); !held.ok()) {
    if (held.code() == journal::Status::Code::moved)
      metrics::global().workshop_ownership.inc(metrics::label("event", "refused"));
    lock.lock();
    loading_.erase(id);
    changed_.notify_all();
    spdlog::info("workshop {}: not loaded here: {}", id, held.message());
    elsewhere_[id] = std::move(held);
    return nullptr;
  }
  if (journal_.shared()) metrics::global().workshop_ownership.inc(metrics::label("event", "taken"));
  journal::Status status;
  auto w = Workshop::recover(io_, journal_, meta, options_, &status);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  lock.lock();
  loading_.erase(id);
  changed_.notify_all();
  elsewhere_.erase(id);
  if (!w) {
    journal_.release_workshop(id);
    not_served_locked(id, status);
    return nullptr;
  }
  spdlog::info("workshop {}: loaded at seq {} in {} ms", id, w->info().head_seq, took.count());
  by_id_[id] = w;
  return w;
}

std::optional<journal::Status> WorkshopRegistry::damage(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = damaged_.find(id);
  if (it == damaged_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, journal::Status>> WorkshopRegistry::damaged() const {
  std::lock_guard lock(mutex_);
  return {damaged_.begin(), damaged_.end()};
}

bool valid_planned_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (d[i] < '0' || d[i] > '9') return false;
  const auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (d[i] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(5, 2), day = num(8, 2);
  if (year < 2000 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

std::optional<CreatedWorkshop> WorkshopRegistry::create(std::string_view template_id, std::string_view title,
                                                        std::string_view language, CreateError* error,
                                                        std::optional<std::uint32_t> retention_days,
                                                        const CreateExtras& extras) {
  if (!extras.planned_date.empty() && !valid_planned_date(extras.planned_date)) {
    *error = {true, "date must be a day as YYYY-MM-DD"};
    return std::nullopt;
  }
  // A copy takes the source's structure (and language) instead of a template.
  std::optional<v1::BoardState> source;
  std::string source_template;
  if (!extras.copy_from.empty()) {
    if (!stored(extras.copy_from)) {
      *error = {true, "there is no workshop " + extras.copy_from + " to copy"};
      return std::nullopt;
    }
    journal::Status st;
    auto record = history::SessionCache::shared().get(journal_, extras.copy_from, UINT64_MAX, &st);
    if (!record) {
      spdlog::error("copying workshop {} failed: {}", extras.copy_from, st.message());
      *error = {false, "the server cannot read the workshop to copy right now"};
      return std::nullopt;
    }
    source = record->state;  // shared with the cache: copied
    v1::WorkshopMeta source_meta;
    if (journal_.workshop(extras.copy_from, &source_meta).ok()) source_template = source_meta.template_id();
    template_id = source_template.empty() ? board::kBlankTemplate : std::string_view(source_template);
    language = source->settings().language() == "en" ? "en" : "de";
  }
  if (!board::known_template(template_id)) {
    *error = {true, "unknown template \"" + std::string(template_id) + "\" (use impuls-werkstatt or blank)"};
    return std::nullopt;
  }
  if (language != "de" && language != "en") {
    *error = {true, "language must be \"de\" or \"en\""};
    return std::nullopt;
  }
  std::string name(title);
  if (name.empty() && source) name = source->settings().title();
  if (name.empty()) name = template_id == board::kImpulsWerkstattTemplate ? "Impuls-Werkstatt" : "Workshop";
  if (board::check_text(name, board::limits::kMaxTitleChars, false) != board::TextCheck::ok) {
    *error = {true, "the title must be at most 120 characters of text without control characters"};
    return std::nullopt;
  }
  if (retention_days && *retention_days > kMaxRetentionDays) {
    *error = {true, "retention_days must be 0 (keep until deleted) to " + std::to_string(kMaxRetentionDays)};
    return std::nullopt;
  }

  CreatedWorkshop created;
  created.facilitator_token = random_token();
  created.observer_token = random_token();
  v1::WorkshopMeta meta;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) {
      *error = {false, "the server is shutting down"};
      return std::nullopt;
    }
    do created.id = random_base32(10);  // 16 characters, 80 bits
    while (by_id_.contains(created.id) || damaged_.contains(created.id));
  }
  created.join_code = options_.join_codes->claim(created.id);  // unique among the open workshops
  meta.set_id(created.id);
  meta.set_created_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count());
  meta.set_template_id(std::string(template_id));
  meta.set_join_code(created.join_code);
  meta.set_facilitator_token_sha256(sha256(created.facilitator_token));
  meta.set_observer_token_sha256(sha256(created.observer_token));
  meta.set_retention_days(retention_days.value_or(options_.retention_days));
  meta.set_planned_date(extras.planned_date);
  meta.set_copied_from(extras.copy_from);
  meta.set_is_template(extras.is_template);
  // The summary (registry.hpp): a new workshop's last activity is its creation.
  meta.set_last_activity_ms(meta.created_ms());
  meta.set_title(name);
  meta.set_language(std::string(language));
  if (const journal::Status s = journal_.put_workshop(meta); !s.ok()) {
    options_.journal_health->failed(s);
    spdlog::error("creating a workshop failed: the journal refused its metadata: {}", s.message());
    *error = {false, "the server cannot store a new workshop right now"};
    return std::nullopt;
  }
  // The template, then the join code: the board keeps the current code, and
  // facilitators' views show it.
  std::vector<v1::Op> setup =
      source ? board::copy_ops(*source, name, extras.copy_notes) : board::template_ops(template_id, language, name);
  setup.emplace_back().mutable_rotate_join_code()->set_join_code(created.join_code);
  // A new id is free: this node takes it (a shared journal's lease) before writing its first event.
  if (const journal::Status s = journal_.acquire_workshop(created.id); !s.ok()) {
    if (s.code() != journal::Status::Code::moved) options_.journal_health->failed(s);
    spdlog::error("creating workshop {} failed: the journal did not let this node hold it: {}", created.id, s.message());
    *error = {false, "the server cannot store a new workshop right now"};
    return std::nullopt;
  }
  journal::Status stored;
  {
    std::lock_guard lock(mutex_);
    stored_[created.id] = meta;
  }
  auto w = Workshop::create(io_, journal_, std::move(meta), setup, options_, &stored);
  {
    std::lock_guard lock(mutex_);
    by_id_[created.id] = std::move(w);
  }
  if (!stored.ok()) {
    // Metadata stored, template not: the workshop exists read-only and
    // recovers with the journal; the caller is not told it is ready.
    spdlog::error("creating workshop {}: storing its template failed: {}", created.id, stored.message());
    *error = {false, "the server cannot store a new workshop right now"};
    return std::nullopt;
  }
  {
    std::lock_guard lock(mutex_);
    if (const auto it = by_id_.find(created.id); it != by_id_.end()) created.info = it->second->info();
  }
  if (journal_.shared()) hand_back_new(created.id);
  if (source) spdlog::info("workshop {} created as a copy of {}{}", created.id, extras.copy_from,
                          extras.copy_notes ? " with its notes" : "");
  else spdlog::info("workshop {} created from template {}", created.id, template_id);
  return created;
}

WorkshopRegistry::~WorkshopRegistry() {
  {
    std::lock_guard lock(handover_->mutex);
    handover_->registry = nullptr;
  }
  journal_.on_hand_over(nullptr);
  if (journal_.shared()) options_.join_codes->refuse_also(nullptr);
  std::vector<std::thread> threads;
  {
    std::unique_lock lock(mutex_);
    // Retention checks run on threads of their own (and may load).
    changed_.wait(lock, [&] { return background_jobs_ == 0; });
    // Workshops still held by handlers may outlive this; the journal may not.
    options_.journal_health->stop();
    threads.swap(erase_threads_);
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
}

void WorkshopRegistry::erase(std::string_view workshop_id, std::function<void(journal::Status)> done) {
  const std::string id(workshop_id);
  std::shared_ptr<Workshop> live;
  {
    std::unique_lock lock(mutex_);
    // Never erase under a load: wait for it.
    changed_.wait(lock, [&] { return !loading_.contains(id); });
    const auto it = by_id_.find(id);
    const bool damaged = damaged_.erase(id) > 0;
    const bool retry = erasures_.contains(id) && erasures_[id] == Erasure::failed;
    const bool unloaded = stored_.erase(id) > 0 && it == by_id_.end();
    idle_since_.erase(id);
    if (it == by_id_.end() && !damaged && !retry && !unloaded) {
      if (erasures_.contains(id) && erasures_[id] == Erasure::running) return done({});  // already on its way
      return done({journal::Status::Code::not_found, "there is no workshop " + id});
    }
    if (it != by_id_.end()) {
      live = it->second;
      by_id_.erase(it);
    }
    erasures_[id] = Erasure::running;
  }
  spdlog::info("workshop {}: erasing (deleted while serving)", id);
  auto run = [this, id, done = std::move(done)]() mutable {
    std::lock_guard threads_lock(mutex_);
    erase_threads_.emplace_back([this, id, done = std::move(done)] {
      const journal::Status s = journal_.erase_workshop(id);
      history::SessionCache::shared().forget(id);  // nothing read from it before may be served again
      {
        std::lock_guard held(mutex_);
        if (s.ok()) erasures_.erase(id);
        else erasures_[id] = Erasure::failed;
      }
      if (s.ok()) spdlog::info("workshop {}: erased, and compacted out of the journal's files", id);
      else spdlog::error("workshop {}: erasing failed (delete it again to retry): {}", id, s.message());
      done(s);
    });
  };
  if (live) live->close_for_erasure(std::move(run));
  else run();
}

void WorkshopRegistry::erase_participant(std::string_view workshop_id, std::string_view participant_id,
                                         Workshop::ParticipantErased done) {
  const auto w = find(workshop_id);
  if (!w) return done({journal::Status::Code::not_found, "there is no workshop " + std::string(workshop_id)}, {});
  w->erase_participant(std::string(participant_id), [this, id = std::string(workshop_id),
                                                     pid = std::string(participant_id), done = std::move(done)](
                                                        const journal::Status& s, const std::string& pseudonym) {
    if (!s.ok()) return done(s, pseudonym);
    std::lock_guard lock(mutex_);
    erase_threads_.emplace_back([this, id, pid, pseudonym, done] {
      const journal::Status rewritten = journal_.erase_participant(id, pid, pseudonym);
      history::SessionCache::shared().forget(id);  // sessions read before the rewrite carry the old name
      if (rewritten.ok())
        spdlog::info("workshop {}: participant {} erased, older records rewritten and compacted", id, pid);
      else
        spdlog::error("workshop {}: erasing participant {} from the journal's older records failed (erase them "
                      "again to retry): {}",
                      id, pid, rewritten.message());
      done(rewritten, pseudonym);
    });
  });
}

WorkshopRegistry::Erasure WorkshopRegistry::erasure(std::string_view workshop_id) const {
  std::lock_guard lock(mutex_);
  const auto it = erasures_.find(workshop_id);
  return it == erasures_.end() ? Erasure::none : it->second;
}

std::shared_ptr<Workshop> WorkshopRegistry::find(std::string_view id) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (const auto it = by_id_.find(id); it != by_id_.end()) return it->second;
    if (!stored_.contains(id)) learn_locked(lock, id);
    if (shut_down_ || !stored_.contains(id) || damaged_.contains(id) || erasures_.contains(id)) return nullptr;
    // Never two instances of one workshop: wait for a load in progress.
    if (!loading_.contains(id)) break;
    changed_.wait(lock);
  }
  return load_locked(lock, std::string(id));
}

bool WorkshopRegistry::find_async(std::string_view id, WorkerPool& pool,
                                   std::function<void(std::shared_ptr<Workshop>)> done) {
  if (auto w = find_loaded(id)) {
    done(std::move(w));
    return true;
  }
  std::lock_guard lock(mutex_);
  if (const auto it = load_waiters_.find(id); it != load_waiters_.end()) {
    it->second.push_back(std::move(done));  // the job under way answers this one too
    return true;
  }
  const std::string key(id);
  load_waiters_[key].push_back(std::move(done));
  // Posted with mutex_ held: the job takes it only after this returns.
  const bool posted = pool.try_post([this, key] {
    auto w = find(key);
    std::vector<std::function<void(std::shared_ptr<Workshop>)>> waiting;
    {
      std::lock_guard inner(mutex_);
      const auto it = load_waiters_.find(key);
      waiting = std::move(it->second);
      load_waiters_.erase(it);
    }
    for (auto& d : waiting) d(w);
  });
  if (!posted) load_waiters_.erase(key);
  return posted;
}

std::shared_ptr<Workshop> WorkshopRegistry::find_loaded(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

bool WorkshopRegistry::stored(std::string_view id) const {
  std::unique_lock lock(mutex_);
  if (!stored_.contains(id)) learn_locked(lock, id);
  return stored_.contains(id) && !damaged_.contains(id) && !erasures_.contains(id);
}

void WorkshopRegistry::learn_locked(std::unique_lock<std::mutex>& lock, std::string_view id) const {
  if (!journal_.shared() || !board::valid_id(id)) return;
  lock.unlock();
  v1::WorkshopMeta meta;
  const journal::Status s = journal_.workshop(id, &meta);
  lock.lock();
  if (!s.ok()) {
    if (s.code() != journal::Status::Code::not_found)
      spdlog::warn("workshop {}: cannot read it from the shared journal: {}", id, s.message());
    return;
  }
  if (!meta.closed() && !meta.join_code().empty()) (void)options_.join_codes->hold(meta.join_code(), meta.id());
  stored_.try_emplace(meta.id(), std::move(meta));
}

std::optional<journal::Status> WorkshopRegistry::held_elsewhere(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = elsewhere_.find(id);
  if (it == elsewhere_.end()) return std::nullopt;
  return it->second;
}

void WorkshopRegistry::forget_moved(const std::string& id) {
  // Every way a workshop leaves this node for another: lost, asked for, or fenced at a write.
  metrics::global().workshop_ownership.inc(metrics::label("event", "handed_over"));
  {
    std::lock_guard lock(mutex_);
    by_id_.erase(id);
    idle_since_.erase(id);
    elsewhere_[id] = {journal::Status::Code::moved, "handed over to another node"};
  }
  journal_.release_workshop(id);  // if still held (a hand-over asked for): after what it queued
}

void WorkshopRegistry::hand_back_new(const std::string& id) {
  // Created wherever the proxy sent the organiser; served where the proxy
  // routes its id: the node of its first client loads it from the journal.
  std::shared_ptr<Workshop> w;
  {
    std::lock_guard lock(mutex_);
    const auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    w = std::move(it->second);
    by_id_.erase(it);
  }
  w->shutdown([&journal = journal_, id, w] { journal.release_workshop(id); });
}

std::optional<std::string> WorkshopRegistry::id_by_join_code(std::string_view code) const {
  // Loaded workshops know their current code (a rotation the metadata may
  // not have yet); the book holds every open workshop's.
  for (const auto& w : all())
    if (w->has_join_code(code)) return w->id();
  const std::string normalised = normalise_join_code(code);
  auto id = options_.join_codes->holder(normalised);
  if (!id && journal_.shared()) {
    // A workshop another node created: the shared journal knows its code.
    std::string found;
    if (journal_.workshop_by_join_code(normalised, &found).ok() && stored(found)) id = std::move(found);
    if (id && !options_.join_codes->holder(normalised)) return std::nullopt;  // closed or rotated meanwhile
    return id;
  }
  if (!id || find_loaded(*id) || !stored(*id)) return std::nullopt;  // a loaded one was asked above
  return id;
}

std::vector<WorkshopInfo> WorkshopRegistry::list() const {
  std::vector<WorkshopInfo> out;
  std::vector<v1::WorkshopMeta> summaries;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, meta] : stored_) {
      if (damaged_.contains(id) || erasures_.contains(id)) continue;
      if (const auto it = by_id_.find(id); it != by_id_.end()) out.push_back(it->second->info());
      else summaries.push_back(meta);
    }
  }
  for (const v1::WorkshopMeta& m : summaries) {
    WorkshopInfo info;
    info.id = m.id();
    info.title = m.title();
    info.language = m.language();
    info.template_id = m.template_id();
    info.created_ms = m.created_ms();
    info.planned_date = m.planned_date();
    info.copied_from = m.copied_from();
    info.is_template = m.is_template();
    info.closed = m.closed();
    info.retention_days = m.has_retention_days() ? m.retention_days() : options_.retention_days;
    info.last_activity_ms = m.last_activity_ms();
    if (const auto head = journal_.head_seq(m.id())) info.head_seq = *head;
    out.push_back(std::move(info));
  }
  return out;
}

std::size_t WorkshopRegistry::stored_count() const {
  std::lock_guard lock(mutex_);
  std::size_t n = stored_.size();
  for (const auto& [id, status] : damaged_) n += stored_.contains(id) ? 0 : 1;  // metadata unreadable
  return n;
}

std::vector<std::shared_ptr<Workshop>> WorkshopRegistry::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Workshop>> out;
  for (const auto& [id, w] : by_id_) out.push_back(w);
  return out;
}

void WorkshopRegistry::every(boost::asio::steady_timer& timer, std::chrono::milliseconds interval,
                             void (WorkshopRegistry::*work)()) {
  timer.expires_after(interval);
  timer.async_wait([this, &timer, interval, work](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled by shutdown()
    {
      std::lock_guard lock(mutex_);
      if (shut_down_) return;
    }
    (this->*work)();
    every(timer, interval, work);
  });
}

std::size_t WorkshopRegistry::unload_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<Workshop>> idle;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_ || options_.idle_unload.count() == 0) return 0;
    for (auto it = by_id_.begin(); it != by_id_.end();) {
      // Only the registry holds it: no session, no request, no handler, no
      // append in flight, so it is at rest and everything it did is stored;
      // nobody else can get it while mutex_ is held (find() takes it).
      if (it->second.use_count() > 1) {
        idle_since_.erase(it->first);
        ++it;
        continue;
      }
      const auto since = idle_since_.try_emplace(it->first, now).first;
      if (now - since->second < options_.idle_unload) {
        ++it;
        continue;
      }
      idle_since_.erase(since);
      // The catalog takes the summary now: a load right after reads it
      // from here, and its write is queued before any of that load's.
      v1::WorkshopMeta summary = it->second->metadata();
      stored_[it->first] = summary;
      journal_.store_workshop(std::move(summary), [health = options_.journal_health,
                                                   id = it->first](const journal::Status& s) {
        if (s.ok()) return;
        health->failed(s);
        spdlog::warn("workshop {}: storing its summary at unloading failed (listed as before): {}", id, s.message());
      });
      journal_.release_workshop(it->first);  // queued after the summary: written after it
      idle.push_back(std::move(it->second));
      it = by_id_.erase(it);
    }
  }
  for (const auto& w : idle)
    spdlog::info("workshop {}: unloaded after {} s without use", w->id(),
                 std::chrono::duration_cast<std::chrono::seconds>(options_.idle_unload).count());
  return idle.size();  // `idle` goes: the workshops with it (outside the lock)
}

void WorkshopRegistry::start_retention(RetentionErased erased) {
  {
    std::lock_guard lock(mutex_);
    retention_erased_ = std::move(erased);
  }
  asio::post(retention_strand_, [this] {
    sweep_retention();
    every(retention_timer_, options_.retention_sweep_interval, &WorkshopRegistry::sweep_retention);
  });
}

void WorkshopRegistry::sweep_retention() {
  const std::int64_t now =
      options_.retention_clock ? options_.retention_clock()
                               : std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
  RetentionErased erased;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) return;
    erased = retention_erased_;
  }
  const auto erase_if_due = [this, now, erased](const WorkshopInfo& info) {
    const std::int64_t due = info.erase_after_ms();
    if (due == 0 || now < due) return;
    spdlog::info("workshop {}: its retention of {} day(s) after its last activity has passed: erasing it", info.id,
                 info.retention_days);
    erase(info.id, [info, erased](const journal::Status& s) {
      if (erased) erased(info, s);
    });
  };
  for (const auto& w : all()) erase_if_due(w->info());
  // Not loaded: the summary's last activity is at most the real one, so one
  // that does not look due is not; one that does is loaded and decided on
  // its real state, off this strand.
  std::vector<std::string> look_closer;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, m] : stored_) {
      if (by_id_.contains(id) || damaged_.contains(id) || erasures_.contains(id)) continue;
      const std::uint32_t days = m.has_retention_days() ? m.retention_days() : options_.retention_days;
      if (days != 0 && now >= m.last_activity_ms() + std::int64_t{days} * 86'400'000) look_closer.push_back(id);
    }
    if (look_closer.empty()) return;
    ++background_jobs_;
    erase_threads_.emplace_back([this, look_closer, erase_if_due] {
      for (const std::string& id : look_closer)
        if (const auto w = find(id)) erase_if_due(w->info());
      std::lock_guard done(mutex_);
      --background_jobs_;
      changed_.notify_all();
    });
  }
}

void WorkshopRegistry::shutdown(std::function<void()> done) {
  std::vector<std::shared_ptr<Workshop>> workshops;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    asio::post(retention_strand_, [this] {
      retention_timer_.cancel();
      unload_timer_.cancel();
    });
    for (const auto& [id, w] : by_id_) workshops.push_back(w);
  }
  if (workshops.empty()) {
    done();
    return;
  }
  auto remaining = std::make_shared<std::atomic<std::size_t>>(workshops.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (const auto& w : workshops) {
    w->shutdown([remaining, shared_done] {
      if (remaining->fetch_sub(1) == 1) (*shared_done)();
    });
  }
}

}  // namespace werkstatt::workshop
