// MAC counts of every shipped workload, derived from their shapes, against
// published totals (../shared/REFERENCES.md, "Workload sizes").
#include <catch2/catch.hpp>

#include <map>

#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

TEST_CASE("LeNet-5 with full C3 has 416,520 MACs", "[workloads]") {
  CHECK(load_workload(shipped("workloads/lenet5.yaml")).macs_per_image() == 416520);
}

TEST_CASE("VGG-small (CIFAR-10) has 607.6M MACs", "[workloads]") {
  // REFERENCES.md gives 607.6M; the exact sum of its layers is 607,600,640.
  CHECK(load_workload(shipped("workloads/vgg_small.yaml")).macs_per_image() == 607600640);
}

TEST_CASE("the MNIST case-study CNN has 18,718 parameters and 836,784 MACs", "[workloads]") {
  const Workload w = load_workload(shipped("workloads/mnist_cnn.yaml"));
  int64_t params = 0;
  for (const auto& l : w.layers) params += l.weight_count() + (layer_uses_array(l.type) ? l.M : 0);  // + biases
  CHECK(params == 18718);  // REFERENCES.md: 3x3 kernels without padding give 18,718 parameters
  CHECK(w.macs_per_image() == 73008 + 746496 + 17280);
}

TEST_CASE("ResNet-18 for CIFAR has 0.56 G MACs", "[workloads]") {
  // conv1 1,769,472 + stage 1 150,994,944 + stages 2-4 134,217,728 each + fc 5,120.
  const Workload w = load_workload(shipped("workloads/resnet18_cifar.yaml"));
  CHECK(w.macs_per_image() == 1769472 + 150994944 + 3 * 134217728 + 5120);
  int adds = 0;
  for (const auto& l : w.layers) adds += l.type == LayerType::Add ? 1 : 0;
  CHECK(adds == 8);  // one residual add per BasicBlock
}

namespace {
int64_t macs_of(const Workload& w, std::initializer_list<LayerType> types) {
  int64_t sum = 0;
  for (const auto& l : w.layers)
    for (LayerType t : types) sum += l.type == t ? l.macs() : 0;
  return sum;
}
}  // namespace

TEST_CASE("grouped AlexNet matches the published per-layer conv MACs", "[workloads]") {
  // Eyeriss (Chen et al.): 105.4M / 223.9M / 149.5M / 112.1M / 74.8M, 665.8M conv; 58.6M fc.
  const Workload w = load_workload(shipped("workloads/alexnet.yaml"));
  const std::map<std::string, int64_t> expected = {{"conv1", 105415200}, {"conv2", 223948800}, {"conv3", 149520384},
                                                   {"conv4", 112140288}, {"conv5", 74760192}};
  for (const auto& l : w.layers)
    if (expected.count(l.name)) CHECK(l.macs() == expected.at(l.name));
  CHECK(macs_of(w, {LayerType::Conv}) == 665784864);
  CHECK(macs_of(w, {LayerType::FC}) == 58621952);
}

TEST_CASE("VGG-16 has 15.35G conv and 0.12G fc MACs", "[workloads]") {
  const Workload w = load_workload(shipped("workloads/vgg16.yaml"));
  CHECK(macs_of(w, {LayerType::Conv}) == 15346630656);
  CHECK(macs_of(w, {LayerType::FC}) == 123633664);
}

TEST_CASE("ResNet-50 v1.5 has 4.09G MACs and ResNet-18 1.81G", "[workloads]") {
  CHECK(load_workload(shipped("workloads/resnet50.yaml")).macs_per_image() == 4089184256);
  // The TPU v1's MLPs: 20 M and 5 M weights, one MAC each per input (Jouppi et al., ISCA 2017, Table 1).
  CHECK(load_workload(shipped("workloads/tpu_mlp0.yaml")).macs_per_image() == 20000000);
  CHECK(load_workload(shipped("workloads/tpu_mlp1.yaml")).macs_per_image() == 4999696);
  CHECK(load_workload(shipped("workloads/resnet18.yaml")).macs_per_image() == 1814073344);
}

TEST_CASE("MobileNet-v1 1.0 has 568.7M MACs with depthwise layers", "[workloads]") {
  const Workload w = load_workload(shipped("workloads/mobilenet_v1.yaml"));
  CHECK(w.macs_per_image() == 568740352);
  CHECK(macs_of(w, {LayerType::DWConv}) == 17385984);
}

TEST_CASE("VGG-7 with 8-4-2-1-1-1-bit convolutions has 615.9M MACs and chains its widths", "[workloads]") {
  const Workload w = load_workload(shipped("workloads/vgg7_mixed.yaml"));
  CHECK(w.macs_per_image() == 615917568);
  // The six convolutions' weight widths follow the schedule; 1 bit is binary.
  const std::vector<int> schedule = {8, 4, 2, 1, 1, 1};
  std::size_t k = 0;
  for (const Layer& l : w.layers) {
    if (l.type != LayerType::Conv) continue;
    INFO(l.name);
    CHECK(l.precision.weights.bits == schedule[k]);
    CHECK(l.precision.inputs.bits == schedule[k]);
    if (schedule[k] == 1) CHECK(l.precision.weights.scheme == Scheme::Binary);
    ++k;
  }
  CHECK(k == schedule.size());
}
