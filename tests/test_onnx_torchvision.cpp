// Stock torchvision classification models, exported at test time from
// Debian's python3-torch / python3-torchvision with random weights through
// plain torch.onnx.export (scripts/export_torchvision.py), import unmodified
// and give the published MAC counts.
//
// Published figures: the "GFLOPS" entry of each model's IMAGENET1K_V1 weights
// in the torchvision model documentation
// (pytorch.org/vision/stable/models/generated/torchvision.models.<name>.html),
// which counts multiply-accumulates of convolutions and linear layers, given
// to two decimals; the imported trace's MACs are compared at that precision.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/config_node.h"
#include "importer/onnx_import.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// Exports torchvision.models.<name> to dir/<name>.onnx at `opset`.
// With int8, quantized first (torch.ao.quantization, eager post-training static) to dir/<name>_int8.onnx.
std::string export_model(const std::string& name, const std::filesystem::path& dir, int opset = 13, bool int8 = false) {
  const std::string cmd = "/usr/bin/python3 " + shipped("scripts/export_torchvision.py") + " " + dir.string() + " " +
                          name + " --opset " + std::to_string(opset) + (int8 ? " --int8" : "") + " > " +
                          (dir / "export.log").string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  INFO(read_file((dir / "export.log").string()));
  REQUIRE(rc == 0);
  return (dir / (name + (int8 ? "_int8" : "") + ".onnx")).string();
}

// Imports with `qnnsim import` as a user would; returns the trace's MACs per image.
int64_t import_macs(const std::string& model, const std::filesystem::path& dir) {
  const std::string trace = (dir / "trace.yaml").string();
  const int rc = qnnsim_cli("import " + model + " -o " + trace, dir / "out", dir / "err");
  INFO(read_file((dir / "err").string()));
  REQUIRE(rc == 0);
  return load_workload(trace).macs_per_image();
}

void check_published(const std::string& name, double published_gmacs, int opset) {
  const auto dir = scratch_dir("tv_" + name + "_" + std::to_string(opset));
  const int64_t macs = import_macs(export_model(name, dir, opset), dir);
  INFO(name << " at opset " << opset << ": " << macs << " MACs");
  CHECK(std::round(static_cast<double>(macs) / 1e7) / 100 == Approx(published_gmacs));
  // And it runs, on a PE array and on an in-memory chip.
  for (const char* design : {"arch/systolic_ws.yaml", "arch/isaac.yaml"}) {
    INFO(design);
    CHECK(qnnsim_cli("run " + shipped(design) + " " + (dir / "trace.yaml").string() + " --quiet", dir / "out",
                     dir / "err") == 0);
  }
  std::filesystem::remove_all(dir);
}

// The test set exports each model at opsets 13 and 17.
void check_published(const std::string& name, double published_gmacs) {
  check_published(name, published_gmacs, 13);
  check_published(name, published_gmacs, 17);
}

}  // namespace

TEST_CASE("torchvision ResNet-18 imports as exported at opsets 13 and 17, 1.81 GMACs, and runs", "[onnx][torchvision]") {
  const auto dir = scratch_dir("tv_resnet18_run");
  const std::string model = export_model("resnet18", dir);
  // ResNet18_Weights.IMAGENET1K_V1: GFLOPS 1.81; the shipped hand-written
  // trace workloads/resnet18.yaml has 1,814,073,344.
  CHECK(import_macs(model, dir) == 1814073344);
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + (dir / "trace.yaml").string() + " --quiet",
                   dir / "out", dir / "err") == 0);
  // ISAAC makes a SystemC module per layer: names with '.' drew W506 warnings.
  CHECK(qnnsim_cli("run " + shipped("arch/isaac.yaml") + " " + (dir / "trace.yaml").string() + " --quiet",
                   dir / "out", dir / "err") == 0);
  CHECK_THAT(read_file((dir / "out").string()) + read_file((dir / "err").string()), !Catch::Contains("W506"));
  // Each layer keeps the ONNX node it came from.
  CHECK_THAT(read_file((dir / "trace.yaml").string()),
             Catch::Contains("name: layer1_layer1_0_conv1_Conv,") &&
                 Catch::Contains("onnx_node: \"/layer1/layer1.0/conv1/Conv\""));
  std::filesystem::remove_all(dir);
  check_published("resnet18", 1.81, 17);
}

TEST_CASE("torchvision ResNet-50 imports as exported at opsets 13 and 17: 4.09 GMACs",
          "[onnx][torchvision]") {
  check_published("resnet50", 4.09);  // ResNet50_Weights.IMAGENET1K_V1
}

TEST_CASE("torchvision MobileNetV2 imports as exported at opsets 13 and 17: 0.30 GMACs",
          "[onnx][torchvision]") {
  check_published("mobilenet_v2", 0.30);  // MobileNet_V2_Weights.IMAGENET1K_V1
}

TEST_CASE("torchvision SqueezeNet 1.1 imports as exported at opsets 13 and 17: 0.35 GMACs",
          "[onnx][torchvision]") {
  check_published("squeezenet1_1", 0.35);  // SqueezeNet1_1_Weights.IMAGENET1K_V1
}

TEST_CASE("torchvision GoogLeNet (ceil-mode pooling) imports as exported at opsets 13 and 17: 1.50 GMACs",
          "[onnx][torchvision]") {
  check_published("googlenet", 1.50);  // GoogLeNet_Weights.IMAGENET1K_V1
}

TEST_CASE("torchvision DenseNet-121 (Pad before pooling) imports as exported at opsets 13 and 17: 2.83 GMACs",
          "[onnx][torchvision]") {
  check_published("densenet121", 2.83);  // DenseNet121_Weights.IMAGENET1K_V1
}
TEST_CASE("torchvision EfficientNet-B0 (SiLU, squeeze-excite) imports as exported at opsets 13 and 17: 0.39 GMACs",
          "[onnx][torchvision]") {
  check_published("efficientnet_b0", 0.39);  // EfficientNet_B0_Weights.IMAGENET1K_V1
}

TEST_CASE("torchvision MobileNetV3-Large (hard-swish, squeeze-excite) imports at opsets 13 and 17: 0.22 GMACs",
          "[onnx][torchvision]") {
  check_published("mobilenet_v3_large", 0.22, 13);  // MobileNet_V3_Large_Weights.IMAGENET1K_V1
  check_published("mobilenet_v3_large", 0.22, 17);  // HardSwish is an op of its own from opset 14
}

TEST_CASE("torchvision MobileNetV2 quantized to int8 by torch.ao.quantization imports with its widths and runs",
          "[onnx][torchvision]") {
  const auto dir = scratch_dir("tv_mobilenet_v2_int8");
  const std::string model = export_model("mobilenet_v2", dir, 13, true);
  // The same MACs as the float model (MobileNet_V2_Weights.IMAGENET1K_V1: 0.30 GFLOPS).
  CHECK(import_macs(model, dir) == 300774272);
  const Workload w = load_workload((dir / "trace.yaml").string());
  for (const Layer& l : w.layers) {
    if (!layer_uses_array(l.type)) continue;
    INFO(l.name);
    CHECK(l.precision[Tensor::Weights].bits == 8);
    CHECK(l.precision[Tensor::Inputs].bits == 8);
    // int8 weights: statistics in both domains (issue 24), inside the int8 range.
    CHECK(l.weight_stats.int_range);
    CHECK(l.weight_stats.int_min >= -128);
    CHECK(l.weight_stats.int_max <= 127);
    CHECK(l.weight_stats.int_min < l.weight_stats.int_max);
    CHECK(l.weight_stats.real_range);
    CHECK(l.weight_stats.min < l.weight_stats.max);
  }
  CHECK(qnnsim_cli("run " + shipped("arch/systolic_ws.yaml") + " " + (dir / "trace.yaml").string() + " --quiet",
                   dir / "out", dir / "err") == 0);
  std::filesystem::remove_all(dir);
}

namespace {

// ViT-B/16 (ViT_B_16_Weights.IMAGENET1K_V1: 17.56 GFLOPS). Its export takes
// about a minute and 2 GB on this machine, so each opset is a test case of
// its own and ctest -j runs them side by side. The MACs must also equal the
// shipped trace's (workloads/vit_b_16.yaml, made from the opset-13 export).
void check_vit(int opset) {
  const auto dir = scratch_dir("tv_vit_b_16_" + std::to_string(opset));
  const int64_t macs = import_macs(export_model("vit_b_16", dir, opset), dir);
  CHECK(std::round(static_cast<double>(macs) / 1e7) / 100 == Approx(17.56));
  CHECK(macs == load_workload(shipped("workloads/vit_b_16.yaml")).macs_per_image());
  std::filesystem::remove_all(dir);
}

}  // namespace

TEST_CASE("torchvision ViT-B/16 imports as exported at opset 13: 17.56 GMACs", "[onnx][torchvision][transformer][slow]") {
  check_vit(13);
}

TEST_CASE("torchvision ViT-B/16 imports as exported at opset 17 (LayerNormalization): 17.56 GMACs",
          "[onnx][torchvision][transformer][slow]") {
  check_vit(17);
}
