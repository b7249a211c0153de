// Eyeriss v2 (arch/eyeriss_v2.yaml) on pruned AlexNet and on MobileNet: the
// sparse PE array's counts follow the trace's densities layer by layer, and
// the run counts what the closed form counts. The published throughput and
// energy efficiency are compared in configs/validation/published_accelerators.yaml.
#include <catch2/catch.hpp>

#include <cmath>

#include "schedule/mapper.h"
#include "schedule/nest_counts.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Runs a shipped workload on Eyeriss v2 at its 20-bit partial sums, and checks each array layer.
void check_sparse_counts(const std::string& workload) {
  const auto arch = load_arch(shipped("arch/eyeriss_v2.yaml"));
  Workload w = load_workload(shipped(workload));
  REQUIRE(apply_bits_override(w, "accumulator=20").empty());
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == w.layers.size());
  int checked = 0;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& layer = w.layers[i];
    const LayerResult& l = r.layers[i];
    if (!plans[i].uses_array) continue;
    const LayerPrecision& p = layer.precision;
    const NestCounts k = count_nest(*arch, layer, plans[i].bounds, plans[i].mapping, arch->dataflow);
    const uint64_t performed = action_count(l, "pe_array", "mac.mac_8x8");
    INFO(l.name << ": " << performed << " MACs performed of " << l.macs << ", weight density " << p.weights.density
                << ", input density " << p.inputs.density << ", " << k.passes << " passes");
    // Zero weights and zero inputs are both skipped: performed = dense MACs x
    // weight density x input density, each pass rounded to a whole MAC.
    const double expected = static_cast<double>(l.macs) * p.weights.density * p.inputs.density;
    CHECK(std::abs(static_cast<double>(performed) - expected) <= 0.5 * static_cast<double>(k.passes));
    CHECK(performed + action_count(l, "pe_array", "mac.gated") == static_cast<uint64_t>(l.macs));
    // The run counts exactly what the closed form counts (which leaves the
    // mesh's router and link bits out: they follow each transfer's routes).
    ActionCounts simulated;
    for (const auto& a : l.actions)
      if (!(a.component == "noc" && (a.action == "noc.router_bits" || a.action == "noc.link_bits")))
        simulated[a.component + ":" + a.action] += a.count;
    const ActionCounts analytic = count_plan_actions(*arch, layer, plans[i]);
    std::string differ;
    for (const auto& [key, n] : analytic)
      if (simulated[key] != n) differ += " " + key + " " + std::to_string(simulated[key]) + " vs " + std::to_string(n);
    INFO("simulated vs closed form:" << differ);
    CHECK(simulated == analytic);
    // Weights bypass the buffer and come from DRAM as CSC entries of 8 + 4
    // bits: an fc layer at batch 1 fetches each weight once, so its weight
    // traffic is W x d / (1 - (1 - d)^16) entries, rounded up per fetch.
    if (layer.type == LayerType::FC && w.batch == 1) {
      const double entries = static_cast<double>(layer.weight_count()) * p.weights.density /
                             (1.0 - std::pow(1.0 - p.weights.density, 16));
      const double bits = static_cast<double>(k[Operand::Weights].dram_bits);
      CHECK(bits >= entries * 12);
      CHECK(bits <= (entries + static_cast<double>(k[Operand::Weights].fetches)) * 12);
    }
    ++checked;
  }
  CHECK(checked > 0);
}

}  // namespace

TEST_CASE("Eyeriss v2 skips the pruned weights and zero activations of AlexNet", "[eyeriss2]") {
  check_sparse_counts("workloads/alexnet_pruned.yaml");
}

TEST_CASE("Eyeriss v2 runs MobileNet with its dense weights and sparse activations counted", "[eyeriss2]") {
  check_sparse_counts("workloads/mobilenet_v1.yaml");
}
