// A systolic array whose passes follow one another straight on
// (streamed_passes: the next pass's operands enter behind the last ones, so
// its fill overlaps the previous pass's drain) and whose PEs read their
// weights from their own bank of the weight buffer (weight_load: pe_buffer),
// as Bit Fusion's fusion units do (models/pe_array/systolic_array.cpp).
// Cycles derived by hand on a small first layer; the closed-form bound stays
// below the SystemC run; bad values are refused with the file, line and key.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "schedule/mapper.h"
#include "schedule/mapping_io.h"
#include "schedule/nest_counts.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// tiny_arch_yaml's 4 x 4 systolic array at 1 GHz, with a buffer and network
// wide enough that no pass waits for its operands: only the array's own
// timing is measured.
std::string wide_arch(const std::string& extra_keys, const std::string& mac = "") {
  std::string yaml = replace_all(tiny_arch_yaml(), "size: 64 KiB, width: 64 bit, banks: 4",
                                 "size: 64 KiB, width: 2048 bit, banks: 4");
  yaml = replace_all(yaml, "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                     "noc: {under: glb, class: MulticastBus, width: 8192 bit}");
  if (!mac.empty())
    yaml = replace_all(yaml, "mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}", mac);
  return replace_all(yaml, "spad: {weights: 2, inputs: 1, psums: 1}", "spad: {weights: 2, inputs: 1, psums: 1}" + extra_keys);
}

const char* kStreamed = "\n    weight_load: pe_buffer\n    streamed_passes: true";
const char* kFusion = "mac: {class: BitFusionMAC, bricks: 16, accumulator_bits: 32}";

// The im2col test's first layer: 3 input channels, a 7 x 7 filter, stride 2,
// 14 x 14 -> 7 x 7 outputs, 4 filters; at 8 or at 2 bits.
std::string first_layer(int bits) {
  return "network: first\nbatch: 1\nprecision:\n"
         "  weights: {bits: " + std::to_string(bits) + ", scheme: uniform_symmetric}\n"
         "  inputs: {bits: " + std::to_string(bits) + ", scheme: uniform_symmetric}\n"
         "  outputs: {bits: " + std::to_string(bits) + ", scheme: uniform_symmetric}\n"
         "  accumulator: {bits: 32, scheme: uniform_symmetric}\n"
         "input: {C: 3, H: 14, W: 14}\nlayers:\n"
         "  - {name: conv, type: conv, C: 3, H: 14, W: 14, M: 4, R: 7, S: 7, stride: 2, padding: 3}\n";
}

// The flattened 147-long reduction on the 4 rows in ceil(147 / 4) = 37 folds,
// the 4 filters on the 4 columns, each PE running the 49 output positions.
const char* kMapping = R"(dataflow: weight_stationary
layers:
  conv:
    im2col: true
    dram: {order: [G, M, N, P, Q, C, R, S]}
    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 37}}
    rows: {C: 4}
    cols: {M: 4}
    pe: {P: 7, Q: 7}
)";

// At 2 x 2 bits a fusion unit sums 16 products of one output (fused
// reduction): the 4 rows reduce 4 x 16 = 64 of the flattened 147 a pass, in
// ceil(147 / 64) = 3 folds, each lane one MAC a step.
const char* kFusedMapping = R"(dataflow: weight_stationary
layers:
  conv:
    im2col: true
    dram: {order: [G, M, N, P, Q, C, R, S]}
    glb: {order: [G, M, C, R, S, N, P, Q], factors: {C: 3}}
    rows: {C: 64}
    cols: {M: 4}
    pe: {P: 7, Q: 7}
)";

struct MappingFile {
  std::filesystem::path path;
  explicit MappingFile(const char* text = kMapping) {
    path = scratch_dir("streamed_passes") / "mappings.yaml";
    std::ofstream(path) << text;
  }
  ~MappingFile() { std::filesystem::remove_all(path.parent_path()); }
};

// The closed form's compute cycles of the mapping on this design (no SystemC
// run: a process elaborates one kernel, so each case runs one simulation).
uint64_t closed_form_cycles(const std::string& arch_yaml, const std::string& workload_yaml,
                            const char* mapping = kMapping, uint64_t passes = 37) {
  const auto arch = arch_from_text(arch_yaml);
  const Workload w = workload_from_text(workload_yaml);
  const MappingFile f(mapping);
  const GivenMappings mappings = load_mappings(f.path.string(), w, arch->dataflow);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w, &mappings);
  const NestCounts n = count_nest(*arch, w.layers[0], plans[0].bounds, plans[0].mapping, arch->dataflow);
  REQUIRE(n.passes == passes);
  return n.compute_cycles;
}

struct Simulated {
  uint64_t compute_cycles = 0;
  uint64_t noc_stall_cycles = 0;  // waits for weight tiles are charged to the network
  double latency_s = 0;
  double bound_s = 0;
};

Simulated simulate(const std::string& arch_yaml, const std::string& workload_yaml, const char* mapping = kMapping) {
  const auto arch = arch_from_text(arch_yaml);
  const Workload w = workload_from_text(workload_yaml);
  const MappingFile f(mapping);
  const GivenMappings mappings = load_mappings(f.path.string(), w, arch->dataflow);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w, &mappings);
  const RunResult r = run_simulation(*arch, w, &mappings);
  const LayerResult& l = r.layers[0];
  return {l.compute_cycles, l.stall_cycles.at("noc"), l.latency_s,
          plan_latency_bound(*arch, w.layers[0], plans[0]).seconds};
}

}  // namespace

TEST_CASE("streamed passes pay the fill once: 37 passes of 49 steps on a 4 x 4 array (by hand)",
          "[streamed][hand]") {
  // Each pass: 49 steps, then 4 + 4 - 2 = 6 of fill and drain.
  CHECK(closed_form_cycles(wide_arch(""), first_layer(8)) == 37u * (49u + 6u));
  // Streamed, the 36 passes after the first enter behind the one before.
  CHECK(closed_form_cycles(wide_arch(kStreamed), first_layer(8)) == 37u * 49u + 6u);
  const Simulated s = simulate(wide_arch(kStreamed), first_layer(8));
  CHECK(s.compute_cycles == 37u * 49u + 6u);
  CHECK(s.latency_s >= s.bound_s * (1 - 1e-9));
}

TEST_CASE("fused bricks at 2 bits: 3 folds of 64 lanes of 49 steps with the fill paid once (by hand)",
          "[streamed][hand]") {
  // 16 bricks sum 16 products of 2 x 2 bits a cycle into one partial sum:
  // each lane runs the 49 positions one a step, and without streaming the
  // fill and drain are 11% of every pass.
  CHECK(closed_form_cycles(wide_arch("", kFusion), first_layer(2), kFusedMapping, 3) == 3u * (49u + 6u));
  CHECK(closed_form_cycles(wide_arch(kStreamed, kFusion), first_layer(2), kFusedMapping, 3) == 3u * 49u + 6u);
  const Simulated s = simulate(wide_arch(kStreamed, kFusion), first_layer(2), kFusedMapping);
  CHECK(s.compute_cycles == 3u * 49u + 6u);
  CHECK(s.latency_s >= s.bound_s * (1 - 1e-9));
  // The 4-row mapping of the 8-bit case uses 4 of the 64 lanes: as slow as at 8 bits.
  CHECK(closed_form_cycles(wide_arch(kStreamed, kFusion), first_layer(2)) == 37u * 49u + 6u);
}

namespace {

// One set of weight registers: the array waits for every weight tile. The
// wide network sends a tile (4 x 4 weights of 8 bits) in a cycle and the
// buffer reads it in one, so the wait is the array's own taking it in.
std::string single_weight_set(const std::string& load) {
  return replace_all(wide_arch("\n    weight_load: " + load), "spad: {weights: 2,", "spad: {weights: 1,");
}

}  // namespace

TEST_CASE("weights from each PE's own buffer bank load in 1 cycle, shifted ones in 4 (by hand)", "[streamed][hand]") {
  const Workload w = workload_from_text(first_layer(8));
  const MappingFile f;
  const auto counts = [&](const std::string& load) {
    const auto arch = arch_from_text(single_weight_set(load));
    const GivenMappings mappings = load_mappings(f.path.string(), w, arch->dataflow);
    const std::vector<LayerPlan> plans = plan_workload(*arch, w, &mappings);
    return std::pair{count_nest(*arch, w.layers[0], plans[0].bounds, plans[0].mapping, arch->dataflow),
                     plan_latency_bound(*arch, w.layers[0], plans[0]).seconds};
  };
  const auto [shifted, shifted_s] = counts("shifted");
  const auto [banked, banked_s] = counts("pe_buffer");
  // 37 weight tiles, 36 of 4 rows and the last fold's of 3 (147 = 36 x 4 + 3):
  // a row a cycle, or every bank read at once.
  CHECK(shifted.weight_load_cycles == 36u * 4u + 3u);
  CHECK(banked.weight_load_cycles == 37u * 1u);
  // The array waits for each: 147 - 37 = 110 cycles of 1 ns apart.
  CHECK(shifted_s - banked_s == Approx(110 * 1e-9).margin(1e-12));
}

TEST_CASE("a bad weight_load or streamed_passes is refused with its file, line and key", "[streamed][config]") {
  // The keys sit on line 17, after the array's spad.
  const ConfigError bad = arch_error(wide_arch("\n    weight_load: sideways"));
  CHECK(bad.key_path() == "components.pe_array.weight_load");
  CHECK(bad.where().line == 17);
  CHECK_THAT(bad.message(), Catch::Contains("'sideways'") && Catch::Contains("pe_buffer"));
  // Streaming needs the next pass's weights in place before the last pass drains.
  const ConfigError no_shadow = arch_error(replace_all(wide_arch("\n    streamed_passes: true"), "spad: {weights: 2,",
                                                       "spad: {weights: 1,"));
  CHECK(no_shadow.key_path() == "components.pe_array.streamed_passes");
  CHECK(no_shadow.where().line == 17);
  CHECK_THAT(no_shadow.message(), Catch::Contains("weight_load: pe_buffer"));
  // A per-PE weight buffer is enough without a shadow set.
  CHECK_NOTHROW(arch_from_text(replace_all(wide_arch(kStreamed), "spad: {weights: 2,", "spad: {weights: 1,")));
  const ConfigError not_a_flag = arch_error(wide_arch("\n    streamed_passes: sometimes"));
  CHECK(not_a_flag.key_path() == "components.pe_array.streamed_passes");
}
