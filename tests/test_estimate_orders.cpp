// The mapper's closed-form estimate in two halves: the refetch factors a
// loop order gives a tile (Estimator::refetches), and the figures that
// follow from them (Estimator::with_refetches). The search leans on two
// facts of that split. The figures of several orders' least factors are
// below each of those orders' figures: it turns a tile away on that bound
// before estimating any order of it. Two orders whose loops of more than one
// trip come in the same sequence get the same factors: it takes one's
// estimate for the other. Both are checked on tile shapes drawn at random
// (fixed seed) over a convolution and a fully connected layer, on the
// systolic and the Eyeriss designs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <random>

#include "schedule/array_estimate.h"
#include "schedule/loop_nest.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::search;
using namespace qnnsim::test;

namespace {

const char* kLayers = R"(network: orders
batch: 8
input: {C: 32, H: 28, W: 28}
layers:
  - {name: conv, type: conv, C: 32, H: 28, W: 28, M: 64, R: 3, S: 3, padding: 1}
  - {name: fc, type: fc, C: 50176, M: 256}
)";

using Order = std::array<int, kDims>;

Order random_order(std::mt19937& rng) {
  Order o{};
  std::iota(o.begin(), o.end(), 0);
  std::shuffle(o.begin(), o.end(), rng);
  return o;
}

// The same loops of more than one trip (`trips`), in the same sequence, with
// the loops of one trip moved to places drawn at random.
Order reshuffle_single_trips(const Order& order, const DimArray& trips, std::mt19937& rng) {
  std::vector<int> kept, single;
  for (int d : order) (trips[static_cast<std::size_t>(d)] > 1 ? kept : single).push_back(d);
  for (int d : single) {
    std::uniform_int_distribution<std::size_t> at(0, kept.size());
    kept.insert(kept.begin() + static_cast<std::ptrdiff_t>(at(rng)), d);
  }
  Order out{};
  std::copy(kept.begin(), kept.end(), out.begin());
  return out;
}

CandidateShape random_shape(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 4);
  constexpr std::array<int64_t, 5> kTrips{1, 1, 2, 3, 7};  // most loops of one trip, as in the search
  CandidateShape s;
  for (std::size_t d = 0; d < kDims; ++d) {
    s.tiles[d] = kTrips[static_cast<std::size_t>(pick(rng))];
    s.ppt[d] = kTrips[static_cast<std::size_t>(pick(rng))];
    s.tile_count *= s.tiles[d];
    s.passes *= static_cast<double>(s.tiles[d] * s.ppt[d]);
  }
  s.holds_outputs = pick(rng) < 3;
  s.inputs_per_tile = 5000.0 * (1 + pick(rng));
  s.window_bits = 800.0 * (1 + pick(rng));
  s.compute_cycles = 40.0 * s.passes;
  return s;
}

void check_design(const std::string& file, bool sixteen_bits) {
  const auto arch = load_arch(shipped(file));
  Workload w = workload_from_text(kLayers);
  if (sixteen_bits)
    for (const char* t : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
      REQUIRE(apply_bits_override(w, t).empty());
  std::mt19937 rng(20261206);
  for (const Layer& l : w.layers) {
    const LoopBounds b = loop_bounds(l, w.batch);
    Estimator estimate(*arch, l, b);
    int tighter = 0;  // shapes whose least-factor bound is above the order-free one
    for (int trial = 0; trial < 400; ++trial) {
      const CandidateShape s = random_shape(rng);
      TileNeed need;
      need.w = 4096, need.i = 8192, need.o = 2048;
      need.slots = trial % 2 == 0 ? 1 : 2;
      const Order dram_a = random_order(rng), glb_a = random_order(rng);
      const Order dram_b = random_order(rng), glb_b = random_order(rng);
      INFO(file << ", layer " << l.name << ", trial " << trial);

      const Refetches a = estimate.refetches(dram_a, glb_a, s), c = estimate.refetches(dram_b, glb_b, s);
      const PlanScore least = estimate.with_refetches(s, need, a.least(c)).figures;
      for (const Refetches& r : {a, c}) {
        const PlanScore each = estimate.with_refetches(s, need, r).figures;
        CHECK(least.seconds <= each.seconds);
        CHECK(least.energy_pj <= each.energy_pj);
      }
      const PlanScore order_free = estimate.lower_bound(s, need);
      CHECK(order_free.seconds <= least.seconds);
      CHECK(order_free.energy_pj <= least.energy_pj);
      if (order_free.energy_pj < least.energy_pj) ++tighter;

      const Refetches same = estimate.refetches(reshuffle_single_trips(dram_a, s.tiles, rng),
                                                reshuffle_single_trips(glb_a, s.ppt, rng), s);
      CHECK(same.weights_from_dram == a.weights_from_dram);
      CHECK(same.inputs_from_dram == a.inputs_from_dram);
      CHECK(same.into_pes == a.into_pes);
    }
    // The bound the search adds is tighter than the one it had, for some shapes at least.
    CHECK(tighter > 0);
  }
}

}  // namespace

TEST_CASE("the least refetch factors of two loop orders bound both orders' figures, and loops of one trip change no factor: systolic_ws",
          "[mapper]") {
  check_design("arch/systolic_ws.yaml", false);
}

TEST_CASE("the least refetch factors of two loop orders bound both orders' figures, and loops of one trip change no factor: eyeriss_v1",
          "[mapper]") {
  check_design("arch/eyeriss_v1.yaml", true);
}
