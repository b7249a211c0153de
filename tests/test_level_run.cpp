// `qnnsim run` on a level design (sim/level_run): every array layer as the
// level search maps it, the rest listed as not costed, reported like any run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "schedule/level_packing.h"
#include "schedule/level_search.h"
#include "sim/level_run.h"
#include "support.h"
#include "sweep/results_db.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// LeNet-5 accumulating in 16 bits, as Eyeriss' 16-bit MACs do.
Workload lenet_16_bit_sums() {
  Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  for (Layer& l : w.layers) l.precision.accumulator.bits = 16;
  return w;
}

}  // namespace

TEST_CASE("a level design runs a workload layer after layer, each as the level search maps it", "[levels][report]") {
  const LevelDesign d = load_level_design(shipped("arch/levels/eyeriss_v1.yaml"), LevelDesignUse::ToSearch);
  const Workload w = lenet_16_bit_sums();
  const RunResult r = run_level_design(d, w, Objective::Edp);
  REQUIRE(r.layers.size() == w.layers.size());
  REQUIRE(r.levels);
  CHECK(r.levels->not_costed.empty());
  CHECK(r.levels->warnings.empty());
  CHECK(r.clock_hz == Approx(200e6));
  CHECK(r.arch == "eyeriss_v1_levels");
  double energy = 0, seconds = 0;
  uint64_t cycles = 0;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const LayerResult& lr = r.layers[i];
    if (!layer_uses_array(l.type)) {
      // Pooling on the one 16-bit lane beside the buffer: three compares a
      // 2x2 output, one a cycle; the inputs come from DRAM through the
      // buffer, the outputs go back the same way, the 8-bit values packed
      // eight to DRAM's 64-bit access (level_packing.h): a byte each.
      CHECK(lr.compute_cycles == static_cast<uint64_t>(l.output_count() * 3));
      CHECK(action_count(lr, "vector", "op") == static_cast<uint64_t>(l.output_count() * 3));
      CHECK(action_count(lr, "dram", "inputs.read") == static_cast<uint64_t>(l.input_count()));
      CHECK(action_count(lr, "glb", "inputs.fill") == static_cast<uint64_t>(l.input_count()));
      CHECK(action_count(lr, "glb", "outputs.update") == static_cast<uint64_t>(l.output_count()));
      CHECK(action_count(lr, "dram", "outputs.update") == static_cast<uint64_t>(l.output_count()));
      CHECK(lr.dram_bytes == Approx(static_cast<double>(l.input_count() + l.output_count())));
      // DRAM's one 64-bit word a cycle moves 8 values: slower than the lane only if more than 8 values an output.
      const uint64_t dram = static_cast<uint64_t>(std::ceil((l.input_count() + l.output_count()) / 8.0));
      CHECK(lr.cycles == std::max(lr.compute_cycles, dram));
      double actions = 0;
      for (const ActionResult& a : lr.actions) actions += a.energy_pj;
      CHECK(actions == Approx(lr.energy_pj));
      energy += lr.energy_pj;
      seconds += lr.latency_s;
      cycles += lr.cycles;
      continue;
    }
    // The same figures the search gives the layer on its own, on the design
    // packed for its 8-bit weights and inputs and 16-bit sums.
    const LevelDesign packed = pack_level_design(d, layer_value_widths(d, 8, 8, 8, 16));
    const std::optional<LevelMapping> m = search_level_mapping(packed, loop_bounds(l, w.batch), Objective::Edp);
    REQUIRE(m);
    CHECK(lr.cycles == m->cycles.total);
    CHECK(lr.energy_pj == Approx(m->energy_pj));
    CHECK(lr.tiling == level_nest_text(m->nest));
    CHECK(lr.macs == l.macs() * w.batch);
    CHECK(static_cast<int64_t>(m->counts.computes) == lr.macs);
    // Its actions add up to its energy, and its components to the same.
    double actions = 0, components = 0;
    for (const ActionResult& a : lr.actions) actions += a.energy_pj;
    for (const auto& [name, pj] : lr.energy_breakdown_pj) components += pj;
    CHECK(actions == Approx(lr.energy_pj));
    CHECK(components == Approx(lr.energy_pj));
    CHECK(action_count(lr, "mac", "mac") == m->counts.computes);
    // Off-chip traffic: what crosses the outermost level's port, a byte an
    // 8-bit weight or input, two bytes a 16-bit sum.
    double bytes = 0;
    for (int t = 0; t < kOperands; ++t) {
      const TensorAccesses& a = m->counts.level[0].tensor[t];
      bytes += static_cast<double>(a.reads + a.fills + a.updates + a.drains) * (t == 2 ? 2 : 1);
    }
    CHECK(lr.dram_bytes == Approx(bytes));
    CHECK(lr.latency_s == Approx(static_cast<double>(lr.cycles) / 200e6));
    energy += lr.energy_pj;
    seconds += lr.latency_s;
    cycles += lr.cycles;
  }
  CHECK(r.summary.energy_pj == Approx(energy));
  CHECK(r.summary.latency_s == Approx(seconds));
  CHECK(r.summary.cycles == cycles);
  // The chip's area from its components: 168 PEs' registers and MACs, the buffer and the networks.
  double area = 0;
  for (const auto& [name, mm2] : r.summary.area_breakdown_mm2) area += mm2;
  CHECK(r.summary.area_mm2 == Approx(area));
  CHECK(r.summary.area_breakdown_mm2.count("glb") == 1);
  CHECK(r.summary.area_breakdown_mm2.count("vector") == 1);
  CHECK(r.summary.area_breakdown_mm2.count("dram") == 0);
  CHECK(r.summary.area_mm2 > 0);
  // A fan-out without a network component prices no network and has no area; the rest still add up.
  const auto dir = scratch_dir("level_run_area");
  std::string text = read_file(shipped("arch/levels/eyeriss_v1.yaml"));
  const std::size_t from = text.find("    component:                  # separate filter"), to = text.find("  - name: ifmap_spad");
  REQUIRE(from < to);
  std::ofstream(dir / "no_network.yaml") << text.erase(from, to - from);
  const LevelDesign bare = load_level_design((dir / "no_network.yaml").string(), LevelDesignUse::ToSearch);
  CHECK(bare.area_complete);
  const std::map<std::string, double> bare_area = level_design_area_mm2(bare);
  CHECK(bare_area.at("array") == 0);
  CHECK(bare_area.at("glb") == Approx(r.summary.area_breakdown_mm2.at("glb")));
}

TEST_CASE("codebook operands on a level design: index traffic, and a table look-up a compute", "[levels][scheme]") {
  const LevelDesign d = load_level_design(shipped("arch/levels/eyeriss_v1.yaml"), LevelDesignUse::ToSearch);
  // conv2's inputs as 4-bit uniform codes, then as 4-bit indices into a table of 16 entries.
  Workload uniform = lenet_16_bit_sums();
  REQUIRE(uniform.layers[2].name == "conv2");
  uniform.layers[2].precision.inputs = {4, Scheme::UniformAsymmetric, 1.0};
  Workload codebook = uniform;
  const Layer& conv2 = codebook.layers[2];
  codebook.layers[2].precision.inputs = {4, Scheme::Codebook, 1.0};
  const LayerResult u = run_level_design(d, uniform, Objective::Edp).layers[2];
  const LayerResult c = run_level_design(d, codebook, Objective::Edp).layers[2];
  // The indices move as 4-bit codes do: the same mapping and traffic.
  CHECK(c.tiling == u.tiling);
  CHECK(c.dram_bytes == u.dram_bytes);
  CHECK(action_count(c, "glb", "inputs.read") == action_count(u, "glb", "inputs.read"));
  CHECK(action_count(c, "ifmap_spad", "inputs.read") == action_count(u, "ifmap_spad", "inputs.read"));
  // Each MAC reads one 16-bit entry (IntMAC's input width) from a table of
  // registers beside it: 16 x 0.09386 pJ, the design's table's register bit
  // (configs/energy/eyeriss_65nm.yaml), as the PE arrays and dataflow
  // engines price it.
  const uint64_t macs = static_cast<uint64_t>(conv2.macs());
  CHECK(action_count(c, "codebook_table", "inputs.lookup") == macs);
  CHECK(c.energy_breakdown_pj.at("codebook_table") == Approx(macs * 16 * 0.09386).epsilon(1e-9));
  CHECK(c.energy_pj - u.energy_pj == Approx(macs * 16 * 0.09386).epsilon(1e-9));
  CHECK(action_count(u, "codebook_table", "inputs.lookup") == 0);
  CHECK(action_count(c, "codebook_table", "weights.lookup") == 0);  // the weights stay uniform

  // Compute priced by a number has no MAC class to give the entries' width: refused, naming the layer.
  const auto dir = scratch_dir("level_run_codebook");
  std::ofstream(dir / "eyeriss_energy.yaml") << replace_all(
      read_file(shipped("arch/levels/eyeriss_v1.yaml")),
      "mac: {class: IntMAC, weight_bits: 16, input_bits: 16, accumulator_bits: 16}", "energy_pj: 1.0");
  const LevelDesign by_number = load_level_design((dir / "eyeriss_energy.yaml").string(), LevelDesignUse::ToSearch);
  CHECK_NOTHROW(run_level_design(by_number, uniform, Objective::Edp));
  CHECK_THROWS_WITH(run_level_design(by_number, codebook, Objective::Edp),
                    Catch::Contains("layer 'conv2' has codebook operands") && Catch::Contains("compute: {mac: ...}"));
}

TEST_CASE("a level design refuses what it cannot run, naming why", "[levels][reliability]") {
  const Workload w = lenet_16_bit_sums();
  // No technology, so no clock: Timeloop's designs count accesses but do not run.
  const LevelDesign timeloop =
      load_level_design(shipped("configs/validation/timeloop/simple_weight_stationary.yaml"), LevelDesignUse::ToSearch);
  CHECK_THROWS_WITH(run_level_design(timeloop, w, Objective::Energy), Catch::Contains("technology"));
  // 16-bit weights do not fit 8-bit words.
  const auto dir = scratch_dir("level_run");
  std::ofstream(dir / "eyeriss8.yaml") << replace_all(read_file(shipped("arch/levels/eyeriss_v1.yaml")), "word_bits: 16 ",
                                                      "word_bits: 8 ");
  const LevelDesign narrow = load_level_design((dir / "eyeriss8.yaml").string(), LevelDesignUse::ToSearch);
  Workload wide = w;
  wide.layers[0].precision.weights.bits = 16;
  CHECK_THROWS_WITH(run_level_design(narrow, wide, Objective::Energy),
                    Catch::Contains("layer 'conv1' has 16-bit weights") && Catch::Contains("8-bit words"));
  CHECK_NOTHROW(run_level_design(narrow, w, Objective::Energy));
  // 32-bit sums do not fit the 16-bit MACs' accumulators.
  CHECK_THROWS_WITH(run_level_design(narrow, load_workload(shipped("workloads/lenet5.yaml")), Objective::Energy),
                    Catch::Contains("layer 'conv1': IntMAC accumulates 16 bits; the layer needs 32"));

  // On the command line: options the level run does not take exit 2.
  const std::string design = shipped("arch/levels/eyeriss_v1.yaml"), trace = shipped("workloads/lenet5.yaml");
  for (const char* option : {"--mappings m.yaml", "--trace t.json", "--execution layer_sequential"}) {
    CHECK(qnnsim_cli("run " + design + " " + trace + " --bits accumulator=16 " + option, dir / "out", dir / "err") == 2);
    CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("not available for level designs"));
  }
}

TEST_CASE("a level design's run writes the common JSON and CSV", "[levels][report]") {
  // Eyeriss' levels without the vector unit: the pooling layers are listed as not costed.
  const auto dir = scratch_dir("level_run_cli");
  const std::string design = (dir / "eyeriss_no_vector.yaml").string();
  std::string text = read_file(shipped("arch/levels/eyeriss_v1.yaml"));
  const std::size_t from = text.find("\nvector:"), to = text.find("\ncompute:");
  REQUIRE(from < to);
  std::ofstream(design) << text.erase(from, to - from);
  REQUIRE(qnnsim_cli("run " + design + " " + shipped("workloads/lenet5.yaml") + " --quiet --bits accumulator=16 --json " +
                         (dir / "r.json").string() + " --csv " + (dir / "r.csv").string(),
                     dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("warning: 2 of 7 layers are not costed"));
  const nlohmann::json j = nlohmann::json::parse(read_file((dir / "r.json").string()));
  CHECK(j["level_design"]["objective"] == "edp");
  CHECK(j["level_design"]["not_costed"].size() == 2);
  CHECK(j["layers"][0]["tiling"].get<std::string>().find("array") != std::string::npos);  // the mapping, by level
  const auto rows = csv_rows(read_file((dir / "r.csv").string()));
  REQUIRE(rows.size() == 7);
  // The engine's DRAM, buffer and NoC columns do not apply: empty, not 0.
  CHECK(rows[0].at("stall_dram_cycles").empty());
  CHECK(rows[0].at("glb_bandwidth_fraction").empty());
  CHECK(rows[1].at("tiling") == "not costed: the design has no vector unit");
  CHECK(rows[0].at("energy_glb_pj") != "0");
  // validate knows a level design for what it is.
  CHECK(qnnsim_cli("validate " + shipped("arch/levels/eyeriss_v1.yaml"), dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()), Catch::Contains("level design, 6 levels over 168 compute units"));
}

TEST_CASE("a sweep runs a level design point by point, its area from the components", "[levels][sweep]") {
  // The shipped spec over Eyeriss' filter and psum scratchpads: 12 points.
  const auto dir = scratch_dir("level_sweep");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + shipped("configs/sweeps/eyeriss_levels_spads.yaml") + " --db " + db + " -j 2", dir / "out",
                     dir / "err") == 0);
  const std::vector<PointRecord> points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 12);
  std::map<std::string, std::set<double>> area_by_filter_spad;
  for (const PointRecord& p : points) {
    INFO(p.error);
    REQUIRE(p.status == "ok");
    CHECK(p.energy_pj > 0);
    CHECK(p.latency_s > 0);
    area_by_filter_spad[p.params[0].value].insert(p.area_mm2);
  }
  // Larger filter registers take more area: 168 of them each.
  REQUIRE(area_by_filter_spad.size() == 4);
  CHECK(*area_by_filter_spad["8 B"].begin() < *area_by_filter_spad["448 B"].begin());
  // The same point run alone gives the same energy.
  const PointRecord& first = points.front();
  const std::string design = (dir / "one.yaml").string();
  std::ofstream(design) << replace_all(
      replace_all(read_file(shipped("arch/levels/eyeriss_v1.yaml")), "size: 448 B", "size: " + first.params[0].value),
      "size: 48 B", "size: " + first.params[1].value);
  const LevelDesign d = load_level_design(design, LevelDesignUse::ToSearch);
  CHECK(run_level_design(d, lenet_16_bit_sums(), Objective::Edp).summary.energy_pj == Approx(first.energy_pj));
}

TEST_CASE("a layer of a shape met before takes that layer's mapping, as a search of its own would give",
          "[levels][mapper]") {
  const LevelDesign d = load_level_design(shipped("arch/levels/eyeriss_v1.yaml"), LevelDesignUse::ToSearch);
  const auto dir = scratch_dir("level_run_shapes");
  // conv_a and conv_b have one shape; conv_c another.
  std::ofstream(dir / "w.yaml") << R"(network: repeats
batch: 1
precision:
  weights: {bits: 16, scheme: uniform_symmetric}
  inputs: {bits: 16, scheme: uniform_asymmetric}
  outputs: {bits: 16, scheme: uniform_asymmetric}
  accumulator: {bits: 16, scheme: uniform_symmetric}
input: {C: 8, H: 8, W: 8}
layers:
  - {name: conv_a, type: conv, C: 8, H: 8, W: 8, M: 8, R: 3, S: 3, padding: 1}
  - {name: conv_b, type: conv, C: 8, H: 8, W: 8, M: 8, R: 3, S: 3, padding: 1}
  - {name: conv_c, type: conv, C: 8, H: 8, W: 8, M: 16, R: 1, S: 1}
)";
  const Workload w = load_workload((dir / "w.yaml").string());
  const RunResult r = run_level_design(d, w, Objective::Edp);
  REQUIRE(r.levels);
  CHECK(r.levels->layers_mapped == 3);
  CHECK(r.levels->shapes_searched == 2);
  const auto alone = search_level_mapping(d, loop_bounds(w.layers[1], 1), Objective::Edp);
  REQUIRE(alone);
  CHECK(r.layers[1].energy_pj == Approx(r.layers[0].energy_pj).epsilon(1e-12));
  CHECK(r.layers[1].cycles == alone->cycles.total);
  CHECK(r.layers[1].tiling == r.layers[0].tiling);
  // Counted once: the repeat adds no mappings to the search's count.
  const uint64_t searched = search_level_mapping(d, loop_bounds(w.layers[0], 1), Objective::Edp)->evaluated +
                            search_level_mapping(d, loop_bounds(w.layers[2], 1), Objective::Edp)->evaluated;
  CHECK(r.levels->mappings_evaluated == searched);
}
