// Dataflow designs (FINN style): a three-engine chain derived by hand,
// pipelined and in sequence; folding chosen under a lane budget; the errors a
// bad folding or an oversized network gets; the shipped CNV design; and the
// command line's --execution switch.
#include <fstream>
#include <functional>
#include <string>

#include <catch2/catch.hpp>

#include "dataflow/dataflow_arch.h"
#include "dataflow/dataflow_run.h"
#include "dataflow/engines.h"
#include "report/report.h"
#include "support.h"

namespace qnnsim::test {
namespace {

// 1 GHz, a port wide enough to move any row of the chain in one cycle, 8-bit
// integer MACs, and a given folding per layer.
std::string tiny_dataflow_yaml() {
  return R"(name: tiny_dataflow
kind: dataflow
technology: {node: 45 nm, clock: 1 GHz, voltage: 0.9 V}
energy_table: horowitz_45nm
execution: layer_pipelined
io: {width: 1024 bit, dram: LPDDR4}
weight_memory: {size: 64 Kib}
fifo_rows: 1
macs:
  - {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}
folding:
  layers:
    a: {pe: 2, simd: 4}
    b: {pe: 1, simd: 2}
    c: {pe: 2, simd: 8}
)";
}

DataflowArch dataflow_from_text(const std::string& yaml) {
  return load_dataflow_arch(ConfigNode::load_string(yaml, "tiny_dataflow.yaml"));
}

// Three fc layers, 8 -> 4 -> 8 -> 2, 8-bit throughout (80 weights, 640 bits).
Workload chain(int64_t batch) {
  return workload_from_text(R"(network: chain
batch: )" + std::to_string(batch) + R"(
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
  - {name: b, type: fc, C: 4, M: 8}
  - {name: c, type: fc, C: 8, M: 2}
)");
}

// The folding without layer entries, so a lane budget chooses it.
std::string budget_yaml(int lanes, const std::string& layers = "") {
  std::string yaml = tiny_dataflow_yaml();
  yaml = yaml.substr(0, yaml.find("folding:"));
  return yaml + "folding:\n  lanes: " + std::to_string(lanes) + "\n" + layers;
}

ConfigError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

}  // namespace

// Cycles per image, NF x SF = (M / PE) x (C / SIMD):
//   a: (4/2) x (8/4) = 4     b: (8/1) x (4/2) = 16     c: (2/2) x (8/8) = 1
// Every row (an image's input, or c's 2 x 8-bit outputs) crosses the port in 1 cycle.
// Pipelined over 20 images, b is busy from a's first image on: image n leaves b
// at 1 + 4 + 16 (n + 1) ns, c and the port add 1 + 1. The first image is out at
// 1 + 4 + 16 + 1 + 1 = 23 ns, one leaves every 16 ns (b, the slowest engine),
// and the last at 23 + 19 x 16 = 327 ns.
TEST_CASE("pipelined dataflow throughput equals the slowest engine's cycles per image", "[dataflow]") {
  const DataflowArch arch = dataflow_from_text(tiny_dataflow_yaml());
  const RunResult r = run_dataflow(arch, chain(20));
  REQUIRE(r.dataflow);
  CHECK(r.layers.at(0).dataflow->cycles_per_image == 4);
  CHECK(r.layers.at(1).dataflow->cycles_per_image == 16);
  CHECK(r.layers.at(2).dataflow->cycles_per_image == 1);
  CHECK(r.dataflow->slowest_layer == "b");
  CHECK(r.dataflow->pipeline_interval_s == Approx(16e-9).epsilon(1e-9));
  CHECK(r.dataflow->first_image_latency_s == Approx(23e-9).epsilon(1e-9));
  CHECK(r.summary.cycles == 327);
  CHECK(r.dataflow->lanes == 2 * 4 + 1 * 2 + 2 * 8);
  // b never waits once it has started; a waits for room in b's input FIFO.
  CHECK(r.layers.at(1).dataflow->occupancy == Approx(320.0 / 327.0).epsilon(1e-9));
  CHECK(r.layers.at(0).dataflow->wait_output_s > 0);
}

// Layer a over 20 images, priced from configs/energy/horowitz_45nm.yaml:
//   MACs 20 x 32 = 640, each an 8x8 multiply (0.2 pJ) and a 32-bit add (0.1 pJ): 192 pJ.
//   Weight reads: 4 steps per image x 2 PEs x 20 = 160, each 4 weights x 8 bits
//     from a 128-bit bank, held at the table's smallest SRAM (8 KiB, 10 pJ per
//     64 bits): 5 pJ each, 800 pJ.
//   The input from DRAM: 20 x 8 values x 8 bits = 1280 bits at 8 pJ (LPDDR4): 10240 pJ.
//   Thresholds: the outputs keep 8 bits under a 32-bit accumulator: 255 compares each.
TEST_CASE("a dataflow engine's actions match a hand count", "[dataflow]") {
  const RunResult r = run_dataflow(dataflow_from_text(tiny_dataflow_yaml()), chain(20));
  const LayerResult& a = r.layers.at(0);
  CHECK(action_count(a, "mac", "mac_8x8") == 640);
  CHECK(a.energy_breakdown_pj.at("mac") == Approx(192.0).epsilon(1e-9));
  CHECK(action_count(a, "weight_memory", "read") == 160);
  CHECK(a.energy_breakdown_pj.at("weight_memory") == Approx(800.0).epsilon(1e-9));
  CHECK(action_count(a, "io", "bit") == 1280);
  CHECK(a.energy_breakdown_pj.at("io") == Approx(10240.0).epsilon(1e-9));
  CHECK(action_count(a, "threshold", "compare") == 20 * 4 * 255);
  CHECK(action_count(a, "line_buffer", "read") == 0);  // a fully connected layer has no sliding window
  CHECK(a.dram_bytes == 160.0);
}

// Layer a's weights as 4-bit indices into a table of 16 entries: the weight
// memory holds and reads 4-bit indices (160 reads of 4 x 4 bits, 2.5 pJ each
// from the smallest SRAM), and each of the 640 MACs looks its weight up, an
// 8-bit entry (IntMAC's weight width) from registers at 0.0526 pJ a bit
// (configs/energy/horowitz_45nm.yaml): 640 x 8 x 0.0526 = 269.312 pJ.
TEST_CASE("codebook weights on a dataflow engine: index traffic, and a table look-up a MAC", "[dataflow][scheme]") {
  Workload w = chain(20);
  w.layers[0].precision.weights = {4, Scheme::Codebook, 1.0};
  const RunResult r = run_dataflow(dataflow_from_text(tiny_dataflow_yaml()), w);
  const LayerResult& a = r.layers.at(0);
  CHECK(action_count(a, "codebook_table", "weights.lookup") == 640);
  CHECK(a.energy_breakdown_pj.at("codebook_table") == Approx(640 * 8 * 0.0526).epsilon(1e-9));
  CHECK(action_count(a, "codebook_table", "inputs.lookup") == 0);  // the inputs stay uniform
  CHECK(action_count(a, "weight_memory", "read") == 160);
  CHECK(a.energy_breakdown_pj.at("weight_memory") == Approx(400.0).epsilon(1e-9));
}

// A depthwise 3x3 engine on a 4-channel 4x4 input (padding 1: 16 positions),
// PE 2 (channels) x SIMD 3 (window taps), over 5 images. Each PE works on its
// own channel, so per position it takes (4 / 2) x (9 / 3) = 6 steps, each
// reading 2 x 3 inputs (48 bits): 96 reads per image, 6 MACs each = 576 MACs.
// The sliding-window unit hands over every channel's 9 taps per position,
// 3 at a time: 16 x 4 x 9 / 3 = 192 words per image, read from the line
// buffer and written to the input buffer.
TEST_CASE("a depthwise engine reads each channel's own window", "[dataflow]") {
  std::string yaml = tiny_dataflow_yaml();
  yaml = yaml.substr(0, yaml.find("folding:")) + "folding:\n  layers:\n    d: {pe: 2, simd: 3}\n";
  const RunResult r = run_dataflow(dataflow_from_text(yaml), workload_from_text(R"(network: depthwise
batch: 5
input: {C: 4, H: 4, W: 4}
layers:
  - {name: d, type: dwconv, C: 4, H: 4, W: 4, R: 3, S: 3, padding: 1}
)"));
  const LayerResult& d = r.layers.at(0);
  CHECK(action_count(d, "mac", "mac_8x8") == 5 * 576);
  CHECK(action_count(d, "input_buffer", "read") == 5 * 96);
  CHECK(action_count(d, "input_buffer", "write") == 5 * 192);
  CHECK(action_count(d, "line_buffer", "read") == 5 * 192);
  // A read is two PEs' words, twice the 24-bit word written.
  double read_pj = 0, write_pj = 0;
  for (const ActionResult& a : d.actions)
    if (a.component == "input_buffer") (a.action == "read" ? read_pj : write_pj) = a.energy_pj / static_cast<double>(a.count);
  CHECK(read_pj == Approx(2 * write_pj).epsilon(1e-9));
}

// In sequence: the input streams in (20 images x 1 cycle), then each engine
// runs the whole batch in turn, 20 x (4 + 16 + 1) = 420 cycles, and c's last
// row crosses the port in 1 more: 20 + 420 + 1 = 441 cycles.
TEST_CASE("layer-sequential dataflow takes the sum of the engines' batches", "[dataflow]") {
  DataflowArch arch = dataflow_from_text(tiny_dataflow_yaml());
  arch.execution = Execution::LayerSequential;
  const RunResult r = run_dataflow(arch, chain(20));
  CHECK(r.summary.cycles == 441);
  REQUIRE(r.dataflow);
  CHECK(r.dataflow->execution == "layer_sequential");
  CHECK(r.layers.at(1).latency_s == Approx(320e-9).epsilon(1e-9));
}

// Under a budget of 16 lanes: a target of T cycles needs 32/T lanes on a, 32/T
// on b and 16/T on c, 80/T in all, so T = 4 (20 lanes) is out of reach and
// T = 8 takes 4 + 4 + 2 = 10. SIMD goes first on a tie: a 1 x 4, b 1 x 4, c 1 x 2.
// With 20 lanes, T = 4: a 1 x 8, b 2 x 4 (SIMD stops at b's 4 inputs), c 1 x 4.
TEST_CASE("a lane budget balances the engines", "[dataflow]") {
  const Workload w = chain(4);
  const auto folds = [](const std::vector<Engine>& e) {
    std::vector<std::pair<int64_t, int64_t>> v;
    for (const Engine& x : e) v.emplace_back(x.pe, x.simd);
    return v;
  };
  const std::vector<Engine> e16 = build_engines(dataflow_from_text(budget_yaml(16)), w);
  CHECK(folds(e16) == std::vector<std::pair<int64_t, int64_t>>{{1, 4}, {1, 4}, {1, 2}});
  for (const Engine& e : e16) CHECK(e.image_cycles() == 8);
  CHECK(e16.at(0).chosen);
  const std::vector<Engine> e20 = build_engines(dataflow_from_text(budget_yaml(20)), w);
  CHECK(folds(e20) == std::vector<std::pair<int64_t, int64_t>>{{1, 8}, {2, 4}, {1, 4}});
  int64_t lanes = 0;
  for (const Engine& e : e20) lanes += e.lanes();
  CHECK(lanes == 20);
  // A given engine at 32 cycles (b, one lane) sets the pace: the others take one lane each.
  const std::vector<Engine> slow =
      build_engines(dataflow_from_text(budget_yaml(16, "  layers:\n    b: {pe: 1, simd: 1}\n")), w);
  CHECK(folds(slow) == std::vector<std::pair<int64_t, int64_t>>{{1, 1}, {1, 1}, {1, 1}});
  CHECK_FALSE(slow.at(1).chosen);
  // The simulated interval is the balanced engines' 8 cycles.
  const RunResult r = run_dataflow(dataflow_from_text(budget_yaml(16)), w);
  CHECK(r.dataflow->pipeline_interval_s == Approx(8e-9).epsilon(1e-9));
}

TEST_CASE("a network whose weights do not fit the weight memory is an error naming the key", "[dataflow]") {
  const DataflowArch arch = dataflow_from_text(replace_all(tiny_dataflow_yaml(), "size: 64 Kib", "size: 512 bit"));
  const ConfigError e = error_of([&] { build_engines(arch, chain(1)); });
  CHECK(e.key_path() == "weight_memory.size");
  CHECK(e.where().file == "tiny_dataflow.yaml");
  CHECK(e.where().line == 7);
  CHECK(e.message().find("640 bits") != std::string::npos);
}

TEST_CASE("a folding that does not divide is an error naming the layer's entry", "[dataflow]") {
  const DataflowArch pe = dataflow_from_text(replace_all(tiny_dataflow_yaml(), "a: {pe: 2, simd: 4}", "a: {pe: 3, simd: 4}"));
  const ConfigError e = error_of([&] { build_engines(pe, chain(1)); });
  CHECK(e.key_path() == "folding.layers.a");
  CHECK(e.where().line == 13);
  CHECK(e.message().find("pe 3 does not divide a's 4 output channels") != std::string::npos);
  const DataflowArch simd = dataflow_from_text(replace_all(tiny_dataflow_yaml(), "b: {pe: 1, simd: 2}", "b: {pe: 1, simd: 3}"));
  const ConfigError s = error_of([&] { build_engines(simd, chain(1)); });
  CHECK(s.key_path() == "folding.layers.b");
  CHECK(s.message().find("simd 3 does not divide b's 4 inputs") != std::string::npos);
}

TEST_CASE("a dataflow file's other mistakes name file, line and key", "[dataflow]") {
  // An unknown key.
  const ConfigError unknown = error_of([&] { dataflow_from_text(replace_all(tiny_dataflow_yaml(), "fifo_rows: 1", "fifo_depth: 1")); });
  CHECK(unknown.key_path() == "fifo_depth");
  CHECK(unknown.where().line == 8);
  // A folding for a layer the workload does not have.
  const DataflowArch extra = dataflow_from_text(replace_all(tiny_dataflow_yaml(), "    c: {pe: 2, simd: 8}\n",
                                                            "    c: {pe: 2, simd: 8}\n    d: {pe: 1, simd: 1}\n"));
  const ConfigError no_layer = error_of([&] { build_engines(extra, chain(1)); });
  CHECK(no_layer.key_path() == "folding.layers.d");
  CHECK(no_layer.message().find("no layer 'd'") != std::string::npos);
  // A layer without a folding and no budget to choose one.
  const DataflowArch missing = dataflow_from_text(replace_all(tiny_dataflow_yaml(), "    c: {pe: 2, simd: 8}\n", ""));
  CHECK(error_of([&] { build_engines(missing, chain(1)); }).message().find("layer c has no folding") != std::string::npos);
  // A budget smaller than one lane per engine.
  const ConfigError small = error_of([&] { build_engines(dataflow_from_text(budget_yaml(2)), chain(1)); });
  CHECK(small.key_path() == "folding.lanes");
  CHECK(small.where().line == 12);  // the lanes key, not the folding section above it
  // A precision no listed MAC unit executes.
  const Workload fp = workload_from_text(R"(network: fp
batch: 1
precision:
  weights: {bits: 16, scheme: float}
  inputs: {bits: 16, scheme: float}
  outputs: {bits: 16, scheme: float}
input: {C: 8, H: 1, W: 1}
layers:
  - {name: a, type: fc, C: 8, M: 4}
)");
  const DataflowArch one = dataflow_from_text(replace_all(tiny_dataflow_yaml(), "    b: {pe: 1, simd: 2}\n    c: {pe: 2, simd: 8}\n", ""));
  const ConfigError no_mac = error_of([&] { build_engines(one, fp); });
  CHECK(no_mac.key_path() == "layers.a");
  CHECK(no_mac.message().find("IntMAC executes integer schemes") != std::string::npos);
}

namespace {
// Slowest engine and the sum of the engines' cycles per image, from the engines themselves.
std::pair<int64_t, int64_t> slowest_and_sum(const RunResult& r) {
  int64_t slowest = 0, sum = 0;
  for (const auto& l : r.layers) {
    slowest = std::max(slowest, l.dataflow->cycles_per_image);
    sum += l.dataflow->cycles_per_image;
  }
  return {slowest, sum};
}
}  // namespace

// BNN-PYNQ's config.h lists each engine's expected cycles ("Ext Latency"): 32768
// for the fc layers L6 and L7, the largest; the pipeline then delivers one image
// every 32768 cycles, 327.68 us at 100 MHz.
TEST_CASE("the shipped FINN CNV runs pipelined at its slowest engine's pace", "[dataflow]") {
  const DataflowArch arch = load_dataflow_arch(ConfigNode::load_file(shipped("arch/finn_cnv.yaml")));
  Workload w = load_workload(shipped("workloads/finn_cnv.yaml"));
  w.batch = 8;
  const RunResult r = run_dataflow(arch, w);
  REQUIRE(r.dataflow);
  CHECK(r.summary.macs == 8 * w.macs_per_image());
  const auto [slowest, sum] = slowest_and_sum(r);
  CHECK(slowest == 32768);
  CHECK(r.dataflow->slowest_cycles_per_image == slowest);
  CHECK(r.dataflow->pipeline_interval_s == Approx(slowest / 100e6).epsilon(1e-6));
  // Line buffers let an engine start before its producer has finished the image.
  CHECK(r.dataflow->first_image_latency_s * 100e6 < sum);
  double weights = 0;
  for (const Layer& l : w.layers)
    if (layer_uses_array(l.type)) weights += static_cast<double>(l.weight_count());
  CHECK(r.dataflow->weight_bits == weights);
  CHECK(r.summary.energy_pj > 0);
  CHECK(r.summary.energy_breakdown_pj.at("weight_memory") > 0);
  CHECK(r.summary.energy_breakdown_pj.at("mac") > 0);
  CHECK(r.summary.area_mm2 > 0);
  CHECK(r.layers.at(0).dataflow->mac_class == "IntMAC");  // 8-bit pixels
  CHECK(r.layers.at(1).dataflow->mac_class == "XnorMAC");
}

TEST_CASE("the shipped FINN CNV in sequence takes each engine's batch in turn", "[dataflow]") {
  DataflowArch arch = load_dataflow_arch(ConfigNode::load_file(shipped("arch/finn_cnv.yaml")));
  arch.execution = Execution::LayerSequential;
  Workload w = load_workload(shipped("workloads/finn_cnv.yaml"));
  w.batch = 4;
  const RunResult r = run_dataflow(arch, w);
  const int64_t sum = slowest_and_sum(r).second;
  // The engines' batches back to back, plus the input streaming in and the last result out.
  CHECK(r.summary.cycles >= static_cast<uint64_t>(4 * sum));
  CHECK(r.summary.cycles < static_cast<uint64_t>(4 * sum) + 4 * 32 * 12 + 16);
}

TEST_CASE("the execution switch works on a dataflow design and stays an error for PE arrays", "[dataflow][cli]") {
  const auto dir = scratch_dir("dataflow_cli");
  const std::string files = shipped("arch/finn_cnv.yaml") + " " + shipped("workloads/finn_cnv.yaml");
  REQUIRE(qnnsim_cli("run " + files + " --batch 2 --quiet --execution layer_sequential --json " +
                         (dir / "r.json").string() + " --csv " + (dir / "r.csv").string(),
                     dir / "out.txt", dir / "err.txt") == 0);
  const std::string json = read_file((dir / "r.json").string());
  CHECK(json.find("\"execution\": \"layer_sequential\"") != std::string::npos);
  CHECK(json.find("\"slowest_cycles_per_image\": 32768") != std::string::npos);
  const std::string csv = read_file((dir / "r.csv").string());
  CHECK(csv.substr(0, csv.find('\n')).find("engine,mac_class,pe,simd") != std::string::npos);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + shipped("workloads/lenet5.yaml") +
                       " --execution layer_pipelined",
                   dir / "out2.txt", dir / "err2.txt") == 2);
  CHECK(read_file((dir / "err2.txt").string()).find("--execution is for in-memory chips and dataflow designs") !=
        std::string::npos);
}

TEST_CASE("a bad dataflow folding exits 2 naming file, line and key", "[dataflow][cli]") {
  const auto dir = scratch_dir("dataflow_bad");
  std::string yaml = read_file(shipped("arch/finn_cnv.yaml"));
  yaml = replace_all(yaml, "conv2: {pe: 32, simd: 32}", "conv2: {pe: 48, simd: 32}");
  yaml = replace_all(yaml, "energy_table: horowitz_45nm", "energy_table: " + shipped("configs/energy/horowitz_45nm.yaml"));
  const auto arch = dir / "bad.yaml";
  { std::ofstream(arch) << yaml; }
  CHECK(qnnsim_cli("run " + arch.string() + " " + shipped("workloads/finn_cnv.yaml"), dir / "out.txt", dir / "err.txt") == 2);
  const std::string err = read_file((dir / "err.txt").string());
  CHECK(err.find("bad.yaml:") != std::string::npos);
  CHECK(err.find("folding.layers.conv2") != std::string::npos);
  CHECK(err.find("pe 48 does not divide") != std::string::npos);
}

}  // namespace qnnsim::test
