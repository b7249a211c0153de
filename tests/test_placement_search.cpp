// The search over a hybrid design's placements (`placement.search: true`,
// hybrid/placement_search.h): never worse than the automatic rule, as good as
// every placement of a small network, keeping what the file places, and with
// the figures a run of the chosen placement alone gives.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "design/design_family.h"
#include "design/fresh_kernel.h"
#include "design/objective.h"
#include "hybrid/hybrid_placement.h"
#include "hybrid/hybrid_spec.h"
#include "hybrid/placed_runs.h"
#include "hybrid/placement_search.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// ISAAC beside Eyeriss v1, as the shipped hybrid, with `placement` (YAML text
// under `placement:`).
ConfigNode hybrid_with(const std::string& placement) {
  const std::string text = "name: searched\nkind: hybrid\nparts:\n  crossbars: " + shipped("arch/isaac.yaml") +
                           "\n  digital: " + shipped("arch/eyeriss_v1.yaml") + "\nplacement:\n" + placement;
  return ConfigNode::load_string(text, "searched.yaml");
}

Workload lenet5_16bit() {
  Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  REQUIRE(apply_bits_override(w, "weights=16").empty());  // ISAAC's published widths
  REQUIRE(apply_bits_override(w, "inputs=16").empty());
  REQUIRE(apply_bits_override(w, "outputs=16").empty());
  REQUIRE(apply_bits_override(w, "accumulator=16").empty());  // Eyeriss v1 accumulates in 16 bits
  return w;
}

double value_of(Objective o, const RunResult& r) { return objective_value(o, r.summary.energy_pj, r.summary.latency_s); }

}  // namespace

TEST_CASE("a hybrid's placement search finds the best of every placement of LeNet-5, for each objective",
          "[hybrid][imc]") {
  const Workload w = lenet5_16bit();
  const ConfigNode root = hybrid_with("  search: true\n");
  const HybridSpec h = load_hybrid_spec(root);
  const std::vector<std::vector<std::size_t>> choices = placement_choices(h, w);
  std::vector<std::size_t> free_layers;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i].size() > 1) free_layers.push_back(i);
  // Both parts take every layer of LeNet-5 (ISAAC pools in its tiles): 128 placements.
  REQUIRE(free_layers.size() == w.layers.size());

  for (const Objective o : {Objective::Energy, Objective::Latency, Objective::Edp}) {
    INFO(objective_name(o));
    RunRequest how;
    how.objective = objective_name(o);
    PlacedRuns runs(h, w, how);
    double best = std::numeric_limits<double>::infinity();
    for (uint64_t mask = 0; mask < (uint64_t{1} << free_layers.size()); ++mask) {
      std::vector<std::size_t> part_of(w.layers.size());
      for (std::size_t k = 0; k < free_layers.size(); ++k) part_of[free_layers[k]] = (mask >> k) & 1;
      const RunResult r = runs.run(part_of, false);
      CHECK(r.hybrid->warnings.empty());  // so the search passes none over for its warnings
      best = std::min(best, value_of(o, r));
    }
    const RunResult searched = design_family_of(root).load(root, "")->run(w, how);
    REQUIRE(searched.hybrid->placement_search);
    const PlacementSearchSummary& s = *searched.hybrid->placement_search;
    CHECK(s.objective == objective_name(o));
    CHECK(s.chosen_value == value_of(o, searched));
    CHECK(s.chosen_value <= s.automatic_value);
    CHECK(s.chosen_value == Approx(best).epsilon(1e-12));
    CHECK(s.placements_scored < 128);  // fewer than every placement
    CHECK(s.automatic_value == value_of(o, runs.run(place_layers(h, w), false)));
    CHECK(s.starts == 3);  // the automatic placement, and each part taking every layer
  }
}

TEST_CASE("a searched placement gives the figures of the same placement written out", "[hybrid][imc]") {
  const Workload w = lenet5_16bit();
  const ConfigNode searched_root = hybrid_with("  search: true\n  types: {fc: digital}\n");
  RunRequest how;
  how.objective = "edp";
  const RunResult searched = design_family_of(searched_root).load(searched_root, "")->run(w, how);
  REQUIRE(searched.hybrid->placement_search);
  std::string layers = "  layers:\n";
  for (const LayerResult& l : searched.layers) {
    // What the file places stays where it is.
    if (l.type == "fc") CHECK(l.placement == "digital");
    layers += "    " + l.name + ": " + l.placement + "\n";
  }
  const ConfigNode written_root = hybrid_with(layers);
  install_fresh_systemc_kernel();
  const RunResult written = design_family_of(written_root).load(written_root, "")->run(w, how);
  CHECK_FALSE(written.hybrid->placement_search);
  REQUIRE(written.layers.size() == searched.layers.size());
  for (std::size_t i = 0; i < written.layers.size(); ++i) {
    const LayerResult &a = searched.layers[i], &b = written.layers[i];
    INFO(a.name);
    CHECK(a.placement == b.placement);
    CHECK(a.energy_pj == b.energy_pj);
    CHECK(a.latency_s == b.latency_s);
    CHECK(a.cycles == b.cycles);
    CHECK(a.dram_bytes == b.dram_bytes);
    CHECK(a.energy_breakdown_pj == b.energy_breakdown_pj);
  }
  CHECK(searched.summary.energy_pj == written.summary.energy_pj);
  CHECK(searched.summary.latency_s == written.summary.latency_s);
  CHECK(searched.summary.area_mm2 == written.summary.area_mm2);
  CHECK(searched.hybrid->runs == written.hybrid->runs);
}

TEST_CASE("a placement search moves whole stretches that no single move improves, and passes over placements "
          "that cannot run", "[hybrid]") {
  // Six layers on two parts, scored by a cost written out here: each run of
  // consecutive layers on one part costs 10, a layer costs 3 on part 0 and 1
  // on part 1; a placement with layer 2 on part 1 and layer 3 on part 0
  // cannot run.
  Workload w;
  for (int i = 0; i < 6; ++i) {
    Layer l;
    l.name = "l" + std::to_string(i);
    l.type = i % 2 == 0 ? LayerType::Conv : LayerType::MaxPool;
    w.layers.push_back(l);
  }
  const std::vector<std::vector<std::size_t>> choices(6, {0, 1});
  std::size_t calls = 0, refused = 0;
  const PlacementCost cost = [&](const std::vector<std::size_t>& p) -> std::optional<double> {
    ++calls;
    if (p[2] == 1 && p[3] == 0) return ++refused, std::nullopt;
    double c = 0;
    for (std::size_t i = 0; i < p.size(); ++i) c += (p[i] == 1 ? 1 : 3) + (i == 0 || p[i] != p[i - 1] ? 10 : 0);
    return c;
  };
  const std::vector<std::size_t> start(6, 0);
  // Every single move from the start adds a run or two (+10 or +20) to save 2.
  for (std::size_t i = 0; i < 6; ++i) {
    std::vector<std::size_t> one = start;
    one[i] = 1;
    if (const auto c = cost(one)) CHECK(*c > 28);
  }
  calls = refused = 0;
  const PlacementSearch s = search_placement(w, choices, start, cost);
  CHECK(s.start_value == 28);  // one run of six layers at 3
  // The conv layers to part 1 together cannot run (layer 2 on 1, layer 3 on
  // 0), and is passed over; the whole stretch to part 1 can, and is the best
  // placement: 6 + 10. The descent from the start finds it (two passes, the
  // second changing nothing); the second start, every layer on part 1, is it.
  CHECK(refused > 0);
  CHECK(s.part_of == std::vector<std::size_t>(6, 1));
  CHECK(s.value == 16);
  CHECK(s.passes == 2);
  CHECK(s.starts == 2);  // all on part 0 is the start itself
  CHECK(calls == s.placements_scored);  // each placement scored once
  // Deterministic: the same search, the same answer.
  const PlacementSearch again = search_placement(w, choices, start, cost);
  CHECK(again.part_of == s.part_of);
  CHECK(again.placements_scored == s.placements_scored);
  // A start a layer may not take is refused, and so is one that cannot run.
  const std::vector<std::vector<std::size_t>> fixed_third = {{0, 1}, {0, 1}, {0}, {0, 1}, {0, 1}, {0, 1}};
  CHECK_THROWS_AS(search_placement(w, fixed_third, {0, 0, 1, 0, 0, 0}, cost), std::invalid_argument);
  CHECK_THROWS_AS(search_placement(w, choices, {0, 0, 1, 0, 0, 0}, cost), std::invalid_argument);
}

TEST_CASE("placement.search: a bad value names its file, line and key", "[hybrid][cli]") {
  const auto dir = scratch_dir("placement_search_errors");
  const std::string file = (dir / "h.yaml").string();
  std::ofstream(file) << "name: h\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                      << "\n  digital: " << shipped("arch/eyeriss_v1.yaml") << "\nplacement:\n  search: maybe\n";
  CHECK(qnnsim_cli("run " + file + " lenet5 --bits accumulator=16 --quiet", dir / "out", dir / "err") == 2);
  const std::string err = read_file((dir / "err").string());
  CHECK_THAT(err, Catch::Contains(file + ":7:") && Catch::Contains("placement.search") &&
                      Catch::Contains("expected true or false"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a placement search passes over placements whose runs warn of what the automatic placement's do not",
          "[hybrid][imc]") {
  // On MobileNet-v1 at 16 bits, putting more layers on ISAAC beside its
  // depthwise ones gives a layer an input window larger than its tiles'
  // eDRAM, which the in-memory model takes as if it fitted: the search must
  // not choose a placement for a figure resting on that.
  Workload w = load_workload(shipped("workloads/mobilenet_v1.yaml"));
  for (const char* bits : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
    REQUIRE(apply_bits_override(w, bits).empty());
  const ConfigNode root = hybrid_with("  search: true\n");
  RunRequest how;
  std::vector<std::string> warned;
  how.warn = [&](const std::string& text) { warned.push_back(text); };
  const RunResult searched = design_family_of(root).load(root, "")->run(w, how);
  REQUIRE(searched.hybrid->placement_search);
  CHECK(searched.hybrid->placement_search->passed_over_for_warnings > 0);
  CHECK(searched.hybrid->warnings.empty());
  CHECK(warned.empty());  // nor did a placement passed over pass its warnings on
  CHECK(searched.hybrid->placement_search->chosen_value <= searched.hybrid->placement_search->automatic_value);
}

TEST_CASE("a placement search passes over placements a part turns down as it runs, and refuses an area it cannot know",
          "[hybrid][imc]") {
  // A systolic array whose buffer (256 B) cannot hold one tile of LeNet-5's
  // conv1: cannot_run does not foresee it (the layer's widths suit the MACs),
  // the part's run turns it down with a ConfigError, and the search must pass
  // such placements over, not stop.
  const auto dir = scratch_dir("placement_search_refusals");
  std::string systolic = read_file(shipped("arch/systolic_ws.yaml"));
  const auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = systolic.find(from);
    REQUIRE(at != std::string::npos);
    systolic.replace(at, from.size(), to);
  };
  replace("size: 256 KiB", "size: 256 B");
  replace("banks: 32", "banks: 1");
  const std::string tiny = (dir / "tiny.yaml").string();
  std::ofstream(tiny) << systolic;
  const std::string hybrid = (dir / "h.yaml").string();
  std::ofstream(hybrid) << "name: h\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                        << "\n  digital: tiny.yaml\nplacement:\n  search: true\n";
  const ConfigNode root = ConfigNode::load_file(hybrid);
  const Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  const RunResult r = design_family_of(root).load(root, "")->run(w, RunRequest{});
  REQUIRE(r.hybrid->placement_search);
  CHECK(r.hybrid->placement_search->passed_over_cannot_run > 0);
  CHECK(r.layers.front().placement == "crossbars");  // conv1 cannot go anywhere else

  // A dataflow part sizes itself by its layers, which the search places only
  // as the design runs: its area before the run is refused at the key.
  const std::string with_fpga = (dir / "fpga.yaml").string();
  std::ofstream(with_fpga) << "name: f\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                           << "\n  fpga: " << shipped("arch/finn_cnv.yaml") << "\nplacement:\n  search: true\n";
  const ConfigNode fpga_root = ConfigNode::load_file(with_fpga);
  const Workload cnv = load_workload(shipped("workloads/finn_cnv.yaml"));
  try {
    design_family_of(fpga_root).load(fpga_root, "")->area_mm2([&] { return cnv; });
    FAIL("the area of a part sized by its searched layers was given");
  } catch (const ConfigError& e) {
    CHECK(e.where().file == with_fpga);
    CHECK(e.where().line == 7);
    CHECK(e.key_path() == "placement.search");
    CHECK_THAT(e.message(), Catch::Contains("part 'fpga'"));
  }
  std::filesystem::remove_all(dir);
}
