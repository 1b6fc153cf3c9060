// The background pool: its threads yield the CPU to the live path, and it
// refuses work beyond its bound instead of queueing without end.
#include <catch2/catch.hpp>
#include <sched.h>
#include <sys/resource.h>

#include <algorithm>
#include <future>
#include <thread>
#include <utility>

#include "werkstatt/workshop/worker_pool.hpp"

using namespace werkstatt;

namespace {

// The scheduling policy and nice value a pool thread runs its jobs with.
std::pair<int, int> policy_in(workshop::WorkerPoolOptions options) {
  options.threads = 1;
  workshop::WorkerPool pool(options);
  std::promise<std::pair<int, int>> seen;
  REQUIRE(pool.try_post([&] { seen.set_value({::sched_getscheduler(0), ::getpriority(PRIO_PROCESS, 0)}); }));
  return seen.get_future().get();
}

}  // namespace

TEST_CASE("background jobs run under SCHED_IDLE or niced where asked - the caller's thread is untouched",
          "[workshop][pool]") {
  const int nice_before = ::getpriority(PRIO_PROCESS, 0);
  CHECK(policy_in({}).first == SCHED_IDLE);
  workshop::WorkerPoolOptions niced;
  niced.idle_policy = false;
  niced.nice_increment = 5;
  const auto [policy, nice] = policy_in(niced);
  CHECK(policy == SCHED_OTHER);
  CHECK(nice == std::min(nice_before + 5, 19));
  CHECK(::sched_getscheduler(0) == SCHED_OTHER);
  CHECK(::getpriority(PRIO_PROCESS, 0) == nice_before);
}

TEST_CASE("the pool refuses jobs beyond max_queued and takes them again once some have run", "[workshop][pool]") {
  workshop::WorkerPoolOptions options;
  options.threads = 1;
  options.max_queued = 2;
  workshop::WorkerPool pool(options);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> second_ran;
  REQUIRE(pool.try_post([released] { released.wait(); }));
  REQUIRE(pool.try_post([&] { second_ran.set_value(); }));
  CHECK_FALSE(pool.try_post([] {}));  // two waiting or running: the bound
  CHECK(pool.queued() == 2);
  release.set_value();
  second_ran.get_future().wait();
  // The counter drops right after a job returns, on the pool thread.
  for (int i = 0; i < 1000 && pool.queued() > 0; ++i) std::this_thread::yield();
  CHECK(pool.try_post([] {}));
}
