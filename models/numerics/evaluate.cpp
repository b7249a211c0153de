#include "numerics/evaluate.h"

#include <chrono>
#include <ctime>

#include "numerics/eval_error.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"

namespace qnnsim::numerics {

namespace {

// Wall-clock and processor seconds of one phase.
struct Stopwatch {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();

  void stop(double* wall_s, double* cpu_s) const {
    *wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
    *cpu_s = double(std::clock() - cpu) / CLOCKS_PER_SEC;
  }
};

void check_options(const QuantOptions& q) {
  const auto check = [](const std::string& what, const LayerBits& b) {
    if (b.weights < 2 || b.weights > 16)
      throw EvalError(what + ": weight bits " + std::to_string(b.weights) + ", expected 2 to 16 (symmetric codes need 2)");
    if (b.activations < 2 || b.activations > 16)
      throw EvalError(what + ": activation bits " + std::to_string(b.activations) + ", expected 2 to 16");
  };
  check("--bits", q.bits);
  for (const auto& [name, b] : q.layer_bits) check("--bits " + name, b);
  if (q.accumulator.bits < 8 || q.accumulator.bits > 64)
    throw EvalError("--accumulator " + std::to_string(q.accumulator.bits) + ": expected 8 to 64 bits");
  if (q.calibration.images < 1) throw EvalError("--calibration-images: expected at least 1");
  if (!(q.calibration.percentile > 50 && q.calibration.percentile <= 100))
    throw EvalError("--percentile " + std::to_string(q.calibration.percentile) + ": expected more than 50, at most 100");
}

}  // namespace

EvalResult evaluate(const EvalOptions& o) {
  check_options(o.quant);
  if (o.limit < 0) throw EvalError("--limit: expected 0 (all) or a positive number of images");
  const Network net = load_network(o.model);
  const Dataset test = load_dataset(o.data, Split::test, o.limit);
  const TensorShape& in = net.shapes[net.input];
  if (in.C != 1 || in.H != test.rows || in.W != test.cols)
    throw EvalError(o.model + ": the network takes " + std::to_string(in.C) + "x" + std::to_string(in.H) + "x" +
                    std::to_string(in.W) + " inputs, the data set '" + o.data + "' has 1x" + std::to_string(test.rows) +
                    "x" + std::to_string(test.cols) + " images");
  if (net.shapes[net.output].size() != 10)
    throw EvalError(o.model + ": the network has " + std::to_string(net.shapes[net.output].size()) +
                    " outputs, the data set has 10 classes");

  EvalResult r;
  r.network = net.name;
  r.data = o.data;
  r.data_folder = test.folder;
  r.images = test.count;

  Stopwatch watch;
  const Dataset train = load_dataset(o.data, Split::train, o.quant.calibration.images);
  const QuantizedNetwork qnet(net, o.quant, train);
  r.calibration_images = train.count;
  watch.stop(&r.calibration_s, &r.calibration_cpu_s);

  std::vector<int> float_choice(test.count);
  watch = Stopwatch();
  for (int64_t i = 0; i < test.count; ++i) {
    float_choice[i] = argmax(run_float(net, image_values(test, i))[net.output]);
    r.float_correct += float_choice[i] == test.labels[i];
  }
  watch.stop(&r.float_s, &r.float_cpu_s);

  OverflowCounts counts;
  watch = Stopwatch();
  for (int64_t i = 0; i < test.count; ++i) {
    const int choice = argmax(qnet.run(image_values(test, i), &counts));
    r.quant_correct += choice == test.labels[i];
    r.agree += choice == float_choice[i];
  }
  watch.stop(&r.quant_s, &r.quant_cpu_s);

  for (std::size_t k = 0; k < qnet.layers().size(); ++k) {
    const QuantLayer& l = qnet.layers()[k];
    const NetOp& op = net.ops[l.op];
    LayerResult lr;
    lr.name = op.name;
    lr.onnx = op.onnx;
    lr.bits = l.bits;
    lr.macs = int64_t(op.conv.M) * op.conv.K() * op.conv.P();
    lr.outputs = k < counts.outputs.size() ? counts.outputs[k] : 0;
    lr.overflowed = k < counts.overflowed.size() ? counts.overflowed[k] : 0;
    r.layers.push_back(lr);
  }
  return r;
}

}  // namespace qnnsim::numerics
