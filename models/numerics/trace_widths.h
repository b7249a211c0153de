#pragma once
// A workload trace's widths and schemes as quantization options: a sweep
// point is priced at its trace's widths (a mixed-precision trace, a swept
// `layers[*].weights.bits`), and its accuracy is then measured at the same
// ones. Unlike trace_plan.h (`eval --trace`), no scale is read: the trace the
// cost model prices need not carry any, and the sweep calibrates its own.
//
// The trace's Conv / FC layers are matched to the model's Conv / Gemm /
// MatMul nodes by the names `qnnsim import` gives them (conv1_Conv,
// fc3_Gemm), and must have the node's shape.
#include <string>
#include <vector>

#include "numerics/network.h"
#include "numerics/quant_network.h"
#include "workload/workload.h"

namespace qnnsim::numerics {

struct TraceMatch {
  // Per Conv / Gemm op of the network, in order: the trace's layer of its
  // name, or null.
  std::vector<const Layer*> layers;
  std::vector<std::string> missing;  // the ops no layer names
  bool none() const { return missing.size() == layers.size(); }
  bool all() const { return missing.empty(); }
};

// Throws ConfigError at the trace's layer when one of the model's names is a
// layer of another type or shape.
TraceMatch match_trace_layers(const Network& net, const Workload& trace);

// Writes each matched layer's weight and input widths, its weight scheme,
// the activation scheme and the accumulator's width into `q`. Throws
// ConfigError at the trace's layer and key where eval cannot run what the
// trace says: layers that disagree on the activation scheme or the
// accumulator, a weight scheme at a width it does not take.
void apply_trace_widths(const Network& net, const Workload& trace, const TraceMatch& m, QuantOptions& q);

}  // namespace qnnsim::numerics
