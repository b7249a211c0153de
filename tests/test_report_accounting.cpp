// Every design's report accounts for its time and its capacity the same way:
// compute plus the stalls by cause is the layer's cycles exactly, the
// analytical bound is never above them, and utilization is a fraction of
// what the array could have done, 0..1, with fused lanes, several MAC lanes
// a PE and zero skipping counted.
#include <catch2/catch.hpp>

#include "design/design_family.h"
#include "design/fresh_kernel.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

RunResult run_shipped(const std::string& arch, const std::string& workload, const std::vector<std::string>& bits,
                      const std::string& execution = "") {
  Workload w = load_workload(shipped(workload));
  for (const std::string& b : bits) REQUIRE(apply_bits_override(w, b).empty());
  const ConfigNode root = ConfigNode::load_file(shipped(arch));
  install_fresh_systemc_kernel();
  return design_family_of(root).load(root, execution)->run(w, RunRequest{});
}

void check_accounting(const RunResult& r) {
  REQUIRE(!r.layers.empty());
  for (const LayerResult& l : r.layers) {
    INFO("layer " << l.name);
    uint64_t stalled = 0;
    for (const auto& [cause, n] : l.stall_cycles) {
      INFO("stall " << cause);
      CHECK(n <= l.cycles);  // no stall reaches back before the layer began
      stalled += n;
    }
    CHECK(l.compute_cycles + stalled == l.cycles);
    CHECK(l.bound_cycles <= l.cycles);
    CHECK(l.pe_utilization >= 0);
    CHECK(l.pe_utilization <= 1);
  }
  CHECK(r.summary.pe_utilization >= 0);
  CHECK(r.summary.pe_utilization <= 1);
}

}  // namespace

TEST_CASE("accounting: a weight-stationary array's cycles are compute plus stalls to the cycle", "[report]") {
  check_accounting(run_shipped("arch/systolic_ws.yaml", "workloads/lenet5.yaml", {}));
}

TEST_CASE("accounting: BitFusion's fused lanes count as capacity so utilization stays within 0..1", "[report]") {
  const RunResult r = run_shipped("arch/bitfusion.yaml", "workloads/bitfusion_cifar10.yaml", {});
  check_accounting(r);
  // Counted one MAC a PE a cycle, the 2-bit layers would be far above 1.
  double most = 0;
  for (const LayerResult& l : r.layers) most = std::max(most, l.pe_utilization);
  CHECK(most > 0.5);
}

TEST_CASE("accounting: Eyeriss v2's skipped MACs are not work and its two MAC lanes are capacity", "[report]") {
  check_accounting(run_shipped("arch/eyeriss_v2.yaml", "workloads/alexnet_pruned.yaml", {"accumulator=20"}));
}

TEST_CASE("accounting: UNPU's streamed weights overlap its passes in the bound as in the run", "[report]") {
  // fc1's bound counted its weights' transfer as a wait on top of compute:
  // 9,504 cycles against a run of 8,922.
  check_accounting(run_shipped("arch/unpu.yaml", "workloads/lenet5.yaml", {}));
}

TEST_CASE("accounting: an in-memory chip's layer run alone has no stall from before it began", "[report][imc]") {
  check_accounting(run_shipped("arch/isaac.yaml", "workloads/resnet18_cifar.yaml", {}, "layer_sequential"));
}

TEST_CASE("accounting: an in-memory chip's pipelined layers end with their outputs' drain", "[report][imc]") {
  const RunResult r = run_shipped("arch/isaac_cmesh.yaml", "workloads/resnet18_cifar.yaml", {});
  check_accounting(r);
  uint64_t drained = 0;
  for (const LayerResult& l : r.layers) drained += l.stall_cycles.at("drain");
  CHECK(drained > 0);  // the concentrated mesh's links hold rows back after they are computed
}

TEST_CASE("accounting: a dataflow pipeline's last engine ends with its outputs leaving the port", "[report][dataflow]") {
  check_accounting(run_shipped("arch/finn_cnv.yaml", "workloads/finn_cnv.yaml", {}));
}

TEST_CASE("accounting: the buffer's energy is filed under its role whatever the design names it", "[report]") {
  std::string yaml = replace_all(tiny_arch_yaml(), "  glb: {under: dram", "  sram: {under: dram");
  yaml = replace_all(yaml, "under: glb", "under: sram");
  const auto arch = arch_from_text(yaml, "named_buffer.yaml");
  install_fresh_systemc_kernel();
  const RunResult r = run_simulation(*arch, load_workload(shipped("workloads/lenet5.yaml")));
  CHECK(r.summary.energy_breakdown_pj.count("glb") == 1);
  CHECK(r.summary.energy_breakdown_pj.count("sram") == 0);
  CHECK(r.summary.energy_breakdown_pj.at("glb") > 0);
  // The instance name still says which component did it.
  CHECK(action_count(r.layers.front(), "sram", "glb.read") > 0);
}
