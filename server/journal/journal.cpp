// The blocking conveniences of the Journal interface and its default
// append_with_meta() (journal.hpp).
#include "werkstatt/journal/journal.hpp"

#include <future>
#include <memory>

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

void Journal::append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, AppendDone done) {
  // Both complete in order on the writer: the append's result is known
  // when the metadata's arrives.
  auto appended = std::make_shared<Status>();
  append(std::move(records), [appended](const Status& s) { *appended = s; });
  store_workshop(std::move(meta), [appended, done = std::move(done)](const Status& s) {
    done(appended->ok() ? s : *appended);
  });
}

Status Journal::put_workshop(const v1::WorkshopMeta& meta) {
  return wait_for([&](AppendDone done) { store_workshop(meta, std::move(done)); });
}

Status Journal::put_snapshot(const v1::Snapshot& snapshot) {
  return wait_for([&](AppendDone done) { store_snapshot(snapshot, std::move(done)); });
}

}  // namespace werkstatt::journal
