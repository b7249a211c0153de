// MAC counts of every shipped workload, derived from their shapes, against
// published totals (../shared/REFERENCES.md, "Workload sizes").
#include <catch2/catch.hpp>

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
