#pragma once
// Encoding server messages into shared frames, and coalescing frames.
//
// Batching without re-encoding: a ServerMessage{batch: Batch{messages}} is,
// on the wire, tag 0x42 (field 8, length-delimited), varint length, then per
// message tag 0x0A (Batch field 1, length-delimited), varint length, and the
// message's own bytes. So frames already encoded for one connection are
// concatenated into a batch without parsing or copying them into protobuf
// objects (one memcpy each).
//
// Thread safety: pure functions.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "werkstatt/v1/protocol.pb.h"
#include "werkstatt/workshop/client.hpp"

namespace werkstatt::workshop {

[[nodiscard]] Frame encode(const v1::ServerMessage& message);
[[nodiscard]] Frame error_frame(v1::ErrorCode code, std::string_view message, bool fatal);
[[nodiscard]] Frame reject_frame(std::string_view client_op_id, v1::RejectCode code, std::string_view reason);
[[nodiscard]] Frame ack_frame(std::string_view client_op_id, std::uint64_t seq);

// The encoded size of ServerMessage{batch: {messages: frames}}.
[[nodiscard]] std::size_t batch_size(std::span<const Frame> frames);
// Appends ServerMessage{batch: {messages: frames}} to `out`.
// REQUIRES: no frame is itself a batch (a batch never nests).
void append_batch(std::string& out, std::span<const Frame> frames);

// Reads one protobuf varint at p (advancing it); false if it is truncated or
// longer than 64 bits. For code that walks the wire format without parsing.
[[nodiscard]] bool read_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& v);

}  // namespace werkstatt::workshop
