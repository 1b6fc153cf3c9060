#include "werkstatt/workshop/worker_pool.hpp"

#include <pthread.h>
#include <sched.h>
#include <boost/asio/post.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <thread>
#include <vector>

namespace werkstatt::workshop {

struct WorkerPool::Impl {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
};

WorkerPool::WorkerPool(WorkerPoolOptions options) : impl_(std::make_unique<Impl>()), max_queued_(options.max_queued) {
  for (std::size_t i = 0; i < std::max<std::size_t>(options.threads, 1); ++i) {
    impl_->threads.emplace_back([&io = impl_->io, options] {
      ::pthread_setname_np(::pthread_self(), "werkstatt-bg");  // top -H, perf: history work apart from I/O
      // Linux keeps the policy and nice value per thread: only this one yields to the I/O threads.
      const sched_param idle{};
      if (!options.idle_policy || ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &idle) != 0) {
        const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
        errno = 0;
        const int current = ::getpriority(PRIO_PROCESS, tid);
        if (errno == 0) ::setpriority(PRIO_PROCESS, tid, current + options.nice_increment);
      }
      io.run();
    });
  }
}

WorkerPool::~WorkerPool() {
  impl_->work.reset();  // the threads end once the jobs taken have run
  for (auto& t : impl_->threads) t.join();
}

bool WorkerPool::try_post(std::function<void()> job) {
  std::size_t n = queued_.load();
  do {
    if (n >= max_queued_) return false;
  } while (!queued_.compare_exchange_weak(n, n + 1));
  boost::asio::post(impl_->io, [this, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("a background job failed: {}", e.what());
    }
    --queued_;
  });
  return true;
}

}  // namespace werkstatt::workshop
