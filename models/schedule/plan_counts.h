#pragma once
// The analytical side of a layer plan: the action counts its execution must
// produce and a lower bound on its latency, in closed form per tile without
// simulating. The SystemC run is the measurement; a test holds its counts
// equal to these, and its latency at or above the bound. The same figures are
// what a mapper ranks candidate plans by.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/arch_spec.h"
#include "schedule/layer_plan.h"
#include "workload/layer.h"

namespace qnnsim {

// Keyed "component:label", the way reports name actions (e.g. "glb:glb.read").
using ActionCounts = std::map<std::string, uint64_t>;

ActionCounts count_plan_actions(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan);

// The same counts with the component and action each belongs to, so they can be priced.
struct PricedAction {
  const ComponentSpec* component = nullptr;
  ActionDesc action;
  uint64_t count = 0;
};
std::vector<PricedAction> price_plan_actions(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan);

// Leakage energy of the whole architecture over `seconds`.
double leakage_pj(const ArchSpec& arch, double seconds);

// No run of the plan can be faster than its busiest resource working flat out.
struct LatencyBound {
  double seconds = 0;
  std::string bottleneck;  // "compute", "dram", "buffer" or "noc"
};
LatencyBound plan_latency_bound(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan);

// All of the above from one pass over the tiles, for the mapper.
struct PlanAnalysis {
  uint64_t dram_bits = 0;
  LatencyBound bound;
  double dynamic_energy_pj = 0;  // every action priced; leakage depends on the time taken
  // On a network whose rate depends on the route (a mesh), the busier of the
  // array and the network with each tensor at its route's rate to the pass's
  // whole region: an estimate, not a bound (an edge pass's region is
  // smaller, and its route may be shorter); 0 on other networks.
  double routed_core_s = 0;
};
PlanAnalysis analyze_plan(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan);

}  // namespace qnnsim
