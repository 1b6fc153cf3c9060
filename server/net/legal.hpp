#pragma once
// GET /api/legal and /api/legal/<name>: see include/werkstatt/net/legal.hpp.
// Thread safety: handle_legal() may be called from any thread.
#include <optional>

#include "rest.hpp"
#include "werkstatt/net/legal.hpp"

namespace werkstatt::net {

// Answers /api/legal and /api/legal/<name>; nullopt for other paths.
[[nodiscard]] std::optional<HttpReply> handle_legal(const ApiRequest& request, const LegalPages& pages);

}  // namespace werkstatt::net
