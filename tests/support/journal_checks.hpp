#pragma once
// Checks shared by the journal tests (every Journal implementation): the
// board a journal rebuilds, and concurrent pipelined appends from many
// workshops completing in order, each workshop's board intact.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/recorder.hpp"
#include "support/render.hpp"
#include "werkstatt/history/replay.hpp"
#include "werkstatt/journal/journal.hpp"

namespace werkstatt::test {

// The board rebuilt from the journal at its head, rendered.
inline std::string render_head(const journal::Journal& j, const std::string& workshop) {
  journal::Status s;
  auto b = history::rebuild(j, workshop, UINT64_MAX, &s);
  INFO(s.message());
  REQUIRE(b);
  return render(b->state());
}

// One thread per recorder appends its records one by one without waiting
// (pipelined); every append must succeed, each workshop's completions come
// in seq order, and the journal then rebuilds each recorder's board.
inline void append_concurrently(journal::Journal& j, const std::vector<Recorder>& recorders,
                                std::chrono::seconds patience) {
  std::mutex m;
  std::map<std::string, std::vector<std::uint64_t>> completed;
  std::atomic<int> failures{0};
  std::atomic<std::size_t> outstanding{0};
  std::vector<std::thread> threads;
  for (const auto& rec : recorders)
    threads.emplace_back([&, r = &rec] {
      for (const auto& record : r->records) {
        ++outstanding;
        j.append({record}, [&, seq = record.seq(), id = r->workshop](const journal::Status& s) {
          if (!s.ok()) ++failures;
          std::lock_guard lock(m);
          completed[id].push_back(seq);
          --outstanding;
        });
      }
    });
  for (auto& t : threads) t.join();
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (outstanding > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(outstanding == 0);
  CHECK(failures == 0);
  for (const auto& rec : recorders) {
    const auto& seqs = completed[rec.workshop];
    REQUIRE(seqs.size() == rec.records.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) REQUIRE(seqs[i] == i + 1);
    CHECK(render_head(j, rec.workshop) == render(rec.board.state()));
  }
}

}  // namespace werkstatt::test
