// Embedding lookups: a layer that reads, per token, the table row its id
// selects. In a trace they are data movement on the PE-array designs (the
// ids and the selected rows read, the rows stored; never the whole table,
// no MACs), and refused by the designs that keep every weight resident.
#include <catch2/catch.hpp>

#include <fstream>

#include "schedule/mapper.h"
#include "schedule/plan_counts.h"
#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Two sequences of 10 tokens: word ids into a table of 1,000 rows (10-bit
// ids), positions into one of 64 (6-bit), summed and normalised.
const char* kEmbed = R"(network: embed
batch: 2
input: {C: 1, H: 10, W: 1}
layers:
  - {name: word, type: embedding, entries: 1000, features: 16, tokens: 10, inputs: {bits: 10}}
  - {name: position, type: embedding, entries: 64, features: 16, tokens: 10, inputs: {bits: 6}, from: [input]}
  - {name: sum, type: add, C: 16, H: 10, W: 1, from: [word, position]}
  - {name: ln, type: layernorm, C: 16, H: 10}
  - {name: proj, type: conv, C: 16, H: 10, W: 1, M: 16, R: 1, S: 1}
)";

const Layer& layer(const Workload& w, const std::string& name) {
  for (const Layer& l : w.layers)
    if (l.name == name) return l;
  FAIL("no layer " << name);
  return w.layers.front();
}

struct Moved {
  uint64_t rows = 0, ids = 0, stored = 0;
};
Moved moved(const LayerPlan& plan) {
  Moved m;
  for (const GlbTile& t : plan.tiles) {
    m.rows += t.weight_load_bits;
    m.ids += t.input_dram_bits;
    m.stored += t.output_store_bits;
  }
  return m;
}

std::string error_of(const std::string& text) {
  try {
    workload_from_text(text);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("the workload loaded");
  return "";
}

}  // namespace

TEST_CASE("An embedding reads one id and one row per token, and computes nothing", "[embedding][workloads]") {
  const Workload w = workload_from_text(kEmbed);
  const Layer& word = layer(w, "word");
  CHECK(word.macs() == 0);
  CHECK(word.input_count() == 10);                    // the ids
  CHECK(word.output_shape() == Shape{16, 10, 1});     // a row of 16 features per token
  CHECK(word.entries == 1000);
  CHECK(w.macs_per_image() == 10 * 16 * 16);          // the projection's alone
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Moved m = moved(plan_layer(*arch, word, w.batch));
  // 2 images x 10 tokens: 10-bit ids, 16 x 8-bit rows read and stored; the other 980 rows are never read.
  CHECK(m.ids == 2u * 10 * 10);
  CHECK(m.rows == 2u * 10 * 16 * 8);
  CHECK(m.stored == 2u * 10 * 16 * 8);
}

TEST_CASE("Embedding lookups: simulated counts equal the closed form", "[embedding][analytic]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(kEmbed);
  const std::vector<LayerPlan> plans = plan_workload(*arch, w);
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == w.layers.size());
  for (std::size_t i = 0; i < 2; ++i) {
    INFO("layer " << w.layers[i].name << ", " << plans[i].tiling);
    ActionCounts simulated;
    for (const auto& a : r.layers[i].actions) simulated[a.component + ":" + a.action] += a.count;
    CHECK(simulated == count_plan_actions(*arch, w.layers[i], plans[i]));
    const Moved m = moved(plans[i]);
    CHECK(action_count(r.layers[i], "dram", "dram.read_bits") == m.rows + m.ids);
    CHECK(action_count(r.layers[i], "dram", "dram.write_bits") == m.stored);
    CHECK(r.layers[i].type == "embedding");
  }
}

TEST_CASE("Embedding lookups: ids too narrow for the table, or not one per token, are errors", "[embedding][workloads]") {
  CHECK_THAT(error_of(replace_all(kEmbed, "inputs: {bits: 10}", "inputs: {bits: 9}")),
             Catch::Contains("word") && Catch::Contains("1000 entries") && Catch::Contains("at least 10 bits"));
  CHECK_THAT(error_of(replace_all(kEmbed, "features: 16, tokens: 10, inputs: {bits: 10}", "features: 16, tokens: 12, inputs: {bits: 10}")),
             Catch::Contains("word") && Catch::Contains("one id per token"));
  CHECK_THAT(error_of(replace_all(kEmbed, "entries: 1000,", "entries: 0,")), Catch::Contains("entries"));
  // An override that narrows every layer's inputs narrows the ids too.
  Workload w = workload_from_text(kEmbed);
  CHECK_THAT(apply_run_overrides(w, {"inputs=8"}, {}), Catch::Contains("word") && Catch::Contains("--bits word.inputs"));
  Workload ok = workload_from_text(kEmbed);
  CHECK(apply_run_overrides(ok, {"inputs=8", "word.inputs=10", "position.inputs=6"}, {}).empty());
}

TEST_CASE("Embedding lookups on in-memory and dataflow designs are errors naming the layer", "[embedding][imc]") {
  const auto dir = scratch_dir("embedding_refused");
  const std::string trace = (dir / "embed.yaml").string();
  // A dataflow design that folds itself from a lane budget (the shipped ones fold their own networks' layers).
  const std::string dataflow = (dir / "dataflow.yaml").string();
  {
    std::ofstream(trace) << kEmbed;
    std::ofstream(dataflow) << R"(name: tiny_dataflow
kind: dataflow
technology: {node: 45 nm, clock: 1 GHz, voltage: 0.9 V}
energy_table: horowitz_45nm
execution: layer_pipelined
io: {width: 1024 bit, dram: LPDDR4}
weight_memory: {size: 64 Kib}
fifo_rows: 1
macs:
  - {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}
folding: {lanes: 64}
)";
  }
  for (const std::string& design : {shipped("arch/isaac.yaml"), dataflow}) {
    INFO(design);
    CHECK(qnnsim_cli("run " + design + " " + trace + " --quiet", dir / "out", dir / "err") == 2);
    CHECK_THAT(read_file((dir / "err").string()), Catch::Contains("layers[0] (word)") &&
                                                      Catch::Contains("an embedding layer cannot run") &&
                                                      Catch::Contains("keeps every weight resident"));
  }
  std::filesystem::remove_all(dir);
}
