// Eyeriss v1 from its published parameters: the shipped architecture
// reproduces the published AlexNet table (configs/validation, which cites it)
// within the limits the validation states, and its energy table keeps the
// published normalized costs.
#include <catch2/catch.hpp>

#include "core/config_node.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

TEST_CASE("Eyeriss v1 reproduces the published AlexNet processing times and DRAM traffic", "[eyeriss][validation]") {
  const ConfigNode setup = ConfigNode::load_file(shipped("configs/validation/eyeriss_v1_alexnet.yaml"));
  const auto arch = load_arch(shipped(setup.text("arch")));
  Workload w = load_workload(shipped(setup.text("workload")));
  w.batch = setup.integer("batch", 1);
  const std::string bits = std::to_string(setup.integer("bits", 1));
  for (const char* t : {"weights", "inputs", "outputs", "accumulator"})
    REQUIRE(apply_bits_override(w, std::string(t) + "=" + bits).empty());
  const ConfigNode tolerance = setup.child("tolerance");
  const double processing_limit = tolerance.number("processing"), dram_limit = tolerance.number("dram");

  const RunResult r = run_simulation(*arch, w);
  const ConfigNode published = setup.child("layers");
  int checked = 0;
  for (const LayerResult& l : r.layers) {
    if (!published.has(l.name)) continue;
    const ConfigNode pub = published.child(l.name);
    // The published processing time assumes DRAM traffic hidden behind compute.
    const double processing_ms = static_cast<double>(l.cycles - l.stall_cycles.at("dram")) / r.clock_hz * 1e3;
    const double dram_mb = l.dram_bytes / 1e6;
    INFO(l.name << ": processing " << processing_ms << " ms (published " << pub.number("processing_ms") << "), DRAM "
                << dram_mb << " MB (published " << pub.number("dram_mb") << "), " << l.tiling);
    CHECK(std::abs(processing_ms / pub.number("processing_ms") - 1) <= processing_limit);
    CHECK(std::abs(dram_mb / pub.number("dram_mb") - 1) <= dram_limit);
    // The row-stationary mapping keeps most of the 168 PEs busy, as the chip did.
    CHECK(l.active_pes >= 120);
    ++checked;
  }
  CHECK(checked == 5);
}

TEST_CASE("the Eyeriss energy table keeps the published normalized costs", "[eyeriss]") {
  const auto arch = load_arch(shipped("arch/eyeriss_v1.yaml"));
  LayerPrecision p;
  for (Tensor t : {Tensor::Weights, Tensor::Inputs, Tensor::Outputs, Tensor::Accumulator}) p[t].bits = 16;
  const double mac = arch->pe_array->action_energy_pj(arch->pe_array->mac_action(p));
  // The derived anchor: Horowitz's 45 nm 16-bit MAC (0.842 pJ) x (65/45) x (1.0/0.9)^2.
  CHECK(mac == Approx(1.502).epsilon(0.002));
  // Chen et al., ISCA 2016: per 16-bit access, register file 1, array NoC 2,
  // global buffer 6, DRAM 200 times a MAC.
  CHECK(arch->pe_array->action_energy_pj({"spad", "read", 16}) / mac == Approx(1).epsilon(0.002));
  CHECK(16 * arch->noc->action_energy_pj({"noc", "sent_bits", 0}) / mac == Approx(2).epsilon(0.002));
  const double glb_word = arch->glb->action_energy_pj({arch->glb->instance(), "read", 0});
  CHECK(glb_word * 16 / static_cast<double>(arch->glb->width_bits()) / mac == Approx(6).epsilon(0.002));
  CHECK(16 * arch->dram->action_energy_pj({"dram", "read_bits", 0}) / mac == Approx(200).epsilon(0.002));
}

TEST_CASE("the recorded per-layer chip powers add up to the published chip power", "[eyeriss]") {
  // JSSC 2017 Table V gives each CONV layer's power and the 278 mW of all
  // five; the per-layer figures weighted by each layer's total time must give
  // it, which catches a mistyped figure in the validation setup.
  const ConfigNode setup = ConfigNode::load_file(shipped("configs/validation/eyeriss_v1_alexnet.yaml"));
  const ConfigNode layers = setup.child("layers");
  double energy = 0, time = 0;
  for (const char* name : {"conv1", "conv2", "conv3", "conv4", "conv5"}) {
    const ConfigNode l = layers.child(name);
    energy += l.number("power_mw") * l.number("total_ms");
    time += l.number("total_ms");
  }
  CHECK(energy / time == Approx(setup.number("power_mw")).epsilon(0.005));
}
