#include "werkstatt/workshop/frames.hpp"

#include <atomic>

namespace werkstatt::workshop {
namespace {

constexpr char kBatchTag = 0x42;          // ServerMessage.batch = 8, wire type 2
constexpr char kBatchMessageTag = 0x0A;   // Batch.messages = 1, wire type 2

std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void append_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::size_t payload_size(std::span<const Frame> frames) {
  std::size_t total = 0;
  for (const Frame& f : frames) total += 1 + varint_size(f->size()) + f->size();
  return total;
}

}  // namespace

std::uint64_t next_connection_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

Frame encode(const v1::ServerMessage& message) {
  auto bytes = std::make_shared<std::string>();
  message.SerializeToString(bytes.get());
  return bytes;
}

Frame error_frame(v1::ErrorCode code, std::string_view text, bool fatal) {
  v1::ServerMessage m;
  auto* e = m.mutable_error();
  e->set_code(code);
  e->set_message(std::string(text));
  e->set_fatal(fatal);
  return encode(m);
}

Frame reject_frame(std::string_view client_op_id, v1::RejectCode code, std::string_view reason) {
  v1::ServerMessage m;
  auto* r = m.mutable_reject();
  r->set_client_op_id(std::string(client_op_id));
  r->set_code(code);
  r->set_reason(std::string(reason));
  return encode(m);
}

Frame ack_frame(std::string_view client_op_id, std::uint64_t seq) {
  v1::ServerMessage m;
  m.mutable_ack()->set_client_op_id(std::string(client_op_id));
  m.mutable_ack()->set_seq(seq);
  return encode(m);
}

std::size_t batch_size(std::span<const Frame> frames) {
  const std::size_t payload = payload_size(frames);
  return 1 + varint_size(payload) + payload;
}

void append_batch(std::string& out, std::span<const Frame> frames) {
  const std::size_t payload = payload_size(frames);
  out.reserve(out.size() + 1 + varint_size(payload) + payload);
  out.push_back(kBatchTag);
  append_varint(out, payload);
  for (const Frame& f : frames) {
    out.push_back(kBatchMessageTag);
    append_varint(out, f->size());
    out.append(*f);
  }
}

bool read_varint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const std::uint8_t b = *p++;
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

}  // namespace werkstatt::workshop
