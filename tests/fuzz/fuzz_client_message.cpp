// ClientMessage decode + validate + apply on a live board.
//
// Each chunk of the input is one WebSocket frame's bytes; its tag picks the
// sender (live_boards.hpp: system, facilitator, two participants, observer,
// a stranger) and the step of the server clock. The first byte picks the
// starting board. A frame goes the way the server takes it: ParseFromArray,
// DiscardUnknownFields, the client_op_id check, the server-made join code,
// then Board::apply. After every frame:
// - a rejected op changed nothing (same bytes);
// - an accepted op is the event with the next seq, and the invariants hold;
// - no viewer's view or copy of the event shows what they may not see
//   (others' unrevealed notes, others' ballots);
// - the accepted events replayed on the starting board give the same bytes,
//   and restore(state()) gives the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "chunks.hpp"
#include "live_boards.hpp"
#include "werkstatt/v1/protocol.pb.h"

using namespace werkstatt;

namespace {

constexpr std::size_t kMaxClientOpIdBytes = 64;  // protocol.proto: "1..64 bytes", as the workshop checks

const std::vector<board::Board>& starting_boards() {
  static const std::vector<board::Board> boards = fuzz::make_live_boards();
  return boards;
}

void check_views(const board::Board& b, const v1::Event* event) {
  std::optional<board::EventViews> views;
  if (event) views = b.views_of(*event);
  for (const char* viewer : {"p0", "p1", "p2", "p3"}) {
    const v1::Participant* p = b.participant(viewer);
    if (!p) continue;
    const v1::BoardState view = b.view_for(viewer);
    for (const auto& n : view.notes()) {
      // A hidden note in a view must be the viewer's own or a facilitator's right; its text never leaks otherwise.
      if (n.hidden() && n.author_id() != viewer &&
          !(p->role() == v1::ROLE_FACILITATOR && !n.hidden_from_facilitators()))
        fuzz::fail(std::string("view of ") + viewer + " shows unrevealed note " + n.id());
    }
    for (const auto& ballot : view.ballots())
      if (ballot.voter_id() != viewer) fuzz::fail(std::string("view of ") + viewer + " shows another's ballot");
    if (views) {
      const v1::Event& sent = views->for_viewer(viewer, p->role());
      if (sent.seq() != event->seq()) fuzz::fail("a viewer's copy of an event has another seq");
      if ((sent.op().has_cast_vote() || sent.op().has_retract_vote()) && event->author_id() != viewer)
        fuzz::fail(std::string("viewer ") + viewer + " sees another's ballot op");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto& boards = starting_boards();
  const board::Board& start = boards[data[0] % boards.size()];
  board::Board b = start;
  std::vector<v1::Event> accepted;
  std::int64_t now_ms = 2'000'000;

  fuzz::Chunks chunks(data + 1, size - 1);
  fuzz::Chunk chunk;
  for (int frames = 0; frames < 16 && chunks.next(chunk); ++frames) {  // longer sessions: more inputs, not longer ones
    v1::ClientMessage message;
    if (!message.ParseFromArray(chunk.bytes.data(), static_cast<int>(chunk.bytes.size()))) continue;
    message.DiscardUnknownFields();
    now_ms += (chunk.tag >> 3) * 1000;  // up to 31 s a frame: timers run out now and then
    if (message.body_case() != v1::ClientMessage::kOp) {
      // Hello, Presence and Ping never reach the board; they must survive a re-encode.
      v1::ClientMessage again;
      if (!again.ParseFromString(message.SerializeAsString())) fuzz::fail("a decoded message does not re-encode");
      continue;
    }
    v1::OpRequest& request = *message.mutable_op();
    if (request.client_op_id().empty() || request.client_op_id().size() > kMaxClientOpIdBytes) continue;
    if (request.op().has_rotate_join_code()) request.mutable_op()->mutable_rotate_join_code()->set_join_code("FZ7K2Q");
    const std::string author = fuzz::kActors[chunk.tag % fuzz::kActors.size()];

    const std::string before = b.serialize();
    board::ApplyResult r = b.apply(request.op(), author, now_ms);
    if (!r.ok()) {
      if (b.serialize() != before) fuzz::fail("a rejected op changed the board: " + request.op().ShortDebugString());
      continue;
    }
    if (r.event().seq() != start.seq() + accepted.size() + 1) fuzz::fail("an accepted op got a seq out of order");
    if (const auto broken = b.check_invariants()) fuzz::fail("invariant broken: " + *broken);
    check_views(b, &r.event());
    accepted.push_back(r.event());
  }
  check_views(b, nullptr);

  board::Board replayed = start;
  for (const v1::Event& e : accepted)
    if (const auto failed = replayed.replay(e)) fuzz::fail("replay of an accepted event failed: " + failed->reason);
  if (replayed.serialize() != b.serialize()) fuzz::fail("replaying the accepted events gives other bytes");
  std::string error;
  const auto restored = board::Board::restore(b.state(), &error);
  if (!restored) fuzz::fail("restore(state()) failed: " + error);
  if (restored->serialize() != b.serialize()) fuzz::fail("restore(state()) gives other bytes");
  return 0;
}
