#pragma once
// The protocol version this server speaks: the single source of truth that
// protocol.proto points to. A client's Hello must carry exactly this number;
// anything else is answered with Error PROTOCOL_VERSION before any state is
// sent, so an outdated browser tab is told to reload instead of misreading
// the wire.
#include <cstdint>

#include "werkstatt/v1/protocol.pb.h"

namespace werkstatt::protocol {

inline constexpr std::uint32_t kProtocolVersion = 1;
static_assert(kProtocolVersion == v1::PROTOCOL_VERSION_CURRENT,
              "bump kProtocolVersion together with PROTOCOL_VERSION_CURRENT in protocol.proto");

}  // namespace werkstatt::protocol
