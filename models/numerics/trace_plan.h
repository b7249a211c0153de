#pragma once
// The quantization a workload trace carries (`qnnsim quantize` writes it):
// each Conv / Gemm layer's widths and weight scales, and the scale and zero
// point of every activation tensor, matched to the network's ops by the
// layer names `qnnsim import` gives. `qnnsim eval --trace` runs the
// quantized path with these instead of calibrating again.
#include <map>
#include <string>

#include "numerics/network.h"
#include "numerics/quant_plan.h"
#include "workload/workload.h"

namespace qnnsim::numerics {

struct TracePlan {
  QuantPlan plan;
  int accumulator_bits = 32;        // the first Conv / Gemm layer's
  std::map<std::string, int> layer_accumulator_bits;  // every Conv / Gemm layer's, by name
  bool symmetric_activations = false;  // the image's scheme, for the report
  bool per_channel_weights = true;     // the first layer's granularity, for the report
};

// A ConfigError naming the trace's file, line and key where a layer lacks a
// scale, has a scheme the quantized path does not run, or disagrees with the
// network; an EvalError where the trace has no layer for one of the network's.
TracePlan trace_plan(const Network& net, const Workload& trace);

}  // namespace qnnsim::numerics
