// Hybrid designs (hybrid/): each layer placed on one of the design's parts,
// the trace cut into runs of consecutive layers on one part, each run the
// part's own workload, the runs merged into one result in trace order.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "hybrid/hybrid_placement.h"
#include "hybrid/hybrid_spec.h"
#include "hybrid/part_runs.h"
#include "report/report.h"
#include "design/design_family.h"
#include "design/fresh_kernel.h"
#include "design/time_cause.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// The shipped hybrid with its placement replaced by `placement` (YAML text
// under `placement:`, or empty for none), written beside the shipped designs'
// paths so that its parts resolve.
ConfigNode hybrid_with(const std::string& placement, const std::string& file = "hybrid.yaml") {
  std::string text = "name: test_hybrid\nkind: hybrid\nparts:\n  crossbars: " + shipped("arch/isaac.yaml") +
                     "\n  digital: " + shipped("arch/eyeriss_v1.yaml") + "\n";
  if (!placement.empty()) text += "placement:\n" + placement;
  return ConfigNode::load_string(text, file);
}

Workload lenet5_16bit_sums() {
  Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  REQUIRE(apply_bits_override(w, "accumulator=16").empty());  // Eyeriss v1 accumulates in 16 bits
  return w;
}

std::size_t index_of(const Workload& w, const std::string& name) {
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    if (w.layers[i].name == name) return i;
  FAIL("no layer " << name);
  return 0;
}

bool read_inside(const Workload& w, const PartRun& run, std::size_t k) {
  for (std::size_t i = run.first; i <= run.last; ++i)
    for (const std::string& p : producers_of(w, i))
      if (p == w.layers[k].name) return true;
  return false;
}

}  // namespace

TEST_CASE("a hybrid's automatic placement puts stationary weights on the crossbars and the rest on the digital part", "[hybrid]") {
  const HybridSpec h = load_hybrid_spec(hybrid_with(""));
  REQUIRE(h.parts.size() == 2);
  CHECK(h.parts[0].family->name() == "in_memory");
  CHECK(h.parts[1].family->name() == "pe_array");
  for (const char* trace : {"workloads/vit_b_16.yaml", "workloads/mobilenet_v1.yaml", "workloads/gpt2_small_decode.yaml"}) {
    Workload w = load_workload(shipped(trace));
    REQUIRE(apply_bits_override(w, "accumulator=16").empty());  // the widths Eyeriss v1's MACs take
    const std::vector<std::size_t> part_of = place_layers(h, w);
    REQUIRE(part_of.size() == w.layers.size());
    std::set<std::string> on_crossbars, on_digital;
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
      const Layer& l = w.layers[i];
      INFO(trace << " " << l.name << " " << layer_type_name(l.type));
      const bool weights_stay = l.type == LayerType::Conv || l.type == LayerType::FC || l.type == LayerType::DWConv;
      CHECK(part_of[i] == (weights_stay ? 0u : 1u));
      (part_of[i] == 0 ? on_crossbars : on_digital).insert(layer_type_name(l.type));
    }
    INFO(trace);
    CHECK(on_crossbars.count("matmul") == 0);  // a product of two activations has nothing to program
    CHECK(!on_crossbars.empty());
    CHECK(!on_digital.empty());
  }
}

TEST_CASE("a hybrid placement by layer name wins over one by type, which wins over the automatic rule", "[hybrid]") {
  const HybridSpec h = load_hybrid_spec(hybrid_with("  types: {conv: digital, maxpool: crossbars}\n"
                                                    "  layers: {conv2: crossbars}\n"));
  const Workload w = lenet5_16bit_sums();
  const std::vector<std::size_t> part_of = place_layers(h, w);
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    INFO(l.name);
    const std::size_t expected = l.name == "conv2"                  ? 0
                                 : l.type == LayerType::Conv        ? 1
                                 : l.type == LayerType::MaxPool     ? 0
                                 : prefers_crossbars(l)             ? 0
                                                                    : 1;
    CHECK(part_of[i] == expected);
  }
}

TEST_CASE("a hybrid's runs end at a layer read both inside and outside them, and at a second input shape", "[hybrid]") {
  // a -> b -> d and a -> c: with a, b on one part and c elsewhere, a is read
  // by b (inside) and by c (outside), so a runs alone and writes its outputs out.
  const Workload w = workload_from_text(R"(network: cut
batch: 1
input: {C: 8, H: 4, W: 4}
layers:
  - {name: a, type: conv, C: 8, H: 4, W: 4, M: 8, R: 1, S: 1}
  - {name: b, type: conv, C: 8, H: 4, W: 4, M: 8, R: 1, S: 1}
  - {name: c, type: maxpool, C: 8, H: 4, W: 4, R: 2, S: 2, stride: 2, from: [a]}
  - {name: d, type: conv, C: 8, H: 2, W: 2, M: 8, R: 1, S: 1, from: [c]}
  - {name: e, type: conv, C: 8, H: 4, W: 4, M: 8, R: 1, S: 1, from: [b]}
)");
  const std::vector<PartRun> runs = cut_into_runs(w, {0, 0, 1, 0, 0});
  REQUIRE(runs.size() == 5);
  CHECK((runs[0].first == 0 && runs[0].last == 0));  // a alone: c reads it from outside
  CHECK((runs[1].first == 1 && runs[1].last == 1));  // b
  CHECK((runs[2].first == 2 && runs[2].last == 2));  // c, on the other part
  // d reads c (8x2x2) and e reads b (8x4x4): two shapes from outside, two runs.
  CHECK((runs[3].first == 3 && runs[3].last == 3));
  CHECK((runs[4].first == 4 && runs[4].last == 4));
  const Workload d = run_workload(w, runs[3]);
  CHECK(d.input == (Shape{8, 2, 2}));
  CHECK(d.layers.at(0).from == std::vector<std::string>{"input"});
  // One part throughout: one run, as the whole trace.
  const std::vector<PartRun> one = cut_into_runs(w, {1, 1, 1, 1, 1});
  REQUIRE(one.size() == 1);
  CHECK(one[0].last == 4);
}

TEST_CASE("a hybrid run's layers have the figures of each part run alone on its share, crossing activations "
          "charged once on each side", "[hybrid][imc]") {
  const ConfigNode root = ConfigNode::load_file(shipped("arch/isaac_hybrid.yaml"));
  const DesignFamily& family = design_family_of(root);
  REQUIRE(family.name() == "hybrid");
  const Workload w = lenet5_16bit_sums();
  const RunResult r = family.load(root, "")->run(w, RunRequest{});
  REQUIRE(r.layers.size() == w.layers.size());
  REQUIRE(r.hybrid);

  const HybridSpec h = load_hybrid_spec(root);
  const std::vector<PartRun> runs = cut_into_runs(w, place_layers(h, w));
  CHECK(r.hybrid->runs == runs.size());
  double energy = 0, latency = 0;
  for (const PartRun& run : runs) {
    install_fresh_systemc_kernel();
    const Workload share = run_workload(w, run);
    const RunResult alone = h.parts[run.part].design->run(share, RunRequest{});
    energy += alone.summary.energy_pj;
    latency += alone.summary.latency_s;
    for (std::size_t i = run.first; i <= run.last; ++i) {
      const LayerResult& mine = r.layers[i];
      const LayerResult& theirs = alone.layers[i - run.first];
      INFO(mine.name);
      CHECK(mine.name == w.layers[i].name);  // trace order
      CHECK(mine.placement == h.parts[run.part].name);
      CHECK(theirs.placement.empty());
      CHECK(mine.energy_pj == theirs.energy_pj);
      CHECK(mine.latency_s == theirs.latency_s);
      CHECK(mine.cycles == theirs.cycles);
      CHECK(mine.macs == theirs.macs);
      CHECK(mine.dram_bytes == theirs.dram_bytes);
      CHECK(mine.energy_breakdown_pj == theirs.energy_breakdown_pj);

      // The chip's I/O, by hand: what the layer reads from outside its run
      // (the network input or another run's output) and, when nothing in its
      // run reads it, its own outputs, each once.
      const Layer& l = w.layers[i];
      if (h.parts[run.part].family->computes_in_crossbars()) {
        uint64_t bits = 0;
        for (const std::string& p : producers_of(w, i)) {
          if (p != "input" && index_of(w, p) >= run.first) continue;  // produced inside the run: on chip
          const Shape s = p == "input" ? w.input : w.layers[index_of(w, p)].output_shape();
          bits += static_cast<uint64_t>(s.volume() * l.precision.inputs.bits);
        }
        if (!read_inside(w, run, i)) bits += static_cast<uint64_t>(l.output_count() * l.precision.outputs.bits);
        CHECK(action_count(mine, "io", "bit") == bits * static_cast<uint64_t>(w.batch));
      } else {
        // A PE array reads every input from DRAM and writes every output there.
        CHECK(mine.dram_bytes * 8 >= static_cast<double>(l.input_count() * l.precision.inputs.bits +
                                                         l.output_count() * l.precision.outputs.bits));
      }
    }
  }
  CHECK(r.summary.energy_pj == Approx(energy).epsilon(1e-12));
  CHECK(r.summary.latency_s == Approx(latency).epsilon(1e-12));
  // The area is the parts' and nothing more.
  double area = 0;
  for (const HybridPartSpec& p : h.parts) area += p.design->area_mm2([&] { return w; });
  CHECK(r.summary.area_mm2 == Approx(area).epsilon(1e-12));
  for (const auto& [component, pj] : r.summary.energy_breakdown_pj)
    CHECK((component.rfind("crossbars.", 0) == 0 || component.rfind("digital.", 0) == 0));
}

TEST_CASE("a bad hybrid file or placement exits 2 with its file, line and key", "[hybrid][cli]") {
  const auto dir = scratch_dir("hybrid_errors");
  const std::string isaac = shipped("arch/isaac.yaml"), eyeriss = shipped("arch/eyeriss_v1.yaml");
  const std::string parts = "name: h\nkind: hybrid\nparts:\n  crossbars: " + isaac + "\n  digital: " + eyeriss + "\n";
  const std::string lenet = shipped("workloads/lenet5.yaml") + " --bits accumulator=16";
  struct Case {
    std::string yaml, workload, where, says;
  };
  const std::vector<Case> cases = {
      {parts + "placement:\n  types: {conv: gpu}\n", lenet, ":7:", "unknown part 'gpu'"},
      {parts + "placement:\n  types: {convolution: digital}\n", lenet, ":7:", "unknown layer type 'convolution'"},
      {parts + "placement:\n  layers: {conv9: digital}\n", lenet, ":7:", "has no layer 'conv9'"},
      {parts + "placement:\n  layers: {conv1: digital}\n  by: {}\n", lenet, ":8:", "placement.by"},
      {"name: h\nkind: hybrid\nparts:\n  crossbars: missing.yaml\n", lenet, ":4:", "no design file"},
      {parts + "placement:\n  types:\n    softmax: crossbars\n", shipped("workloads/bert_base.yaml") + " --bits accumulator=16",
       ":8:", "cannot run on part 'crossbars'"},
      {"name: h\nkind: hybrid\nparts:\n  crossbars: " + isaac + "\n", shipped("workloads/bert_base.yaml"), "",
       "can run on no part"},
  };
  for (const Case& c : cases) {
    const std::string file = (dir / "h.yaml").string();
    std::ofstream(file) << c.yaml;
    INFO(c.yaml);
    CHECK(qnnsim_cli("run " + file + " " + c.workload + " --quiet", dir / "out", dir / "err") == 2);
    const std::string err = read_file((dir / "err").string());
    CHECK_THAT(err, Catch::Contains(c.says));
    if (!c.where.empty()) CHECK_THAT(err, Catch::Contains(file + c.where));
  }
  // Options a hybrid cannot take are refused in its words; validate describes it.
  CHECK(qnnsim_cli("run isaac_hybrid lenet5 --execution layer_sequential", dir / "out", dir / "err") == 2);
  CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("not available for hybrid designs"));
  CHECK(qnnsim_cli("map isaac_hybrid lenet5", dir / "out", dir / "err") == 2);
  CHECK(qnnsim_cli("validate " + shipped("arch/isaac_hybrid.yaml"), dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()),
             Catch::Contains("hybrid design 'isaac_hybrid'") && Catch::Contains("part crossbars (in_memory") &&
                 Catch::Contains("part digital (pe_array"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a hybrid's crossbars are rewritten before each run when the layers on them do not fit at once", "[hybrid][imc]") {
  // A 4096 x 4096 fc layer at 16 bits takes 32 x 256 = 8,192 crossbars,
  // 1,024 of ISAAC's 2,016 IMAs: one fits, two do not; a softmax between
  // them (on the digital part) puts each in a run of its own.
  const std::string layers = R"(network: wide
batch: 1
precision:
  weights:     {bits: 16, scheme: uniform_symmetric}
  inputs:      {bits: 16, scheme: uniform_asymmetric}
  outputs:     {bits: 16, scheme: uniform_asymmetric}
  accumulator: {bits: 16, scheme: uniform_symmetric}
input: {C: 4096, H: 1, W: 1}
layers:
  - {name: fc1, type: fc, C: 4096, M: 4096}
  - {name: s1, type: softmax, C: 4096, H: 1}
)";
  const ConfigNode root = ConfigNode::load_file(shipped("arch/isaac_hybrid.yaml"));
  const auto design = design_family_of(root).load(root, "");
  const auto writes = [&](const std::string& text) {
    const RunResult r = design->run(workload_from_text(text), RunRequest{});
    std::vector<uint64_t> counts;
    for (const LayerResult& l : r.layers)
      if (l.placement == "crossbars") counts.push_back(action_count(l, "crossbar", "write"));
    install_fresh_systemc_kernel();
    return counts;
  };
  // One fits: programmed once, before the network, and not charged (as ISAAC alone).
  const std::vector<uint64_t> one = writes(layers);
  REQUIRE(one.size() == 1);
  CHECK(one[0] == 0);
  // Two do not: each run writes its layer's cells first.
  const std::vector<uint64_t> two = writes(layers + "  - {name: fc2, type: fc, C: 4096, M: 4096}\n");
  REQUIRE(two.size() == 2);
  for (uint64_t n : two) CHECK(n >= 4096u * 4096u * 8u);  // 8 two-bit cells per 16-bit weight, per copy
}

TEST_CASE("a hybrid keeps its parts' warnings, prefixed with the part, in its report", "[hybrid][imc]") {
  // ISAAC with 4-bit ADCs where its 16-bit weights need 8: the in-memory
  // family warns that conversions clip, and the hybrid passes that on.
  const auto dir = scratch_dir("hybrid_warnings");
  std::string isaac = read_file(shipped("arch/isaac.yaml"));
  const std::string adc = "  adc:\n    bits: 8\n";
  REQUIRE(isaac.find(adc) != std::string::npos);
  isaac.replace(isaac.find(adc), adc.size(), "  adc:\n    bits: 4\n");
  std::ofstream(dir / "isaac_4bit.yaml") << isaac;
  const std::string text = "name: h\nkind: hybrid\nparts:\n  crossbars: " + (dir / "isaac_4bit.yaml").string() +
                           "\n  digital: " + shipped("arch/eyeriss_v1.yaml") + "\n";
  const ConfigNode root = ConfigNode::load_string(text, (dir / "h.yaml").string());
  const RunResult r = design_family_of(root).load(root, "")->run(lenet5_16bit_sums(), RunRequest{});
  REQUIRE(r.hybrid);
  REQUIRE_FALSE(r.hybrid->warnings.empty());
  for (const std::string& w : r.hybrid->warnings) CHECK(w.rfind("crossbars: ", 0) == 0);
  const nlohmann::ordered_json j = to_json(r);
  CHECK(j.at("hybrid").at("warnings").size() == r.hybrid->warnings.size());
}

TEST_CASE("a hybrid's time by cause adds up to its latency, and GPT-2 decode waits on off-chip transfers",
          "[hybrid][imc]") {
  const ConfigNode root = ConfigNode::load_file(shipped("arch/isaac_hybrid.yaml"));
  Workload w = load_workload(shipped("workloads/gpt2_small_decode.yaml"));
  for (const char* bits : {"weights=16", "inputs=16", "outputs=16", "accumulator=16"})
    REQUIRE(apply_bits_override(w, bits).empty());
  const RunResult r = design_family_of(root).load(root, "")->run(w, RunRequest{});
  REQUIRE(r.hybrid);

  // Each run alone: its weight rewrites (in-memory) or its compute and
  // stall cycles at its clock (PE array) are the causes, summed per part.
  const HybridSpec h = load_hybrid_spec(root);
  std::map<std::string, double> expected;  // "part cause" -> seconds
  double off_chip = 0;
  for (const PartRun& run : cut_into_runs(w, place_layers(h, w))) {
    install_fresh_systemc_kernel();
    RunRequest how;
    how.weights_in_place = false;  // none of GPT-2's weights fit ISAAC whole (README), so every run rewrites
    const RunResult alone = h.parts[run.part].design->run(run_workload(w, run), how);
    const std::string part = h.parts[run.part].name;
    if (alone.in_memory) {
      expected[part + " writing weights"] += alone.in_memory->reprogram_s;
      off_chip += alone.in_memory->reprogram_s;
      continue;
    }
    expected[part + " computing"] += static_cast<double>(alone.summary.compute_cycles) / alone.clock_hz;
    for (const auto& [resource, cycles] : alone.summary.stall_cycles) {
      expected[part + " stalled on " + resource] += static_cast<double>(cycles) / alone.clock_hz;
      if (resource == "dram") off_chip += static_cast<double>(cycles) / alone.clock_hz;
    }
  }
  double sum = 0;
  for (const HybridPart& p : r.hybrid->parts)
    for (const TimeCause& c : p.time) {
      INFO(p.name << " " << c.what);
      sum += c.seconds;
      if (c.what == "the pipeline computing") continue;  // the rest of an in-memory run: checked by the sum
      CHECK(c.seconds == Approx(expected[p.name + " " + c.what]).epsilon(1e-9));
    }
  // Layers follow one another within a run and runs follow one another, so
  // the causes cover the latency (a PE array overlaps a layer's loads with
  // the previous layer's compute, which leaves the sum a little short).
  CHECK(sum == Approx(r.summary.latency_s).epsilon(0.01));
  CHECK(r.hybrid->bound == TimeBound::OffChip);
  CHECK(r.hybrid->bound_s == Approx(off_chip).epsilon(1e-9));
  CHECK(r.hybrid->bound_s > 0.5 * r.summary.latency_s);
}
