// `qnnsim quantize`: post-training quantization into a workload trace that
// carries the calibrated scales, read back by `eval --trace`. These read
// Debian's dataset-fashion-mnist (scripts/setup.sh installs it).
#include <catch2/catch.hpp>

#include <fstream>

#include "core/config_node.h"
#include "numerics/dataset.h"
#include "numerics/evaluate.h"
#include "numerics/quant_plan.h"
#include "numerics/quantized_trace.h"
#include "numerics/trace_plan.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::ConfigNode;
using qnnsim::Workload;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

const std::string kCnn = "workloads/models/mnist_cnn_fashion.onnx";

QuantizeOptions cnn_options(RangeMethod method, int64_t images) {
  QuantizeOptions o;
  o.model = shipped(kCnn);
  o.quant.calibration.method = method;
  o.quant.calibration.images = images;
  return o;
}

void write(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

// The plan calibration makes and the plan the written trace gives are the same, value for value.
void check_same_plan(const QuantPlan& a, const QuantPlan& b, const Network& net) {
  for (const NetOp& op : net.ops)
    for (const int t : op.in) {
      INFO("tensor read by " << op.onnx);
      CHECK(a.bits[t] == b.bits[t]);
      CHECK(a.act[t].scale == b.act[t].scale);  // exact: the trace writes the shortest text that reads back
      CHECK(a.act[t].zero == b.act[t].zero);
      CHECK(a.act[t].symmetric == b.act[t].symmetric);
      CHECK(a.act[t].qmin == b.act[t].qmin);
      CHECK(a.act[t].qmax == b.act[t].qmax);
    }
  for (std::size_t i = 0; i < net.ops.size(); ++i) {
    if (net.ops[i].kind != OpKind::conv) continue;
    INFO(net.ops[i].onnx);
    CHECK(a.layer_bits[i].weights == b.layer_bits[i].weights);
    CHECK(a.layer_bits[i].activations == b.layer_bits[i].activations);
    CHECK(a.weight_scales[i] == b.weight_scales[i]);
  }
}

}  // namespace

TEST_CASE("a quantized trace round-trips: quantize then load gives the same scales", "[quantize]") {
  const Network net = load_network(shipped(kCnn));
  const Dataset train = load_dataset("fashion-mnist", Split::train, 200);
  SECTION("8/8, per-channel weights, asymmetric activations, mse ranges") {
    const QuantizeOptions o = cnn_options(RangeMethod::mse, 200);
    const QuantizedTrace t = quantize_to_trace(o);
    const Workload w = qnnsim::load_workload(ConfigNode::load_string(t.yaml, "cnn_q8.yaml"));
    check_same_plan(calibrate_plan(net, o.quant, train), trace_plan(net, w).plan, net);
    CHECK(w.layers[0].precision.weights.scale.size() == 12);  // conv1's 12 filters
    CHECK(w.layers[0].precision.inputs.zero_point.has_value());
    CHECK(trace_plan(net, w).accumulator_bits == 32);
  }
  SECTION("mixed widths, per-tensor weights, symmetric activations, percentile ranges, a 24-bit accumulator") {
    QuantizeOptions o = cnn_options(RangeMethod::percentile, 200);
    o.quant.bits = {4, 4};
    o.quant.layer_bits["fc_Gemm"] = {6, 8};
    o.quant.per_channel_weights = false;
    o.quant.symmetric_activations = true;
    o.quant.accumulator.bits = 24;
    const QuantizedTrace t = quantize_to_trace(o);
    const Workload w = qnnsim::load_workload(ConfigNode::load_string(t.yaml, "cnn_mixed.yaml"));
    const TracePlan tp = trace_plan(net, w);
    check_same_plan(calibrate_plan(net, o.quant, train), tp.plan, net);
    CHECK(tp.accumulator_bits == 24);
    CHECK(tp.symmetric_activations);
    CHECK_FALSE(tp.per_channel_weights);
    CHECK(w.layers[0].precision.weights.scale.size() == 1);
    CHECK(w.layers.back().precision.weights.bits == 6);
    CHECK(w.layers.back().precision.inputs.bits == 8);
    CHECK(w.layers.front().precision.accumulator.bits == 24);
  }
}

TEST_CASE("eval with a trace's scales scores what eval calibrating the same way scores", "[quantize][eval]") {
  const auto dir = scratch_dir("quantize_same");
  for (const RangeMethod m : {RangeMethod::minmax, RangeMethod::percentile, RangeMethod::mse}) {
    INFO(range_method_name(m));
    QuantizeOptions q = cnn_options(m, 300);
    q.quant.bits = {4, 4};  // where the ranges matter
    const auto trace = dir / "cnn.yaml";
    write(trace, quantize_to_trace(q).yaml);

    EvalOptions self;
    self.model = shipped(kCnn);
    self.limit = 1000;
    self.quant = q.quant;
    EvalOptions traced = self;
    traced.quant = QuantOptions();  // nothing from the options: all from the trace
    traced.trace = trace.string();
    const EvalResult a = evaluate(self), b = evaluate(traced);
    CHECK(b.calibration_images == 0);
    CHECK(a.quant_correct == b.quant_correct);
    CHECK(a.agree == b.agree);
    REQUIRE(a.layers.size() == b.layers.size());
    for (std::size_t k = 0; k < a.layers.size(); ++k) {
      CHECK(a.layers[k].bits.weights == b.layers[k].bits.weights);
      CHECK(a.layers[k].bits.activations == b.layers[k].bits.activations);
      CHECK(a.layers[k].overflowed == b.layers[k].overflowed);
    }
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim quantize writes a trace that run prices and eval --trace scores", "[quantize][cli]") {
  const auto dir = scratch_dir("quantize_cli");
  const auto out = dir / "out.txt", err = dir / "err.txt", trace = dir / "cnn_q4.yaml", json = dir / "eval.json";
  REQUIRE(qnnsim_cli("quantize mnist_cnn_fashion --calibrate mse --calibration-images 200 --bits 4/4 -o " +
                         trace.string(),
                     out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("quantized mnist_cnn_fashion") && Catch::Contains("conv2_Conv"));
  const std::string yaml = read_file(trace.string());
  CHECK_THAT(yaml, Catch::Contains("scale: [") && Catch::Contains("zero_point: ") &&
                       Catch::Contains("granularity: per_channel"));
  // Any other command takes it as a trace: the widths are what it prices.
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + trace.string(), out, err) == 0);
  CHECK(qnnsim_cli("validate " + trace.string(), out, err) == 0);
  REQUIRE(qnnsim_cli("eval mnist_cnn_fashion --limit 200 --trace " + trace.string() + " --json " + json.string(), out,
                     err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("widths, scales and zero points from"));
  CHECK_THAT(read_file(json.string()), Catch::Contains("\"calibration\": \"trace\"") && Catch::Contains("\"weight_bits\": 4"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim quantize and eval --trace: bad options exit 2 naming the option", "[quantize][cli]") {
  const auto dir = scratch_dir("quantize_bad");
  const auto out = dir / "out.txt", err = dir / "err.txt", trace = dir / "t.yaml";
  const auto fails = [&](const std::string& args, const std::string& says) {
    INFO(args);
    CHECK(qnnsim_cli(args, out, err) == 2);
    CHECK_THAT(read_file(err.string()), Catch::Contains(says));
  };
  fails("quantize mnist_cnn_fashion --bits 8x8 -o " + trace.string(), "--bits '8x8': expected W/A");
  fails("quantize mnist_cnn_fashion --bits 1/8 -o " + trace.string(), "weight bits 1, expected 2 to 16");
  fails("quantize mnist_cnn_fashion --bits conv9=4/4 -o " + trace.string(), "no Conv, Gemm or MatMul layer 'conv9'");
  fails("quantize mnist_cnn_fashion --percentile 20 --calibrate percentile -o " + trace.string(), "--percentile 20");
  fails("quantize mnist_cnn_fashion --calibration-images 0 -o " + trace.string(), "--calibration-images");
  fails("quantize mnist_cnn_fashion --accumulator 4 -o " + trace.string(), "--accumulator 4");
  fails("quantize mnist_cnn_fashion --calibrate median -o " + trace.string(), "--calibrate");
  fails("quantize lenet7_fashion -o " + trace.string(), "'lenet7_fashion' is neither a file nor a shipped model");
  fails("quantize mnist_cnn_fashion --data " + (dir / "nowhere").string() + " -o " + trace.string(), "nowhere");
  CHECK_FALSE(std::filesystem::exists(trace));  // nothing written on an error

  REQUIRE(qnnsim_cli("quantize mnist_cnn_fashion --calibration-images 50 -o " + trace.string(), out, err) == 0);
  fails("eval mnist_cnn_fashion --trace " + trace.string() + " --bits 4/4", "--bits with --trace");
  fails("eval mnist_cnn_fashion --trace " + trace.string() + " --calibrate mse", "--calibrate with --trace");
  // A trace without scales (a plain import), and one of another model.
  const auto plain = dir / "plain.yaml";
  REQUIRE(qnnsim_cli("import " + shipped(kCnn) + " -o " + plain.string(), out, err) == 0);
  fails("eval mnist_cnn_fashion --limit 10 --trace " + plain.string(), "layers[0].weights");
  fails("eval lenet5_fashion --limit 10 --trace " + trace.string(), "written from another model");
  std::filesystem::remove_all(dir);
}

TEST_CASE("scale and zero_point in a trace: bad values are errors at their key", "[quantize][workloads]") {
  const std::string head = "network: t\ninput: {C: 1, H: 4, W: 4}\nlayers:\n";
  const auto error_of = [&](const std::string& layers) -> qnnsim::ConfigError {
    try {
      qnnsim::test::workload_from_text(head + layers, "bad_scales.yaml");
    } catch (const qnnsim::ConfigError& e) {
      return e;
    }
    FAIL("the trace loaded");
    throw;
  };
  struct Case {
    std::string layers, key, says;
    int line;
  };
  const std::vector<Case> cases = {
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, inputs: {scale: -0.5}}\n", "inputs.scale",
       "positive, finite scale", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, inputs: {scale: 0.5, zero_point: 256}}\n",
       "inputs.zero_point", "0 to 255", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3,\n"
       "     weights: {scheme: uniform_symmetric, scale: 0.1, zero_point: 3}}\n",
       "weights.zero_point", "expected 0", 5},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, weights: {scale: [0.1, 0.2]}}\n",
       "weights.scale", "needs granularity: per_channel", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3,\n"
       "     weights: {granularity: per_channel, scale: [0.1, 0.2, 0.3]}}\n",
       "weights.scale", "one scale per output channel, 2 (M), found 3", 5},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, weights: {granularity: per_channel, scale: [0.1, x]}}\n",
       "weights.scale[1]", "positive, finite scale", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, weights: {bits: 1, scheme: binary, scale: 1}}\n",
       "weights.scale", "uniform_symmetric and uniform_asymmetric", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, outputs: {zero_point: 3}}\n",
       "outputs.zero_point", "needs its scale", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, accumulator: {scale: 2}}\n", "accumulator.scale",
       "no scale or zero point", 4},
      {"  - {name: p, type: maxpool, C: 1, H: 4, W: 4, R: 2, S: 2, stride: 2, weights: {scale: 0.1}}\n",
       "weights.scale", "has no weights to scale", 4},
      {"  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, outputs: {scale: 0.25, zero_point: 4}}\n"
       "  - {name: p, type: maxpool, C: 2, H: 2, W: 2, R: 2, S: 2, stride: 2, inputs: {scale: 0.5, zero_point: 4}}\n",
       "inputs.scale", "writes its outputs with scale 0.25", 5},
  };
  for (const Case& c : cases) {
    INFO(c.layers);
    const qnnsim::ConfigError e = error_of(c.layers);
    CHECK_THAT(e.key_path(), Catch::EndsWith(c.key));
    CHECK_THAT(e.message(), Catch::Contains(c.says));
    CHECK(e.where().file == "bad_scales.yaml");
    CHECK(e.where().line == c.line);
  }
  // A scale in the default precision is refused: it belongs to one layer's tensor.
  try {
    qnnsim::test::workload_from_text(
        "network: t\nprecision:\n  inputs: {scale: 0.1}\ninput: {C: 1, H: 4, W: 4}\nlayers:\n"
        "  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3}\n",
        "default_scale.yaml");
    FAIL("the trace loaded");
  } catch (const qnnsim::ConfigError& e) {
    CHECK_THAT(e.key_path(), Catch::EndsWith("precision.inputs.scale"));
    CHECK(e.where().line == 3);
  }
  // And good ones load, exactly.
  const Workload w = qnnsim::test::workload_from_text(
      head + "  - {name: c, type: conv, C: 1, H: 4, W: 4, M: 2, R: 3, S: 3, inputs: {scale: 0.1, zero_point: 7},\n"
             "     weights: {granularity: per_channel, scale: [0.015625, 3e-3]}, outputs: {scale: 0.25, zero_point: 0}}\n"
             "  - {name: p, type: maxpool, C: 2, H: 2, W: 2, R: 2, S: 2, stride: 2, inputs: {scale: 0.25, zero_point: 0}}\n");
  CHECK(w.layers[0].precision.inputs.scale == std::vector<double>{0.1});
  CHECK(*w.layers[0].precision.inputs.zero_point == 7);
  CHECK(w.layers[0].precision.weights.scale == std::vector<double>{0.015625, 3e-3});
  CHECK(qnnsim::tensor_precision_yaml(w.layers[0].precision.weights) ==
        "{bits: 8, scheme: uniform_symmetric, granularity: per_channel, scale: [0.015625, 0.003]}");
}
