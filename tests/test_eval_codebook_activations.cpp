// Codebook activations through eval (numerics/codebook_activations.h): the
// nearest entry on hand-made tables, the comparator output stage equal to the
// real rounding, calibration equal to k-means over the ReLU outputs of the
// shipped LeNet-5, the accuracy it keeps beside uniform codes of the same
// width, quantize's traces scored alike by eval --trace and priced by run,
// and the refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <functional>
#include <random>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "numerics/codebook_activations.h"
#include "numerics/dataset.h"
#include "numerics/evaluate.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "numerics/quant_network.h"
#include "numerics/threshold_stage.h"
#include "numerics/weight_schemes.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::numerics;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

const std::string kLenet = "workloads/models/lenet5_fashion.onnx";

QuantOptions codebook_options(int weight_bits, int activation_bits) {
  QuantOptions q;
  q.bits = {weight_bits, activation_bits};
  q.codebook_activations = true;
  q.calibration.images = 20;
  return q;
}

// The entry of `a` nearest v, by brute force over the table (the lower at a tie).
int32_t nearest_entry(const ActQuant& a, double v) {
  int32_t best = a.entries.front();
  for (const int32_t e : a.entries)
    if (std::abs(v - a.scale * e) < std::abs(v - a.scale * best)) best = e;
  return best;
}

double number_in(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\"");
  REQUIRE(at != std::string::npos);
  return std::stod(json.substr(json.find(':', at) + 1));
}

}  // namespace

TEST_CASE("a codebook activation takes the nearest entry of its table", "[eval][codebook]") {
  // Four levels, the top one 6.0 at code 255 (8-bit entries): scale 6/255,
  // entries 0, 42.5 -> 42 (nearest, ties to even), 106.25 -> 106, 255.
  const ActQuant a = codebook_act({0.0, 1.0, 2.5, 6.0}, 2, 8);
  REQUIRE(a.codebook());
  CHECK(a.bits == 2);
  CHECK(a.zero == 0);
  CHECK(a.scale == Approx(6.0 / 255));
  CHECK(a.entries == std::vector<int32_t>{0, 42, 106, 255});
  CHECK(a.qmin == 0);
  CHECK(a.qmax == 255);
  CHECK(a.quantize(-3.0) == 0);  // below the table: its lowest entry, as the ReLU's 0 would take
  CHECK(a.quantize(std::nan("")) == 0);
  CHECK(a.quantize(100.0) == 255);
  CHECK(a.quantize(0.49) == 0);
  CHECK(a.quantize(0.5) == 42);
  CHECK(a.quantize(4.0) == 106);  // 4.0 is 170 units: 64 from 106, 85 from 255
  CHECK(a.quantize(4.4) == 255);
  // A value exactly between two entries takes the lower.
  CHECK(a.quantize(a.scale * (42 + 106) / 2.0) == 42);
  for (double v = -1; v < 8; v += 0.013) REQUIRE(a.quantize(v) == nearest_entry(a, v));
  // An all-zero tensor: every entry 0, a scale of 1 standing for it.
  const ActQuant zero = codebook_act({0.0, 0.0}, 1, 8);
  CHECK(zero.quantize(5.0) == 0);
  CHECK(zero.scale == 1.0);
  CHECK(codebook_activation_problem(1, 8).empty());
  CHECK(codebook_activation_problem(8, 8).empty());
  CHECK_THAT(codebook_activation_problem(9, 16), Catch::Contains("1 to 8 index bits"));
  CHECK_THAT(codebook_activation_problem(6, 4), Catch::Contains("4-bit entries") && Catch::Contains("at most 4"));
}

TEST_CASE("the comparator output stage codes a codebook output as the real rounding does", "[eval][codebook][requant]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> level(0.0, 9.0);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> c;
    for (int j = 0; j < 8; ++j) c.push_back(level(rng));
    std::sort(c.begin(), c.end());
    const ActQuant a = codebook_act(c, 3, 8);
    // One accumulator unit's real value, off any round number.
    const double unit = 0.00731 * (1 + trial * 0.137);
    const std::vector<int64_t> t = code_thresholds(a, unit);
    REQUIRE(t.size() == 7);
    for (int64_t total = -500; total <= int64_t(10.0 / unit); ++total)
      REQUIRE(threshold_code(a, t, total) == a.quantize(double(total) * unit));
    // Half an entry step a unit: every midpoint is a whole total, where the
    // floating products may fall a hair to either side; the comparators
    // decide those totals as the real path does.
    const double half = a.scale / 2;
    const std::vector<int64_t> ties = code_thresholds(a, half);
    for (std::size_t j = 1; j < a.entries.size(); ++j) {
      const int64_t tie = int64_t(a.entries[j - 1]) + a.entries[j];
      if (a.entries[j - 1] == a.entries[j]) continue;
      CHECK(std::abs(ties[j - 1] - tie) <= 1);
      for (int64_t total = tie - 2; total <= tie + 2; ++total)
        REQUIRE(threshold_code(a, ties, total) == a.quantize(double(total) * half));
    }
  }
  // Where the arithmetic is exact (powers of two), a tie goes to the lower entry on both paths.
  const ActQuant exact = codebook_act_given(0.25, {0, 3, 10, 255}, 2);
  const std::vector<int64_t> t = code_thresholds(exact, 0.125);  // total / 2 entry units
  CHECK(t == std::vector<int64_t>{3, 13, 265});
  CHECK(threshold_code(exact, t, 3) == 0);
  CHECK(exact.quantize(3 * 0.125) == 0);
  CHECK(threshold_code(exact, t, 4) == 3);
  CHECK(threshold_code(exact, t, 13) == 3);
  CHECK(threshold_code(exact, t, 14) == 10);
}

TEST_CASE("codebook activations on LeNet-5 are k-means of each tensor's ReLU outputs", "[eval][codebook]") {
  const Network net = load_network(shipped(kLenet));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 20);
  const QuantizedNetwork q(net, codebook_options(8, 3), train);
  CHECK(!q.tensor_quant(net.input).codebook());
  CHECK(q.tensor_quant(net.input).bits == 8);
  int codebook_layers = 0;
  for (const QuantLayer& l : q.layers()) {
    const NetOp& op = net.ops[l.op];
    if (op.out == net.output) continue;
    const ActQuant& a = q.tensor_quant(op.out);
    REQUIRE(a.codebook());
    CHECK(a.bits == 3);
    REQUIRE(a.entries.size() == 8);
    ++codebook_layers;
    // Every value the float network stores there over the 20 images, after its ReLU.
    std::vector<double> x;
    for (int64_t i = 0; i < train.count; ++i) {
      const std::vector<float> stored = run_float(net, image_values(train, i))[op.out];
      for (const float v : stored) x.push_back(std::max(double(v), 0.0));
    }
    const ActQuant expected = codebook_act(codebook_centroids(x, 3, true), 3, 8);
    CHECK(a.entries == expected.entries);
    CHECK(a.scale == Approx(expected.scale).epsilon(1e-6));  // stored as a 32-bit float, as every scale
    // Real 0, the ReLU's most common output, is a level: it stays exactly 0.
    CHECK(a.entries[0] == 0);
    CHECK(a.quantize(0.0) == 0);
    // The levels are not evenly spaced: ReLU outputs crowd near 0.
    CHECK(a.entries[1] - a.entries[0] < a.entries[7] - a.entries[6]);
  }
  CHECK(codebook_layers == 4);
}

TEST_CASE("codebook activations keep more accuracy than uniform codes of the same width", "[eval][codebook]") {
  EvalOptions o;
  o.model = shipped(kLenet);
  o.limit = 500;
  o.jobs = 2;
  o.quant.bits = {8, 2};
  o.quant.calibration.images = 200;
  const EvalResult uniform2 = evaluate(o);
  o.quant.codebook_activations = true;
  const EvalResult codebook2 = evaluate(o);
  CHECK(codebook2.coded_activations == "codebook");
  CHECK(codebook2.codebook_entry_bits == 8);
  CHECK(codebook2.coded_image_bits == 8);
  o.quant.requant = Requant::fixed;
  const EvalResult codebook2_fixed = evaluate(o);
  o.quant.requant = Requant::real;
  o.quant.bits = {8, 4};
  const EvalResult codebook4 = evaluate(o);
  // Four levels placed where the values are beat four evenly spaced ones;
  // sixteen come close to the float network.
  CHECK(codebook2.quant_correct > uniform2.quant_correct);
  CHECK(codebook4.quant_correct > codebook2.quant_correct);
  CHECK(codebook4.quant_correct >= codebook4.float_correct - 10);
  // The comparators give the same codes as the real stage, up to the float products' last bit.
  CHECK(std::abs(codebook2_fixed.quant_correct - codebook2.quant_correct) <= 3);
  for (const EvalResult* r : {&codebook2, &codebook4})
    for (const auto& layer : r->layers) CHECK(layer.overflowed == 0);
}

TEST_CASE("quantize writes codebook traces that eval --trace scores alike and run prices with look-ups",
          "[eval][codebook][quantize][cli]") {
  const auto dir = scratch_dir("eval_codebook_trace");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string trace = (dir / "codebook.yaml").string(), uniform = (dir / "uniform.yaml").string();
  const std::string calib = " --calibration-images 20";
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --scheme codebook --bits 8/3" + calib + " -o " + trace, out, err) == 0);
  const std::string yaml = read_file(trace);
  CHECK_THAT(yaml, Catch::Contains("outputs: {bits: 3, scheme: codebook, scale: ") && Catch::Contains(", entries: [") &&
                       Catch::Contains("inputs: {bits: 8, scheme: uniform_asymmetric"));
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 --trace " + trace + " --json " + (dir / "t.json").string(), out,
                     err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("codebook activations: ") && Catch::Contains("8-bit entry"));
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 200 --scheme codebook --bits 8/3" + calib + " --json " +
                         (dir / "o.json").string(),
                     out, err) == 0);
  CHECK(number_in(read_file((dir / "t.json").string()), "quantized_accuracy_fraction") ==
        number_in(read_file((dir / "o.json").string()), "quantized_accuracy_fraction"));
  // Priced on the systolic design: the same 3-bit traffic as uniform codes
  // of that width, and one table look-up per MAC that reads a codebook input.
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --bits 8/3" + calib + " -o " + uniform, out, err) == 0);
  const auto run = [&](const std::string& t, const std::string& json) {
    REQUIRE(qnnsim_cli("run systolic_ws " + t + " --quiet --json " + json, out, err) == 0);
    return nlohmann::json::parse(read_file(json));
  };
  const nlohmann::json priced = run(trace, (dir / "c_run.json").string());
  const nlohmann::json plain = run(uniform, (dir / "u_run.json").string());
  // Layer by layer after conv1 (whose input, the image, stays 8-bit under codebook activations).
  REQUIRE(priced["layers"].size() == 7);
  for (std::size_t i = 1; i < 7; ++i) {
    const nlohmann::json &c = priced["layers"][i], &u = plain["layers"][i];
    INFO(c["name"].get<std::string>());
    CHECK(c["dram_bytes"] == u["dram_bytes"]);
    CHECK(c["cycles"] == u["cycles"]);
    if (c["type"] == "maxpool") continue;
    // The PEs read each codebook input's entry from their table: more scratchpad energy.
    CHECK(c["energy_breakdown_pj"]["spad"].get<double>() > u["energy_breakdown_pj"]["spad"].get<double>());
  }
  // A max pool compares the indices themselves, as it does uniform codes.
  CHECK(priced["layers"][1]["energy_pj"] == plain["layers"][1]["energy_pj"]);
}

TEST_CASE("eval refuses codebook activations where they cannot run", "[eval][codebook][cli]") {
  const auto dir = scratch_dir("eval_codebook_refusals");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const auto fails = [&](const std::string& command) {
    CHECK(qnnsim_cli(command, out, err) == 2);
    return read_file(err.string());
  };
  const std::string eval = "eval lenet5_fashion --limit 20 --calibration-images 20 ";
  CHECK_THAT(fails(eval + "--scheme codebook --bits 8/9"), Catch::Contains("--scheme codebook") && Catch::Contains("1 to 8 index bits"));
  // A crossbar's DACs drive the stored code's bits; there is no table before them.
  CHECK_THAT(fails(eval + "--scheme codebook --bits 8/3 --arch isaac"),
             Catch::Contains("layer 'conv2_Conv'") && Catch::Contains("codebook inputs on an in-memory design"));
  // The systolic design's IntMAC looks the entries up and multiplies them at its 8-bit input width.
  CHECK(qnnsim_cli(eval + "--scheme codebook --bits 8/3 --arch systolic_ws", out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("the MAC takes the 8-bit entry"));
  // FINN's design lists a 1-bit-input XnorMAC beside a 1x8 IntMAC: only the
  // IntMAC takes codebook inputs, so the entries are its 8 bits, not 1.
  CHECK(qnnsim_cli(eval + "--scheme codebook --bits 1/3 --weight-scheme binary --arch finn_cnv", out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("the MAC takes the 8-bit entry"));
  const std::string quantize = "quantize lenet5_fashion --calibration-images 10 ";
  CHECK_THAT(fails(quantize + "--scheme codebook --bits 8/3 --qdq " + (dir / "c.onnx").string() + " -o " +
                   (dir / "c.yaml").string()),
             Catch::Contains("--qdq with --scheme codebook"));
  CHECK_THAT(fails("mixed-precision lenet5_fashion systolic_ws --scheme codebook -o " + (dir / "m.yaml").string()),
             Catch::Contains("codebook"));

  // Traces edited by hand: each error names the file, line and key.
  const std::string trace = (dir / "codebook.yaml").string();
  REQUIRE(qnnsim_cli(quantize + "--scheme codebook --bits 8/2 -o " + trace, out, err) == 0);
  const auto refused = [&](const std::string& name, const std::string& what, const std::string& with) {
    std::string yaml = read_file(trace);
    const auto at = yaml.find(what);
    REQUIRE(at != std::string::npos);
    yaml.replace(at, yaml.find('}', at) - at, with);
    const std::string path = (dir / name).string();
    std::ofstream(path) << yaml;
    CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --trace " + path, out, err) == 2);
    return read_file(err.string());
  };
  const std::string first = "outputs: {bits: 2, scheme: codebook";
  CHECK_THAT(refused("descending.yaml", first, first + ", scale: 0.1, entries: [0, 9, 5, 200]"),
             Catch::Contains("descending.yaml:") && Catch::Contains("ascending"));
  CHECK_THAT(refused("short.yaml", first, first + ", scale: 0.1, entries: [0, 9, 200]"),
             Catch::Contains("short.yaml:") && Catch::Contains("layers[0].outputs.entries") &&
                 Catch::Contains("a list of 4 integers"));
  // Every table dropped: the first tensor read without one is conv1's output.
  std::string yaml = read_file(trace);
  yaml = std::regex_replace(yaml, std::regex(", entries: \\[[^\\]]*\\]"), "");
  const std::string no_entries = (dir / "no_entries.yaml").string();
  std::ofstream(no_entries) << yaml;
  CHECK_THAT(fails("eval lenet5_fashion --limit 20 --trace " + no_entries),
             Catch::Contains("no_entries.yaml:") && Catch::Contains("layers[0].outputs") &&
                 Catch::Contains("their table's entries"));
  CHECK_THAT(refused("no_scale.yaml", first, first + ", entries: [0, 1, 2, 3]"),
             Catch::Contains("no_scale.yaml:") && Catch::Contains("need their scale"));
  CHECK_THAT(refused("weights.yaml", "weights: {bits: 8, scheme: uniform_symmetric",
                     "weights: {bits: 2, scheme: codebook, entries: [0, 1, 2, 3]"),
             Catch::Contains("weights.yaml:") && Catch::Contains("codebook weights take theirs from the weights"));
  CHECK_THAT(refused("wide.yaml", first, first + ", scale: 0.1, entries: [0, 9, 200, 70000]"),
             Catch::Contains("wide.yaml:") && Catch::Contains("at most 16 bits"));
  // An entry wider than the design's multiplier inputs (the systolic design's 8 bits) cannot reach them whole.
  yaml = read_file(trace);
  for (auto at = yaml.find(", entries: ["); at != std::string::npos; at = yaml.find(", entries: [", at + 1))
    yaml.replace(at, yaml.find(']', at) + 1 - at, ", entries: [0, 9, 200, 300]");
  const std::string nine_bits = (dir / "nine_bits.yaml").string();
  std::ofstream(nine_bits) << yaml;
  CHECK(qnnsim_cli("eval lenet5_fashion --limit 20 --trace " + nine_bits, out, err) == 0);
  CHECK_THAT(fails("eval lenet5_fashion --limit 20 --arch systolic_ws --trace " + nine_bits),
             Catch::Contains("nine_bits.yaml") && Catch::Contains("entry 300") && Catch::Contains("8-bit inputs"));
}

TEST_CASE("eval --trace runs a trace that mixes codebook and uniform activations per layer", "[eval][codebook][cli]") {
  const auto dir = scratch_dir("eval_codebook_mixed");
  const auto out = dir / "out.txt", err = dir / "err.txt";
  const std::string codebook = (dir / "codebook.yaml").string(), uniform = (dir / "uniform.yaml").string();
  const std::string calib = " --calibration-images 20 -o ";
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --scheme codebook --bits 8/3" + calib + codebook, out, err) == 0);
  REQUIRE(qnnsim_cli("quantize lenet5_fashion --bits 8/3" + calib + uniform, out, err) == 0);
  // The trace's layers, one a line.
  const auto layers = [](const std::string& path) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  };
  std::vector<std::string> mixed = layers(codebook), plain;
  for (const std::string& line : layers(uniform))
    if (line.find("- {name: ") != std::string::npos) plain.push_back(line);
  REQUIRE(plain.size() == 7);
  // conv1 and pool1 write codebook indices, conv2 reads them and writes uniform codes, and so on uniform.
  int layer = -1;
  const std::regex outputs("outputs: \\{[^}]*\\}");
  for (std::string& line : mixed) {
    if (line.find("- {name: ") == std::string::npos) continue;
    ++layer;
    std::smatch m;
    if (layer == 2 && std::regex_search(plain[2], m, outputs)) line = std::regex_replace(line, outputs, m.str());
    if (layer > 2) line = plain[std::size_t(layer)];
  }
  REQUIRE(layer == 6);
  const std::string path = (dir / "mixed.yaml").string();
  {
    std::ofstream f(path);
    for (const std::string& line : mixed) f << line << "\n";
  }
  REQUIRE(qnnsim_cli("eval lenet5_fashion --limit 300 --trace " + path + " --json " + (dir / "m.json").string(), out,
                     err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("activations per layer (codebook, uniform_asymmetric)"));
  const nlohmann::json j = nlohmann::json::parse(read_file((dir / "m.json").string()));
  CHECK(j["quantization"]["activations"] == "per layer (codebook, uniform_asymmetric)");
  // Both halves' codes are close to float: the mix classifies well above chance (30 of 300).
  CHECK(j["quantized_accuracy_fraction"].get<double>() > 0.8);
}
