// QDQ ONNX models: `qnnsim quantize --qdq` writes the calibrated quantization
// as QuantizeLinear / DequantizeLinear pairs, and `qnnsim import` and
// `qnnsim eval` read a QDQ model's own scales instead of calibrating. These
// read Debian's dataset-fashion-mnist (scripts/setup.sh installs it).
// tests/test_qdq_model.py checks the written models with onnx.checker and a
// numpy reference of the ONNX semantics.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "core/config_node.h"
#include "numerics/evaluate.h"
#include "numerics/qdq_plan.h"
#include "numerics/quant_plan.h"
#include "numerics/quantized_trace.h"
#include "numerics/trace_plan.h"
#include "onnx_builder.h"
#include "support.h"

using namespace qnnsim::numerics;
using qnnsim::ConfigNode;
using qnnsim::Workload;
using qnnsim::test::OnnxBuilder;
using qnnsim::test::qnnsim_cli;
using qnnsim::test::read_file;
using qnnsim::test::scratch_dir;
using qnnsim::test::shipped;

namespace {

const std::string kCnn = "workloads/models/mnist_cnn_fashion.onnx";

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Two plans are the same quantization, value for value, on every tensor a layer reads and every layer.
void check_same_plan(const QuantPlan& a, const QuantPlan& b, const Network& net) {
  for (const NetOp& op : net.ops)
    for (const int t : op.in) {
      INFO("tensor read by " << op.onnx);
      CHECK(a.bits[t] == b.bits[t]);
      CHECK(a.act[t].scale == b.act[t].scale);
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

// Every layer's tensors carry the same widths, schemes, scales and zero points in both traces.
void check_same_trace_quantization(const Workload& a, const Workload& b) {
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    INFO("layer " << a.layers[i].name);
    CHECK(a.layers[i].name == b.layers[i].name);
    for (const qnnsim::Tensor t : {qnnsim::Tensor::Weights, qnnsim::Tensor::Inputs, qnnsim::Tensor::Outputs}) {
      const qnnsim::TensorPrecision &p = a.layers[i].precision[t], &q = b.layers[i].precision[t];
      INFO(qnnsim::tensor_name(t));
      CHECK(p.bits == q.bits);
      CHECK(p.scheme == q.scheme);
      CHECK(p.granularity == q.granularity);
      CHECK(p.scale == q.scale);
      CHECK(p.zero_point == q.zero_point);
    }
  }
}

}  // namespace

TEST_CASE("quantize --qdq round-trips: the QDQ model gives the trace's quantization and scores what it scores",
          "[quantize][qdq][eval]") {
  const auto dir = scratch_dir("qdq_round_trip");
  const Network net = load_network(shipped(kCnn));
  QuantizeOptions o;
  o.model = shipped(kCnn);
  o.quant.calibration.images = 200;
  o.qdq = true;
  SECTION("8/8, per-channel weights, asymmetric activations (uint8 codes, no Clip)") {}
  SECTION("4/4 with fc at 6/8, per-tensor weights, symmetric activations, mse ranges (narrow codes, Clip)") {
    o.quant.bits = {4, 4};
    o.quant.layer_bits["fc_Gemm"] = {6, 8};
    o.quant.per_channel_weights = false;
    o.quant.symmetric_activations = true;
    o.quant.calibration.method = RangeMethod::mse;
  }
  SECTION("2/2, symmetric activations (codes -1 .. 1, the narrowest a Clip states)") {
    o.quant.bits = {2, 2};
    o.quant.symmetric_activations = true;
  }
  SECTION("3/5, per-channel weights, asymmetric activations, percentile ranges") {
    o.quant.bits = {3, 5};
    o.quant.calibration.method = RangeMethod::percentile;
  }
  const QuantizedTrace t = quantize_to_trace(o);
  const auto trace = dir / "cnn.yaml", model = dir / "cnn_qdq.onnx";
  write(trace, t.yaml);
  write(model, t.qdq_model);

  // Read back: the same widths, scales and zero points as the trace gives.
  const Network qdq = load_network(model.string());
  REQUIRE(qdq.qdq());
  REQUIRE(qdq.ops.size() == net.ops.size());
  for (std::size_t i = 0; i < net.ops.size(); ++i) CHECK(qdq.ops[i].name == net.ops[i].name);
  const QdqPlan read = qdq_plan(qdq, model.string());
  const Workload w = qnnsim::load_workload(ConfigNode::load_string(t.yaml, "cnn.yaml"));
  check_same_plan(trace_plan(net, w).plan, read.trace.plan, net);
  for (std::size_t i = 0; i < net.ops.size(); ++i)
    if (net.ops[i].kind == OpKind::conv) CHECK(read.per_channel[i] == o.quant.per_channel_weights);

  // Scored: the QDQ model through its own nodes, and the float model through the trace.
  EvalOptions traced;
  traced.model = shipped(kCnn);
  traced.limit = 400;
  traced.trace = trace.string();
  EvalOptions own = traced;
  own.model = model.string();
  own.trace.clear();
  const EvalResult a = evaluate(traced), b = evaluate(own);
  CHECK(b.qdq_model);
  CHECK(b.calibration_images == 0);
  CHECK(a.quant_correct == b.quant_correct);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t k = 0; k < a.layers.size(); ++k) {
    CHECK(a.layers[k].bits.weights == b.layers[k].bits.weights);
    CHECK(a.layers[k].bits.activations == b.layers[k].bits.activations);
    CHECK(a.layers[k].overflowed == b.layers[k].overflowed);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("qnnsim quantize --qdq then import and eval of the QDQ model on the command line", "[quantize][qdq][cli]") {
  const auto dir = scratch_dir("qdq_cli");
  const auto out = dir / "out.txt", err = dir / "err.txt", trace = dir / "cnn_q4.yaml", model = dir / "cnn_q4.onnx",
             imported = dir / "imported.yaml", json = dir / "eval.json";
  REQUIRE(qnnsim_cli("quantize mnist_cnn_fashion --calibration-images 200 --bits 4/4 -o " + trace.string() +
                         " --qdq " + model.string(),
                     out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("wrote the QDQ model"));
  REQUIRE(qnnsim_cli("import " + model.string() + " -o " + imported.string(), out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("scales and zero points from the model's QuantizeLinear"));
  check_same_trace_quantization(qnnsim::load_workload(ConfigNode::load_file(trace.string())),
                                qnnsim::load_workload(ConfigNode::load_file(imported.string())));
  REQUIRE(qnnsim_cli("eval " + model.string() + " --limit 100 --json " + json.string(), out, err) == 0);
  CHECK_THAT(read_file(out.string()), Catch::Contains("from the model's QuantizeLinear / DequantizeLinear nodes"));
  CHECK_THAT(read_file(json.string()), Catch::Contains("\"calibration\": \"qdq_model\""));

  const auto fails = [&](const std::string& args, const std::string& says) {
    INFO(args);
    CHECK(qnnsim_cli(args, out, err) == 2);
    CHECK_THAT(read_file(err.string()), Catch::Contains(says));
  };
  fails("eval " + model.string() + " --limit 10 --bits 8/8", "--bits: ");
  fails("eval " + model.string() + " --limit 10 --calibrate mse", "is a QDQ model");
  const auto wide = dir / "wide.onnx";
  fails("quantize mnist_cnn_fashion --calibration-images 50 --bits 12/8 -o " + trace.string() + " --qdq " +
            wide.string(),
        "12-bit weights");
  CHECK_FALSE(std::filesystem::exists(wide));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the shipped QDQ model (scripts/dnn2fpga.py) evaluates by its own scales as its imported trace says",
          "[qdq][eval]") {
  const auto dir = scratch_dir("qdq_shipped");
  const std::string model = shipped("workloads/models/dnn2fpga_qdq.onnx");
  const auto out = dir / "out.txt", err = dir / "err.txt", trace = dir / "dnn2fpga_qdq.yaml";
  REQUIRE(qnnsim_cli("import " + model + " -o " + trace.string(), out, err) == 0);
  const Workload w = qnnsim::load_workload(ConfigNode::load_file(trace.string()));
  REQUIRE(w.layers.size() >= 3);
  CHECK(w.layers[0].precision.inputs.scale.size() == 1);
  CHECK(w.layers[0].precision.weights.scale.size() > 1);  // a scale per output channel
  EvalOptions own;
  own.model = model;
  own.limit = 600;
  EvalOptions traced = own;
  traced.trace = trace.string();
  const EvalResult a = evaluate(own), b = evaluate(traced);
  CHECK(a.qdq_model);
  CHECK(a.quant_correct == b.quant_correct);
  // PyTorch's fake quantization and qnnsim's integer path: the same classes for nearly every image.
  CHECK(a.agree >= a.images * 97 / 100);
  std::filesystem::remove_all(dir);
}

namespace {

enum class Fault { none, zero_scale, nan_scale, zero_point_out_of_range, channel_count, mismatched_pair, cast_codes, cast_to_other_type };

// A small QDQ network on 28x28 images: the image through Q/DQ, a 2-filter
// conv with int8 weights per channel, Relu, Q/DQ, Flatten, an fc of 10.
void build_qdq(const std::filesystem::path& path, Fault f) {
  OnnxBuilder b("qdq_small", "image", {1, 1, 28, 28});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  b.weights("s_in", {}, {f == Fault::zero_scale ? 0.0f : 1.0f / 255});
  b.weights("s_in_other", {}, {2.0f / 255});
  b.integers("z_in", onnx::TensorProto::UINT8, {}, {0});
  b.node("QuantizeLinear", {"image", "s_in", "z_in"}, "image_q", "image_quantize");
  b.node("DequantizeLinear", {"image_q", f == Fault::mismatched_pair ? "s_in_other" : "s_in", "z_in"}, "image_dq",
         "image_dequantize");
  b.integers("w1", onnx::TensorProto::INT8, {2, 1, 3, 3}, {3, -5, 7, 1});
  b.weights("s_w1", {f == Fault::channel_count ? 3 : 2}, {f == Fault::nan_scale ? nan : 0.01f, 0.02f});
  b.integers("z_w1", onnx::TensorProto::INT8, {f == Fault::channel_count ? 3 : 2},
             {f == Fault::zero_point_out_of_range ? 300 : 0});
  auto& dq = b.node("DequantizeLinear", {"w1", "s_w1", "z_w1"}, "w1_dq", "conv1_weights");
  OnnxBuilder::integer(dq, "axis", 0);
  b.node("Conv", {"image_dq", "w1_dq"}, "c1", "conv1");
  b.node("Relu", {"c1"}, "r1", "relu1");
  b.weights("s_r1", {}, {0.05f});
  b.integers("z_r1", onnx::TensorProto::UINT8, {}, {0});
  b.node("QuantizeLinear", {"r1", "s_r1", "z_r1"}, "r1_q", "r1_quantize");
  std::string codes = "r1_q";
  if (f == Fault::cast_codes || f == Fault::cast_to_other_type) {
    // PyTorch's export casts the codes to their own type (uint8) between the pair.
    auto& cast = b.node("Cast", {"r1_q"}, "r1_cast", "r1_cast");
    OnnxBuilder::integer(cast, "to", f == Fault::cast_codes ? onnx::TensorProto::UINT8 : onnx::TensorProto::INT8);
    codes = "r1_cast";
  }
  b.node("DequantizeLinear", {codes, "s_r1", "z_r1"}, "r1_dq", "r1_dequantize");
  b.node("Flatten", {"r1_dq"}, "f", "flatten");
  b.integers("wfc", onnx::TensorProto::INT8, {10, 2 * 26 * 26}, {1, -1, 2});
  b.weights("s_fc", {}, {0.01f});
  b.integers("z_fc", onnx::TensorProto::INT8, {}, {0});
  b.node("DequantizeLinear", {"wfc", "s_fc", "z_fc"}, "wfc_dq", "fc_weights");
  auto& fc = b.node("Gemm", {"f", "wfc_dq"}, "logits", "fc");
  OnnxBuilder::integer(fc, "transB", 1);
  b.output("logits");
  b.save(path.string());
}

}  // namespace

TEST_CASE("a malformed QDQ model exits 2 naming the node in import and in eval", "[qdq][cli]") {
  const auto dir = scratch_dir("qdq_malformed");
  const auto out = dir / "out.txt", err = dir / "err.txt", model = dir / "m.onnx", trace = dir / "t.yaml";
  build_qdq(model, Fault::none);
  REQUIRE(qnnsim_cli("eval " + model.string() + " --limit 20", out, err) == 0);  // the well-formed one runs
  REQUIRE(qnnsim_cli("import " + model.string() + " -o " + trace.string(), out, err) == 0);
  // float 0.01 and 0.02 as ONNX holds them, written back exactly.
  CHECK_THAT(read_file(trace.string()), Catch::Contains("granularity: per_channel, scale: [0.009999999776482582, 0.019999999552965164]"));

  const auto fails = [&](Fault f, const std::string& node, const std::string& says, bool import_too = true) {
    build_qdq(model, f);
    for (const std::string& cmd : {std::string("eval ") + model.string() + " --limit 20",
                                   std::string("import ") + model.string() + " -o " + trace.string()}) {
      if (!import_too && cmd.rfind("import", 0) == 0) continue;
      INFO(cmd << ": " << says);
      CHECK(qnnsim_cli(cmd, out, err) == 2);
      const std::string e = read_file(err.string());
      CHECK_THAT(e, Catch::Contains(node) && Catch::Contains(says) && Catch::Contains(model.filename().string()));
    }
  };
  fails(Fault::zero_scale, "QuantizeLinear node 'image_quantize'", "scale 0 must be finite and greater than 0");
  fails(Fault::nan_scale, "DequantizeLinear node 'conv1_weights'", "must be finite and greater than 0");
  fails(Fault::zero_point_out_of_range, "DequantizeLinear node 'conv1_weights'", "zero point 300 lies outside -128 .. 127");
  fails(Fault::channel_count, "DequantizeLinear node 'conv1_weights'", "3 scales for a tensor whose dimension 0");
  fails(Fault::cast_to_other_type, "Cast node 'r1_cast'", "only a cast to their own type is read", false);
  // The import reads widths, not whether a pair agrees: eval refuses it, and
  // the import then writes widths without scales (a note says why).
  fails(Fault::mismatched_pair, "DequantizeLinear node 'image_dequantize'", "differ from those of", false);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a Cast of the codes to their own type between the pair (PyTorch's export) evaluates as without it",
          "[qdq][eval]") {
  const auto dir = scratch_dir("qdq_cast");
  const auto plain = dir / "plain.onnx", cast = dir / "cast.onnx";
  build_qdq(plain, Fault::none);
  build_qdq(cast, Fault::cast_codes);
  EvalOptions a;
  a.model = plain.string();
  a.limit = 200;
  EvalOptions b = a;
  b.model = cast.string();
  const EvalResult ra = evaluate(a), rb = evaluate(b);
  CHECK(rb.qdq_model);
  CHECK(ra.quant_correct == rb.quant_correct);
  CHECK(ra.agree == rb.agree);
  std::filesystem::remove_all(dir);
}
