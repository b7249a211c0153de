// The SystemC engine of level designs (sim/level_engine): the modules count
// what the closed form counts, on every shipped level design, and the time is
// a schedule a hand derivation gives.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>
#include <string>

#include "design/fresh_kernel.h"
#include "schedule/level_cycles.h"
#include "schedule/level_design.h"
#include "schedule/level_search.h"
#include "schedule/level_walk.h"
#include "sim/level_buffering.h"
#include "sim/level_engine.h"
#include "sim/level_run.h"
#include "support.h"
#include "workload/workload.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

void check_same_counts(const LevelDesign& d, const LevelNestCounts& closed, const LevelNestCounts& simulated,
                       const std::string& where) {
  INFO(where);
  CHECK(simulated.computes == closed.computes);
  CHECK(simulated.computes_used == closed.computes_used);
  CHECK(simulated.cycles == closed.cycles);
  REQUIRE(simulated.level.size() == closed.level.size());
  for (std::size_t l = 0; l < closed.level.size(); ++l) {
    CHECK(simulated.level[l].instances_used == closed.level[l].instances_used);
    for (int t = 0; t < kOperands; ++t) {
      INFO("level " << d.nest.levels[l].name << ", " << kTensorKeys[t]);
      const TensorAccesses& a = closed.level[l].tensor[t];
      const TensorAccesses& b = simulated.level[l].tensor[t];
      CHECK(b.reads == a.reads);
      CHECK(b.fills == a.fills);
      CHECK(b.updates == a.updates);
      CHECK(b.drains == a.drains);
      CHECK(b.block == a.block);
    }
  }
}

// The closed form's time is the engine's when every transfer hides behind
// computation; the engine's can only be longer.
void check_time(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& closed, const LevelSimulation& s,
                const std::string& where) {
  INFO(where);
  CHECK(s.cycles >= level_cycles_total(d, closed));
  CHECK(s.steps == level_walk_steps(nest));
  uint64_t waited = 0;
  for (std::size_t l = 0; l < closed.level.size(); ++l) {
    CHECK(s.busy[l] >= level_cycles_at(d, closed, l));
    waited += s.stalled[l];
  }
  CHECK(s.cycles == closed.cycles + waited);  // computing or waiting on a level, all the time
}

const char* kProblem = R"(network: p
batch: 1
input: {C: 2, H: 1, W: 1}
layers:
  - {name: fc, type: fc, C: 2, M: 4}
)";

// Off-chip memory with one port moving a value a cycle, and registers under
// it holding a step's two weights, the two inputs and one output: five
// values, room for one block of each (double buffering, the least a level
// is given).
const char* kDesign = R"(workload: problem.yaml
layer: fc
levels:
  - name: dram
    keeps: [weights, inputs, outputs]
    energy_pj: {read: 8, write: 8, update: 8}
    bandwidth: 1
    temporal: [M4]
  - name: regs
    keeps: [weights, inputs, outputs]
    size: 5
    energy_pj: {read: 1, write: 1, update: 1}
    temporal: [C2]
compute: {name: mac, instances: 1, energy_pj: 0.25}
)";

LevelDesign small_design(const std::string& design) {
  const auto dir = scratch_dir("level_engine");
  std::ofstream(dir / "problem.yaml") << kProblem;
  std::ofstream(dir / "design.yaml") << design;
  return load_level_design((dir / "design.yaml").string());
}

}  // namespace

TEST_CASE("the level engine counts what the closed form counts on the shipped Timeloop designs", "[levels][validation]") {
  bool first = true;
  for (const char* name : {"simple_weight_stationary", "simple_output_stationary", "eyeriss_like", "simba_like"}) {
    const LevelDesign d = load_level_design(shipped(std::string("configs/validation/timeloop/") + name + ".yaml"));
    if (!first) install_fresh_systemc_kernel();  // one simulation a kernel, as a sweep runs its points
    first = false;
    const auto s = simulate_level_layers({{&d, d.nest, d.bounds}});
    const LevelNestCounts closed = count_level_accesses(d.nest, d.bounds);
    check_same_counts(d, closed, s[0].counts, name);
    check_time(d, d.nest, closed, s[0], name);
  }
}

TEST_CASE("the level engine counts what the closed form counts on the shipped level designs, layer by layer",
          "[levels][analytic]") {
  const Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  bool first = true;
  for (const char* name : {"arch/levels/eyeriss_v1.yaml", "arch/levels/simba_like.yaml"}) {
    const LevelDesign d = load_level_design(shipped(name), LevelDesignUse::ToSearch);
    std::vector<LevelMapping> mappings;
    std::vector<LevelLayerToSimulate> layers;
    for (const Layer& l : w.layers) {
      if (!layer_uses_array(l.type)) continue;
      const auto m = search_level_mapping(d, loop_bounds(l, w.batch), Objective::Edp);
      REQUIRE(m);
      mappings.push_back(*m);
      layers.push_back({&d, m->nest, loop_bounds(l, w.batch)});
    }
    if (!first) install_fresh_systemc_kernel();
    first = false;
    const auto s = simulate_level_layers(layers);
    REQUIRE(s.size() == mappings.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      const std::string where = std::string(name) + ", " + level_nest_text(mappings[i].nest);
      check_same_counts(d, mappings[i].counts, s[i].counts, where);
      check_time(d, mappings[i].nest, mappings[i].counts, s[i], where);
    }
  }
}

TEST_CASE("the level engine's schedule: double-buffered fills, sums sent up after their step, one port in turn",
          "[levels][hand]") {
  // Four steps (M4 above the registers), each two compute cycles (C2). DRAM's
  // one port moves a value a cycle and books each transfer at the first free
  // time it may start:
  //   step 0: 2 weights + 2 inputs in [0, 4); computes [4, 6)
  //   step 1: 2 weights in [4, 6) (may start at 0: two blocks held);
  //           (the registers' blocks are double-buffered: a block may come
  //           in once the one two back is done with, when the step before
  //           the last change computed)
  //           the first output up in [6, 7) (after step 0); computes [6, 8)
  //   step 2: weights may start at 6: [7, 9); output 2 up at 8: [9, 10); computes [9, 11)
  //   step 3: weights at 8: [10, 12); output 3 up at 11: [12, 13); computes [12, 14)
  //   last:   output 4 up at 14: [14, 15)
  // 15 cycles; the closed form's bound is DRAM's 10 reads and 4 updates, 14.
  const LevelDesign d = small_design(kDesign);
  const auto s = simulate_level_layers({{&d, d.nest, d.bounds}});
  const LevelNestCounts closed = count_level_accesses(d.nest, d.bounds);
  check_same_counts(d, closed, s[0].counts, "fc");
  CHECK(level_cycles_total(d, closed) == 14);
  CHECK(s[0].steps == 4);
  CHECK(s[0].busy[0] == 14);
  CHECK(s[0].cycles == 15);
  // The units waited 4 cycles for step 0's blocks, 1 for step 2's and 1 for
  // step 3's, and the last output went up a cycle after they finished.
  CHECK(s[0].stalled[0] == 7);
  CHECK(s[0].stalled[1] == 0);
}

TEST_CASE("with ports that never wait, the level engine's time is the compute steps'", "[levels][hand]") {
  const LevelDesign d = small_design(replace_all(kDesign, "    bandwidth: 1\n", ""));
  const auto s = simulate_level_layers({{&d, d.nest, d.bounds}});
  CHECK(s[0].cycles == 8);
  CHECK(s[0].busy[0] == 0);
}

TEST_CASE("a level design with `time: simulated` runs on the engine: the same counts, its schedule's time and stalls",
          "[levels][report]") {
  // LeNet-5 accumulating in 16 bits, as Eyeriss' 16-bit MACs do.
  Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  for (Layer& l : w.layers) l.precision.accumulator.bits = 16;
  const std::string file = shipped("arch/levels/eyeriss_v1.yaml");
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto dir = scratch_dir("level_engine_run");
  std::ofstream(dir / "eyeriss_v1.yaml") << text << "time: simulated\n";
  const LevelDesign closed_design = load_level_design(file, LevelDesignUse::ToSearch);
  const LevelDesign simulated_design = load_level_design((dir / "eyeriss_v1.yaml").string(), LevelDesignUse::ToSearch);
  REQUIRE(!closed_design.simulated_time);
  REQUIRE(simulated_design.simulated_time);
  const RunResult closed = run_level_design(closed_design, w, Objective::Edp);
  const RunResult simulated = run_level_design(simulated_design, w, Objective::Edp);
  REQUIRE(closed.layers.size() == simulated.layers.size());
  bool waited = false;
  for (std::size_t i = 0; i < closed.layers.size(); ++i) {
    const LayerResult& a = closed.layers[i];
    const LayerResult& b = simulated.layers[i];
    INFO(a.name);
    CHECK(b.tiling == a.tiling);
    CHECK(b.compute_cycles == a.compute_cycles);
    CHECK(b.cycles >= a.cycles);
    CHECK(b.bound_cycles == a.cycles);  // the closed form's time is the simulated layer's bound
    uint64_t stalls = 0;
    for (const auto& [level, cycles] : b.stall_cycles) stalls += cycles;
    CHECK(b.compute_cycles + stalls == b.cycles);
    waited = waited || b.cycles > a.cycles;
    REQUIRE(a.actions.size() == b.actions.size());
    for (std::size_t k = 0; k < a.actions.size(); ++k) {
      INFO(a.actions[k].component << " " << a.actions[k].action);
      CHECK(b.actions[k].action == a.actions[k].action);
      if (a.actions[k].action == "leakage_cycles") {
        CHECK(b.actions[k].count == b.cycles);  // leakage lasts as long as the simulated layer
        CHECK(b.actions[k].energy_pj == Approx(a.actions[k].energy_pj * b.cycles / a.cycles));
      } else {
        CHECK(b.actions[k].count == a.actions[k].count);
        CHECK(b.actions[k].energy_pj == Approx(a.actions[k].energy_pj));
      }
    }
  }
  CHECK(waited);  // double buffering hides not every transfer on LeNet-5
}

TEST_CASE("a level design's time is closed_form or simulated, and nothing else", "[levels][validation]") {
  const auto dir = scratch_dir("level_engine_time");
  std::ofstream(dir / "problem.yaml") << kProblem;
  std::ofstream(dir / "design.yaml") << kDesign << "time: stepped\n";
  try {
    load_level_design((dir / "design.yaml").string());
    FAIL("the design loaded");
  } catch (const ConfigError& e) {
    CHECK(e.key_path() == "time");
    CHECK(e.where().line == 15);
    CHECK_THAT(e.message(), Catch::Contains("closed_form") && Catch::Contains("simulated"));
  }
}

TEST_CASE("a level holds as many blocks as its size takes, each partition its own, two at least", "[levels][hand]") {
  // The registers' block: 2 weights, 2 inputs and 1 output.
  const auto depth_with = [](const std::string& size) {
    const LevelDesign d = small_design(replace_all(kDesign, "    size: 5\n", size));
    return level_buffering_depth(d, d.nest, d.bounds, 64);
  };
  CHECK(depth_with("    size: 5\n") == std::vector<uint64_t>{64, 2});   // one block: double-buffered all the same
  CHECK(depth_with("    size: 20\n") == std::vector<uint64_t>{64, 4});  // four blocks of five values
  CHECK(depth_with("") == std::vector<uint64_t>{64, 64});                  // no size: as many as the engine looks ahead
  // 12 values for the weights (6 blocks of 2), the other 8 for inputs and outputs (2 blocks of 3): the fewer.
  CHECK(depth_with("    size: 20\n    partitions:\n      - {keeps: [weights], size: 12}\n") == std::vector<uint64_t>{64, 2});
}

TEST_CASE("Eyeriss' AlexNet simulated on the level engine: the chip's measured time, within 3%", "[levels][eyeriss][slow]") {
  // Chen et al., JSSC 2017, Table V: the five conv layers at batch 4 take
  // 115.3 ms at 200 MHz, DRAM traffic included. The closed form gives 116.3 ms;
  // stepped, the schedule only waits longer.
  Workload w = load_workload(shipped("workloads/alexnet.yaml"));
  w.batch = 4;
  std::vector<Layer> convs;
  for (Layer& l : w.layers) {
    l.precision.accumulator.bits = 16;
    if (l.type == LayerType::Conv) convs.push_back(l);
  }
  w.layers = convs;
  const std::string file = shipped("arch/levels/eyeriss_v1.yaml");
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto dir = scratch_dir("level_engine_eyeriss");
  std::ofstream(dir / "eyeriss_v1.yaml") << text << "time: simulated\n";
  const RunResult r =
      run_level_design(load_level_design((dir / "eyeriss_v1.yaml").string(), LevelDesignUse::ToSearch), w, Objective::Edp);
  REQUIRE(r.layers.size() == 5);
  CHECK(r.summary.latency_s * 1e3 == Approx(115.3).epsilon(0.03));
  uint64_t bound = 0;
  for (const LayerResult& l : r.layers) bound += l.bound_cycles;
  CHECK(r.summary.cycles >= bound);
}

TEST_CASE("qnnsim levels steps a design that says time: simulated, its mapping and each searched one", "[levels][report]") {
  const auto dir = scratch_dir("level_engine_cli");
  std::ofstream(dir / "problem.yaml") << kProblem;
  std::ofstream(dir / "design.yaml") << kDesign << "time: simulated\n";
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string design = (dir / "design.yaml").string(), json = (dir / "levels.json").string();
  REQUIRE(qnnsim_cli("levels " + design + " --json " + json, out, err) == 0);
  CHECK_THAT(read_file(out), Catch::Contains("simulated (time: simulated): 15 cycles over 4 steps; 8 computing, waiting 7 on dram"));
  nlohmann::json j = nlohmann::json::parse(read_file(json));
  CHECK(j["cycles"] == 14);  // the closed form's, beside
  CHECK(j["simulated"]["cycles"] == 15);
  CHECK(j["simulated"]["stall_cycles"]["dram"] == 7);
  // Searched: each layer's mapping stepped after the search, one after another.
  REQUIRE(qnnsim_cli("levels " + design + " --search --json " + json, out, err) == 0);
  j = nlohmann::json::parse(read_file(json));
  REQUIRE(j["layers"].size() == 1);
  const nlohmann::json& s = j["layers"][0]["simulated"];
  CHECK(s["cycles"].get<uint64_t>() >= j["layers"][0]["cycles"].get<uint64_t>());
  uint64_t waited = 0;
  for (const auto& [level, cycles] : s["stall_cycles"].items()) waited += cycles.get<uint64_t>();
  CHECK(s["compute_cycles"].get<uint64_t>() + waited == s["cycles"].get<uint64_t>());
}
