// The shipped XNOR-SRAM chip (arch/xnor_sram.yaml): its macro's peak rolled
// up from the per-action energies beside the published figure, and FINN's
// binarized CNV running on it with the ADC clipping warnings.
#include <catch2/catch.hpp>

#include "imc/imc_arch.h"
#include "imc/imc_costs.h"
#include "imc/imc_run.h"
#include "support.h"

namespace qnnsim::test {

// The shipped macro (arch/xnor_sram.yaml), one read of all 256 x 64 cells:
//   bitline dividers: 0.6^2 x 4.19 ns x (16,384 - 64) / (4 x 40 kOhm) = 153.86 pJ
//   wordline pairs:   256 x 23.04 fJ = 5.898 pJ
//   ADC conversions:  64 x 10 comparators x 7.2 fJ = 4.608 pJ
//   164.37 pJ for 2 x 16,384 = 32,768 operations: 199.4 TOPS/W.
// Published [Yin et al., JSSC 2020, abstract]: 403 TOPS/W at 0.6 V. The roll-up
// is the model's, not tuned to it: the README explains the gap.
TEST_CASE("the shipped XNOR-SRAM macro's peak rolls up from its per-action energies", "[imc][xnor][validation]") {
  const ImcArch arch = load_imc_arch(ConfigNode::load_file(shipped("arch/xnor_sram.yaml")));
  const MacroPeak p = macro_peak(arch);
  CHECK(p.energy_j.at("crossbar") * 1e12 == Approx(0.36 * 4.19e-9 * 16320 / 1.6e5 * 1e12).epsilon(1e-9));
  CHECK(p.energy_j.at("dac") * 1e12 == Approx(5.89824).epsilon(1e-9));
  CHECK(p.energy_j.at("adc") * 1e12 == Approx(4.608).epsilon(1e-9));
  CHECK(p.energy_j.count("sample_hold") == 0);
  CHECK(p.ops == 32768.0);
  CHECK(p.ops_per_j * 1e-12 == Approx(199.4).epsilon(1e-3));
  CHECK(p.ops_per_s == Approx(32768.0 / 5e-9).epsilon(1e-12));  // one read every 5 ns
  const double published_tops_per_w = 403.0;
  CHECK(p.ops_per_j * 1e-12 / published_tops_per_w == Approx(0.495).epsilon(1e-2));
}

TEST_CASE("FINN's binarized CNV runs on the shipped XNOR-SRAM chip with its weights resident", "[imc][xnor]") {
  const ImcArch arch = load_imc_arch(ConfigNode::load_file(shipped("arch/xnor_sram.yaml")));
  const RunResult r = run_in_memory(arch, load_workload(ConfigNode::load_file(shipped("workloads/finn_cnv.yaml"))));
  REQUIRE(r.in_memory);
  CHECK(r.in_memory->segments == 1);
  CHECK(r.in_memory->adc_bits_needed == 9);  // 257 sums of a 256-row column
  CHECK(r.in_memory->macro_peak_tops_per_w == Approx(199.4).epsilon(1e-3));
  CHECK(r.summary.gops_per_w > 0);
  CHECK(r.summary.gops_per_w / 1e3 < r.in_memory->macro_peak_tops_per_w);  // a chip does worse than its macros flat out
  bool clip_warning = false;
  for (const auto& warning : r.in_memory->warnings) clip_warning |= warning.find("11 levels (3.46 bits") != std::string::npos;
  CHECK(clip_warning);
}

}  // namespace qnnsim::test
