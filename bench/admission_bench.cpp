// werkstatt-admission-bench: what the admission checks of one join cost,
// measured in process (net::Admission, as the server builds it). A Hello for
// a new identity asks may_try_join_code and take_identity once each; a
// resume or a token asks nothing; an op never reaches Admission (see
// websocket_session.cpp: only the Hello path calls it). So the fan-out path
// carries none of this cost; the figure here is per join.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "admission.hpp"

int main(int argc, char** argv) {
  CLI::App app{"werkstatt-admission-bench: the cost of the admission checks per join"};
  std::size_t addresses = 1000;
  std::size_t joins = 200'000;
  std::size_t workshops = 10;
  app.add_option("--addresses", addresses, "Distinct client addresses")->capture_default_str();
  app.add_option("--joins", joins, "Joins to time")->capture_default_str();
  app.add_option("--workshops", workshops, "Workshops the joins spread over")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> address(addresses), workshop(workshops);
  for (std::size_t i = 0; i < addresses; ++i)
    address[i] = "198." + std::to_string(18 + (i >> 16 & 1)) + "." + std::to_string(i >> 8 & 255) + "." + std::to_string(i & 255);
  for (std::size_t i = 0; i < workshops; ++i) workshop[i] = "w" + std::to_string(i) + "abcdefgh";

  // Budgets large enough that no join is refused: every call takes the
  // full path (lookup, refill, take) as an admitted join does.
  werkstatt::net::AdmissionOptions o;
  o.identities_per_client = {1e12, 1e12, 1'000'000};
  o.identities_per_workshop = {1e12, 1e12, 1'000'000};
  werkstatt::net::Admission admission(o);
  std::size_t admitted = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < joins; ++i) {
    const std::string& a = address[i % addresses];
    const std::string& w = workshop[(i / addresses) % workshops];
    if (admission.may_try_join_code(a, w) && admission.take_identity(a, w)) ++admitted;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("werkstatt-admission-bench: %zu joins (%zu admitted) from %zu addresses into %zu workshops\n", joins,
              admitted, addresses, workshops);
  std::printf("  admission per join  %.3f us (%.0f joins/s on one thread)\n", seconds * 1e6 / static_cast<double>(joins),
              static_cast<double>(joins) / seconds);
  return admitted == joins ? 0 : 1;
}
