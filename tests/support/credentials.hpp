#pragma once
// The three credentials a Hello carries (join code, facilitator token,
// observer token), for tests that speak the protocol themselves.
#include <string>

#include "werkstatt/v1/protocol.pb.h"

namespace werkstatt::test {

inline v1::Credential join_code(const std::string& code) {
  v1::Credential c;
  c.set_join_code(code);
  return c;
}
inline v1::Credential facilitator(const std::string& token) {
  v1::Credential c;
  c.set_facilitator_token(token);
  return c;
}
inline v1::Credential observer(const std::string& token) {
  v1::Credential c;
  c.set_observer_token(token);
  return c;
}

}  // namespace werkstatt::test
