#pragma once
// A quantized workload trace: the network's layers in execution order, the
// batch, and the network input shape. Loaded and validated from YAML.
#include <cstdint>
#include <string>
#include <vector>

#include "workload/layer.h"

namespace qnnsim {

// Largest batch a trace or --batch may ask for.
constexpr int64_t kMaxBatch = 1 << 16;

struct Workload {
  std::string name;
  std::string file;
  int64_t batch = 1;
  Shape input;
  std::vector<Layer> layers;

  int64_t macs_per_image() const;
};

// Parses and validates a workload file: types, shapes, that every layer's input
// shape equals what its producers output, and per-tensor precision.
Workload load_workload(const std::string& path);
Workload load_workload(const ConfigNode& root);

// Designs that keep every weight resident (in-memory crossbars, dataflow
// engines) run conv, fc, dwconv, pooling and add layers only: a matmul's
// second operand changes with every image and they have no units for
// softmax, layer norm or GELU. Throws a ConfigError naming the first other
// layer, its type and the design (`design` says which kind it is).
void require_resident_weight_layers(const Workload& w, const std::string& design);

// Names of the layers (or "input") that feed layer i.
std::vector<std::string> producers_of(const Workload& w, std::size_t i);

// A tensor has one density: a layer reads its inputs at the density its
// producers wrote them (the mean, for an add). Sets every layer's input
// density from its producers; layers fed by the network input keep theirs.
void derive_input_densities(Workload& w);

// Applies "outputs=D" (every layer's outputs) or "inputs=D" (the network
// input), then derives input densities again. Returns an error message, or an
// empty string when applied.
std::string apply_density_override(Workload& w, const std::string& spec);

// Applies "TENSOR=B" (that tensor in every layer) or "LAYER.TENSOR=B" (in one
// layer), TENSOR one of weights, inputs, outputs, accumulator. Returns an
// error message, or an empty string when applied.
std::string apply_bits_override(Workload& w, const std::string& spec);

// After overrides: every layer must still read its inputs at the width its
// producers write them (data is stored at the width it was written). An
// error message naming the layer, or an empty string.
std::string check_width_chain(const Workload& w);

// The command line's --bits overrides (then the width check) and --density
// overrides, in that order; the first problem's message, or an empty string.
std::string apply_run_overrides(Workload& w, const std::vector<std::string>& bits,
                                const std::vector<std::string>& densities);

}  // namespace qnnsim
