#include "schedule/search_support.h"

#include <algorithm>

#include <fmt/format.h>

#include "schedule/plan_counts.h"

namespace qnnsim::search {

// From each size straight to the next smaller one: ceil(n / k) falls below v
// first at k = ceil(n / (v - 1)). About 2*sqrt(n) steps instead of n (an fc
// layer's 25,088 input channels took half of VGG-16's search on Eyeriss).
std::vector<int64_t> block_sizes(int64_t n) {
  std::vector<int64_t> sizes;
  for (int64_t k = 1; k <= n;) {
    const int64_t v = ceil_div(n, k);
    sizes.push_back(v);
    if (v == 1) break;
    k = ceil_div(n, v - 1);
  }
  std::reverse(sizes.begin(), sizes.end());
  return sizes;
}

// Input rows that output rows [p0, p0 + pt) read, clamped to the unpadded input.

void does_not_fit(const ArchSpec& arch, const Layer& l, double need_bits, const std::string& parts) {
  std::string split;  // a partitioned buffer says how, since the total alone may look large enough
  const auto& partitions = arch.glb->partitions().parts();
  if (partitions.size() > 1)
    for (const BufferPartition& p : partitions)
      split += fmt::format("{}{} {:.0f} bits", split.empty() ? "; its partitions hold: " : ", ", p.name, p.bits);
  throw ConfigError(arch.glb->node().location_of("size"), arch.glb->capacity_key(),
                    fmt::format("the global buffer ({:.0f} bits) cannot hold one tile of layer '{}' ({}): the smallest "
                                "tile needs {:.0f} bits ({}){}",
                                arch.glb->capacity_bits(), l.name, l.where.file, need_bits, parts, split));
}

bool Estimate::better_than(const Estimate& o, Objective obj) const {
  const double a = score(obj), b = o.score(obj);
  if (a < 0.99 * b) return true;
  if (b < 0.99 * a) return false;
  const Objective other = obj == Objective::Energy ? Objective::Latency : Objective::Energy;
  const double x = score(other), y = o.score(other);
  if (x < 0.99 * y) return true;
  if (y < 0.99 * x) return false;
  if (dram_bits != o.dram_bits) return dram_bits < o.dram_bits;
  return tiles < o.tiles;
}

// DRAM bits per raw bit of activations (compression, if the DRAM has it), for estimates.
double activation_ratio(const ArchSpec& arch, int64_t bits, double density) {
  constexpr uint64_t kSample = 1 << 20;
  return static_cast<double>(arch.dram->activation_bits(kSample, static_cast<int>(bits), density)) /
         (static_cast<double>(kSample) * static_cast<double>(bits));
}

namespace {

// A tile's first weights cannot load before its data is in the buffer, and with
// two slots that is often only just in time: count one exposed weight load
// per tile of an array layer (a few cycles; it matters for tiny tiles).
double tile_bubbles(const ArchSpec& arch, const Layer& l, int64_t tiles) {
  if (!layer_uses_array(l.type)) return 0;
  return static_cast<double>(tiles) * static_cast<double>(arch.pe_array->weight_load_cycles(arch.pe_array->rows())) *
         arch.tech.period_s();
}

}  // namespace

Estimate exact_estimate(const ArchSpec& arch, const Layer& l, const LayerPlan& plan) {
  const PlanAnalysis a = analyze_plan(arch, l, plan);
  Estimate e;
  const double bw = arch.dram->bandwidth_bits_per_s();
  e.tiles = static_cast<int64_t>(plan.tiles.size());
  e.dram_bits = static_cast<double>(a.dram_bits);
  const GlbTile first = plan.tiles.front();
  const GlbTile last = plan.tiles.back();
  const double ends = static_cast<double>(first.weight_load_bits + first.input_dram_bits + last.output_store_bits) / bw;
  const double dram_s = e.dram_bits / bw + static_cast<double>(e.tiles) * arch.dram->latency_s();
  // On a mesh, at each tensor's rate over its route rather than the bound's buffer-port width.
  const double core = std::max(a.bound.seconds, a.routed_core_s) + tile_bubbles(arch, l, e.tiles);
  // One slot: a tile's load and store wait for the compute of the one before.
  e.figures.seconds = (arch.glb->tile_slots() == 1 ? core + dram_s : std::max(core, dram_s)) + ends;
  e.figures.energy_pj = a.dynamic_energy_pj + leakage_pj(arch, e.figures.seconds);
  return e;
}

}  // namespace qnnsim::search
