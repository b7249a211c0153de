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

// Applies "TENSOR=DENSITY" (e.g. "inputs=0.4") to every layer. Returns an
// error message, or an empty string when applied.
std::string apply_density_override(Workload& w, const std::string& spec);

}  // namespace qnnsim
