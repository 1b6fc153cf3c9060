#pragma once
// Recording a session for journal tests: a board that applies ops and keeps
// the journal records of the accepted events.
#include <catch2/catch.hpp>

#include <future>
#include <string>
#include <vector>

#include "support/ops.hpp"
#include "werkstatt/board/board.hpp"
#include "werkstatt/journal/journal.hpp"

namespace werkstatt::test {

// Appends and waits for the completion.
inline journal::Status append_sync(journal::Journal& j, std::vector<v1::EventRecord> records) {
  std::promise<journal::Status> done;
  auto f = done.get_future();
  j.append(std::move(records), [&done](const journal::Status& s) { done.set_value(s); });
  return f.get();
}

inline v1::EventRecord record_of(const std::string& workshop, const v1::Event& e) {
  v1::EventRecord r;
  r.set_workshop_id(workshop);
  r.set_seq(e.seq());
  r.set_time_ms(e.server_time_ms());
  r.set_author_id(e.author_id());
  *r.mutable_op() = e.op();
  return r;
}

// A live workshop in miniature: applies ops to a board and journals each event.
struct Recorder {
  std::string workshop;
  board::Board board;
  std::vector<v1::EventRecord> records;

  explicit Recorder(std::string id) : workshop(std::move(id)) {}

  bool apply(const v1::Op& op, std::string_view author) {
    auto r = board.apply(op, author, 1'700'000'000'000 + static_cast<std::int64_t>(board.seq()) * 1000);
    if (!r.ok()) return false;
    records.push_back(record_of(workshop, r.event()));
    return true;
  }
  void standard_session(int notes) {
    REQUIRE(apply(ops::join("fac", "Fran", v1::ROLE_FACILITATOR), board::kSystemAuthor));
    REQUIRE(apply(ops::join("anna", "Anna", v1::ROLE_PARTICIPANT), board::kSystemAuthor));
    REQUIRE(apply(ops::create_area("a1", "Herausforderungen"), "fac"));
    for (int i = 0; i < notes; ++i) {
      REQUIRE(apply(ops::create_note("n" + std::to_string(i), "Notiz " + std::to_string(i) + " – Straße, \"Ö\"", i, i, "a1"),
                    "anna"));
      if (i % 3 == 0) REQUIRE(apply(ops::update_note_text("n" + std::to_string(i), "geändert"), "anna"));
    }
  }
};


}  // namespace werkstatt::test
