// Thousands of random ops (valid and invalid, several actors, fixed seed):
// invariants hold after every op, a rejected op changes nothing, and replaying
// only the accepted events from an empty board gives the same bytes.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <map>
#include <set>

#include "support/ops.hpp"
#include "werkstatt/board/board.hpp"

using namespace werkstatt;
namespace ops = werkstatt::test::ops;

namespace {

class RandomOps {
 public:
  explicit RandomOps(std::uint64_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::string id(const char* prefix, int pool) {
    if (chance(0.02)) return chance(0.5) ? "" : "bad id!";
    return prefix + std::to_string(pick(pool));
  }
  std::string text() {
    static const char* words[] = {"Fläche", "Verkehr", "ÖPNV", "Grünzug", "Wohnen", "Straße", "\"zitiert\"", "a,b"};
    if (chance(0.02)) return std::string(600, 'x');  // too long
    if (chance(0.02)) return "bad \xC3\x28";        // invalid UTF-8
    std::string t;
    for (int i = pick(5); i >= 0; --i) t += std::string(words[pick(8)]) + (chance(0.1) ? "\n" : " ");
    return t;
  }
  double coord() {
    if (chance(0.01)) return std::numeric_limits<double>::quiet_NaN();
    if (chance(0.01)) return 1e9;
    return std::uniform_real_distribution<double>(-3000, 3000)(rng_);
  }
  v1::ObjectKind kind() { return static_cast<v1::ObjectKind>(pick(4)); }  // includes UNSPECIFIED

  v1::Op op() {
    switch (pick(18)) {
      case 0: case 1: case 2: return ops::create_note(id("n", 60), text(), coord(), coord(), chance(0.5) ? id("a", 4) : "");
      case 3: return ops::update_note_text(id("n", 60), text());
      case 4: return ops::update_note_color(id("n", 60), static_cast<v1::Color>(pick(9)));
      case 5: {
        v1::Op m = ops::move(chance(0.8) ? v1::OBJECT_KIND_NOTE : kind(), id(chance(0.5) ? "n" : "c", 40), coord(), coord());
        if (chance(0.3)) m.mutable_move()->set_area_id(chance(0.2) ? "" : id("a", 4));
        return m;
      }
      case 6: return ops::remove(kind(), id(chance(0.7) ? "n" : "c", 40));
      case 7: return ops::restore(kind(), id(chance(0.7) ? "n" : "c", 40));
      case 8: return ops::create_cluster(id("c", 12), text().substr(0, 30), {id("n", 60), id("n", 60)});
      case 9: return ops::add_to_cluster(id("c", 12), id("n", 60));
      case 10: return ops::remove_from_cluster(id("n", 60));
      case 11: case 12: return ops::vote(id("n", 60));
      case 13: return ops::retract(id("n", 60));
      case 14: return chance(0.5) ? ops::create_area(id("a", 4), "Bereich", coord(), coord()) : ops::lock(chance(0.2));
      case 16: return ops::rename_area(id("a", 4), text().substr(0, 40));
      case 17: return ops::rename_cluster(id("c", 12), text().substr(0, 40));
      default: {
        // p0 stays the facilitator, so a locked board can always be unlocked again.
        const std::string who = id("p", 6);
        const v1::Role role = who == "p0" ? v1::ROLE_FACILITATOR
                              : chance(0.8) ? v1::ROLE_PARTICIPANT : static_cast<v1::Role>(pick(5));
        return chance(0.5) ? ops::join(who, "Gast", role) : ops::leave(who);
      }
    }
  }

  // Mostly joined people; now and then the system or a stranger (both must be refused).
  std::string author(const v1::Op& op) {
    const bool membership = op.has_participant_joined() || op.has_participant_left();
    if (chance(membership ? 0.9 : 0.03)) return "";
    if (chance(0.02)) return "stranger";
    return "p" + std::to_string(pick(6));
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

TEST_CASE("random ops keep invariants and replay to identical bytes", "[board][fuzz]") {
  const std::uint64_t seed = GENERATE(1ull, 20261126ull, 0xC0FFEEull);
  RandomOps gen(seed);
  board::Board board;
  std::vector<v1::Event> accepted;
  std::map<int, int> reject_codes;  // code → count
  std::set<int> accepted_kinds;
  std::vector<std::pair<std::uint64_t, std::string>> checkpoints;  // seq → bytes

  // Everyone joins first so that most ops come from known authors.
  for (int p = 0; p < 6; ++p) {
    auto r = board.apply(ops::join("p" + std::to_string(p), "P", p == 0 ? v1::ROLE_FACILITATOR : v1::ROLE_PARTICIPANT),
                         board::kSystemAuthor, 0);
    REQUIRE(r.ok());
    accepted.push_back(r.event());
  }

  constexpr int kSteps = 4000;
  for (int step = 0; step < kSteps; ++step) {
    const v1::Op op = gen.op();
    const std::string author = gen.author(op);
    const std::string before = board.serialize();
    board::ApplyResult r = board.apply(op, author, 1000 + step);
    INFO("seed " << seed << " step " << step << " by '" << author << "': " << op.ShortDebugString());
    if (r.ok()) {
      REQUIRE(r.event().seq() == accepted.size() + 1);
      accepted.push_back(r.event());
      accepted_kinds.insert(r.event().op().kind_case());
    } else {
      ++reject_codes[r.rejection().code];
      REQUIRE(board.serialize() == before);
    }
    const auto broken = board.check_invariants();
    if (broken) FAIL("invariant broken: " << *broken);
    if (step % 500 == 0) checkpoints.emplace_back(board.seq(), board.serialize());
  }

  // The generator must exercise both outcomes broadly, or this test proves little.
  std::string histogram;
  for (const auto& [code, n] : reject_codes) histogram += v1::RejectCode_Name(code) + "=" + std::to_string(n) + " ";
  INFO("accepted " << accepted.size() << ", rejects " << histogram);
  // Every op kind must have been applied and most reject codes seen.
  CHECK(accepted.size() > kSteps / 8);
  CHECK(accepted_kinds.size() == 16);
  CHECK(reject_codes.size() >= 10);

  board::Board replayed;
  std::size_t next_checkpoint = 0;
  for (const auto& e : accepted) {
    const auto failed = replayed.replay(e);
    if (failed) FAIL("replay of seq " << e.seq() << " failed: " << failed->reason);
    while (next_checkpoint < checkpoints.size() && checkpoints[next_checkpoint].first == replayed.seq()) {
      CHECK(replayed.serialize() == checkpoints[next_checkpoint].second);
      ++next_checkpoint;
    }
  }
  CHECK(replayed.serialize() == board.serialize());

  // Snapshot → restore → identical bytes, and the restored board accepts the same next op.
  std::string error;
  auto restored = board::Board::restore(board.state(), &error);
  REQUIRE(restored);
  CHECK(restored->serialize() == board.serialize());
}
