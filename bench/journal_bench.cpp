// werkstatt-journal-bench: speed of the RocksDB journal.
//
//   throughput  durable appends with group commit, W workshops each keeping up
//               to --inflight appends outstanding (as a live workshop does)
//   replay      full replay of one workshop from seq 1 (events/s)
//   seek        state at random seqs of one workshop (snapshot + tail), p50/p99/max
//   restart     open the journal and rebuild every workshop's head, as `serve` does
//
// Example: werkstatt-journal-bench --mode throughput --workshops 10 --events 100000
// Everything runs in a temporary folder below --dir, removed afterwards.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "werkstatt/board/board.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/rocksdb_journal.hpp"

using namespace werkstatt;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A plausible workshop: 30 people write notes, then mostly move, edit and vote.
class SessionGenerator {
 public:
  SessionGenerator(std::string workshop, std::uint64_t seed) : workshop_(std::move(workshop)), rng_(seed) {
    for (int p = 0; p < 30; ++p) {
      v1::Op op;
      auto* part = op.mutable_participant_joined()->mutable_participant();
      part->set_id("p" + std::to_string(p));
      part->set_display_name("Teilnehmer " + std::to_string(p));
      part->set_role(p == 0 ? v1::ROLE_FACILITATOR : v1::ROLE_PARTICIPANT);
      push(op, "");
    }
  }

  // The next accepted event as a journal record.
  v1::EventRecord next() {
    for (;;) {
      const std::string author = "p" + std::to_string(1 + rng_() % 29);
      v1::Op op;
      const auto r = rng_() % 100;
      if (notes_ < 2000 && (r < 25 || notes_ < 50)) {
        auto* c = op.mutable_create_note();
        c->set_id("n" + std::to_string(notes_));
        c->set_text("Idee Nummer " + std::to_string(notes_) + ": Radwege zwischen den Ortsteilen ausbauen");
        c->mutable_position()->set_x(static_cast<double>(rng_() % 4000) - 2000);
        c->mutable_position()->set_y(static_cast<double>(rng_() % 4000) - 2000);
      } else if (r < 70) {
        auto* m = op.mutable_move();
        m->mutable_target()->set_kind(v1::OBJECT_KIND_NOTE);
        m->mutable_target()->set_id("n" + std::to_string(rng_() % notes_));
        m->mutable_position()->set_x(static_cast<double>(rng_() % 4000) - 2000);
        m->mutable_position()->set_y(static_cast<double>(rng_() % 4000) - 2000);
      } else if (r < 90) {
        // Participants edit their own notes; the facilitator edits any.
        auto* u = op.mutable_update_note();
        u->set_id("n" + std::to_string(rng_() % notes_));
        u->add_mask(v1::NOTE_FIELD_TEXT);
        u->set_text("überarbeitet " + std::to_string(board_.seq()));
        if (auto ev = push(op, "p0")) return *ev;
        continue;
      } else {
        op.mutable_cast_vote()->set_note_id("n" + std::to_string(rng_() % notes_));
      }
      if (auto ev = push(op, author)) return *ev;
    }
  }

  std::vector<v1::EventRecord>& setup() { return setup_; }
  const board::Board& board() const { return board_; }

 private:
  std::optional<v1::EventRecord> push(const v1::Op& op, const std::string& author) {
    auto r = board_.apply(op, author, 1'764'158'400'000 + static_cast<std::int64_t>(board_.seq()) * 250);
    if (!r.ok()) return std::nullopt;
    if (op.has_create_note()) ++notes_;
    v1::EventRecord rec;
    rec.set_workshop_id(workshop_);
    rec.set_seq(r.event().seq());
    rec.set_time_ms(r.event().server_time_ms());
    rec.set_author_id(r.event().author_id());
    *rec.mutable_op() = std::move(r.event().op());
    if (op.has_participant_joined()) setup_.push_back(rec);
    return rec;
  }

  std::string workshop_;
  std::mt19937_64 rng_;
  board::Board board_;
  std::uint64_t notes_ = 0;
  std::vector<v1::EventRecord> setup_;
};

std::unique_ptr<journal::RocksJournal> open_or_die(const std::string& dir) {
  journal::Status st;
  auto j = journal::RocksJournal::open(dir, {}, &st);
  if (!j) {
    std::cerr << "cannot open journal: " << st.message() << "\n";
    std::exit(2);
  }
  return j;
}

// Appends `per_workshop` events to each of `workshops`, each workshop
// keeping up to `inflight` appends outstanding. Snapshots every `snapshot_every`.
void write_workshops(journal::RocksJournal& j, int workshops, std::uint64_t per_workshop, int inflight,
                     std::uint64_t snapshot_every, bool report) {
  std::vector<std::thread> threads;
  std::atomic<std::uint64_t> done_events{0};
  const auto start = Clock::now();
  const auto commits_before = j.group_commits();
  for (int w = 0; w < workshops; ++w) {
    threads.emplace_back([&, w] {
      SessionGenerator gen("w" + std::to_string(w), 1000 + static_cast<std::uint64_t>(w));
      std::mutex m;
      std::condition_variable cv;
      int outstanding = 0;
      const auto send = [&](std::vector<v1::EventRecord> recs) {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return outstanding < inflight; });
        ++outstanding;
        const std::size_t n = recs.size();
        lock.unlock();
        j.append(std::move(recs), [&, n](const journal::Status& s) {
          if (!s.ok()) {
            std::cerr << "append failed: " << s.message() << "\n";
            std::exit(3);
          }
          done_events += n;
          std::lock_guard g(m);
          --outstanding;
          cv.notify_all();
        });
      };
      send(gen.setup());
      board::Board snapshot_board;
      for (std::uint64_t i = gen.board().seq(); i < per_workshop; ++i) {
        v1::EventRecord rec = gen.next();
        const std::uint64_t seq = rec.seq();
        send({std::move(rec)});
        if (snapshot_every && seq % snapshot_every == 0) {
          v1::Snapshot snap;
          snap.set_workshop_id("w" + std::to_string(w));
          snap.set_seq(seq);
          *snap.mutable_state() = gen.board().state();
          (void)j.put_snapshot(snap);
        }
      }
      std::unique_lock lock(m);
      cv.wait(lock, [&] { return outstanding == 0; });
    });
  }
  for (auto& t : threads) t.join();
  const double secs = seconds_since(start);
  if (report) {
    const auto commits = j.group_commits() - commits_before;
    std::printf("throughput: %d workshop(s), %llu events in %.2f s = %.0f events/s durable; %llu synced writes "
                "(%.1f events per sync)\n",
                workshops, static_cast<unsigned long long>(done_events.load()), secs,
                static_cast<double>(done_events.load()) / secs, static_cast<unsigned long long>(commits),
                static_cast<double>(done_events.load()) / static_cast<double>(std::max<std::uint64_t>(commits, 1)));
  }
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"werkstatt-journal-bench: speed of the RocksDB journal", "werkstatt-journal-bench"};
  std::string mode = "throughput";
  std::string base = std::filesystem::temp_directory_path().string();
  int workshops = 1;
  std::uint64_t events = 100'000;
  int inflight = 64;
  int samples = 200;
  std::uint64_t snapshot_every = 1000;
  app.add_option("--mode", mode, "throughput | replay | seek | restart")->capture_default_str()
      ->check(CLI::IsMember({"throughput", "replay", "seek", "restart"}));
  app.add_option("--dir", base, "Parent of the temporary database folder")->capture_default_str();
  app.add_option("--workshops", workshops, "Concurrently active workshops")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--events", events, "Events per workshop")->capture_default_str()->check(CLI::Range(100ull, 10'000'000ull));
  app.add_option("--inflight", inflight, "Outstanding appends per workshop")->capture_default_str()->check(CLI::Range(1, 10000));
  app.add_option("--samples", samples, "Seeks to measure (seek mode)")->capture_default_str();
  app.add_option("--snapshot-every", snapshot_every, "Snapshot every K events, as the server does")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const std::string dir = base + "/werkstatt-journal-bench-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  struct Cleanup {
    std::string d;
    ~Cleanup() { std::filesystem::remove_all(d); }
  } cleanup{dir};

  if (mode == "throughput") {
    auto j = open_or_die(dir);
    write_workshops(*j, workshops, events, inflight, snapshot_every, true);
    return 0;
  }

  // The other modes measure reads of a prepared journal.
  {
    auto j = open_or_die(dir);
    const auto start = Clock::now();
    write_workshops(*j, workshops, events, 4096, snapshot_every, false);
    std::printf("prepared %d workshop(s) x %llu events in %.1f s\n", workshops,
                static_cast<unsigned long long>(events), seconds_since(start));
  }
  if (mode == "restart") {
    const auto start = Clock::now();
    auto j = open_or_die(dir);
    const double opened = seconds_since(start);
    std::uint64_t total = 0;
    for (int w = 0; w < workshops; ++w) {
      journal::Status st;
      auto b = history::rebuild(*j, "w" + std::to_string(w), UINT64_MAX, &st);
      if (!b) {
        std::cerr << st.message() << "\n";
        return 3;
      }
      total += b->seq();
    }
    std::printf("restart: open %.3f s, open + rebuild %d workshop(s) (%llu events journaled) %.3f s\n", opened,
                workshops, static_cast<unsigned long long>(total), seconds_since(start));
    return 0;
  }
  auto j = open_or_die(dir);
  if (mode == "replay") {
    const auto start = Clock::now();
    board::Board b;
    std::vector<v1::EventRecord> page;
    while (true) {
      page.clear();
      if (!j->read_events("w0", b.seq() + 1, UINT64_MAX, history::kReplayPageSize, &page).ok() || page.empty()) break;
      for (const auto& r : page)
        if (b.replay(history::to_event(r))) return 3;
    }
    const double secs = seconds_since(start);
    std::printf("replay: %llu events from seq 1 in %.2f s = %.0f events/s\n", static_cast<unsigned long long>(b.seq()),
                secs, static_cast<double>(b.seq()) / secs);
    return 0;
  }
  // seek
  std::mt19937_64 rng(42);
  std::vector<double> ms;
  const std::uint64_t head = j->head_seq("w0").value_or(0);
  if (head == 0) {
    std::fprintf(stderr, "the journal has no readable events of w0\n");
    return 1;
  }
  for (int i = 0; i < samples; ++i) {
    const std::uint64_t seq = 1 + rng() % head;
    const auto start = Clock::now();
    journal::Status st;
    auto b = history::rebuild(*j, "w0", seq, &st);
    ms.push_back(seconds_since(start) * 1000);
    if (!b || b->seq() != seq) {
      std::cerr << "seek to " << seq << " failed: " << st.message() << "\n";
      return 3;
    }
  }
  std::printf("seek: state at a random seq of %llu events (snapshot every %llu): p50 %.2f ms, p99 %.2f ms, max %.2f ms "
              "over %d samples\n",
              static_cast<unsigned long long>(head), static_cast<unsigned long long>(snapshot_every),
              percentile(ms, 0.5), percentile(ms, 0.99), *std::max_element(ms.begin(), ms.end()), samples);
  return 0;
}
