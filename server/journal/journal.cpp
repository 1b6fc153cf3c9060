// The blocking conveniences of the Journal interface (journal.hpp).
#include "werkstatt/journal/journal.hpp"

#include <future>

namespace werkstatt::journal {
namespace {

// Runs `start` with a completion and waits for it: the completion runs on a
// journal thread, so this thread only sleeps.
template <typename Start>
Status wait_for(Start&& start) {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> result = promise->get_future();
  start([promise](const Status& s) { promise->set_value(s); });
  return result.get();
}

}  // namespace

Status Journal::put_workshop(const v1::WorkshopMeta& meta) {
  return wait_for([&](AppendDone done) { store_workshop(meta, std::move(done)); });
}

Status Journal::put_snapshot(const v1::Snapshot& snapshot) {
  return wait_for([&](AppendDone done) { store_snapshot(snapshot, std::move(done)); });
}

}  // namespace werkstatt::journal
