#include "admission.hpp"

#include <algorithm>

namespace werkstatt::net {

Admission::Admission(AdmissionOptions options)
    : codes_per_client_(options.codes_per_client),
      codes_per_workshop_(options.codes_per_workshop),
      identities_per_client_(options.identities_per_client),
      identities_per_workshop_(options.identities_per_workshop) {}

std::string Admission::key(std::string_view address, std::string_view workshop) {
  // GuessLimiter::key_of keeps a string that is not an address as it is.
  return GuessLimiter::key_of(address) + " " + std::string(workshop);
}

bool Admission::may_try_join_code(std::string_view address, std::string_view workshop) {
  const std::string k = key(address, workshop);
  if (!codes_per_client_.allowed(k)) return false;
  return codes_per_workshop_.allowed(workshop) || codes_per_client_.clean(k);
}

void Admission::wrong_join_code(std::string_view address, std::string_view workshop) {
  codes_per_client_.failed(key(address, workshop));
  codes_per_workshop_.failed(workshop);
}

int Admission::retry_after_seconds(std::string_view address, std::string_view workshop) {
  return std::max(1, codes_per_client_.retry_after_seconds(key(address, workshop)));
}

bool Admission::take_identity(std::string_view address, std::string_view workshop) {
  const std::string k = key(address, workshop);
  if (!identities_per_client_.allowed(k) || !identities_per_workshop_.allowed(workshop)) return false;
  identities_per_client_.failed(k);
  identities_per_workshop_.failed(workshop);
  return true;
}

}  // namespace werkstatt::net
