#pragma once
// The replay API: read-only access to a workshop's recorded history for its
// facilitators and organisers. Independent of Beast (tested without sockets).
//
//   GET /api/workshops/{id}/timeline                  JSON: head seq, first/last time,
//       markers (phase changes, joins, leaves), activity per minute
//   GET /api/workshops/{id}/state?seq=N | ?at=MS      application/x-protobuf: v1.ReplayState
//   GET /api/workshops/{id}/events?from=A&to=B&limit=L application/x-protobuf: v1.EventPage
//   GET /api/workshops/{id}/export?format=md|csv|json[&seq=N | &at=MS]
//                                                     a download (Content-Disposition)
//
// Every endpoint needs the workshop's facilitator token, as
// `Authorization: Bearer <token>` or, for plain download links, `?t=<token>`.
// Replays show the full state (unrevealed notes marked hidden): organisers
// see what was private at that moment as such. Nothing here writes.
//
// Thread safety: handle_replay() may be called from any thread (the journal
// is thread-safe for reads).
#include <optional>
#include <string_view>

#include "rest.hpp"
#include "werkstatt/journal/journal.hpp"

namespace werkstatt::net {

// `action` is what follows /api/workshops/{id}/ (e.g. "timeline").
[[nodiscard]] HttpReply handle_replay(const ApiRequest& request, std::string_view workshop_id, std::string_view action,
                                      const journal::Journal& journal);

// Events per page when the client asks for none or too many: a page of 1000
// typical events is ~100 KiB, small enough for one response on a phone.
inline constexpr std::size_t kDefaultEventPage = 1000;
inline constexpr std::size_t kMaxEventPage = 10'000;

}  // namespace werkstatt::net
