#include "numerics/hybrid_numerics.h"

#include <fmt/format.h>

#include "numerics/crossbar_design.h"
#include "numerics/eval_error.h"

namespace qnnsim::numerics {

HybridNumerics hybrid_numerics_of(const ConfigNode& root, int adc_bits, const std::string& where) {
  HybridNumerics h;
  h.spec = std::make_shared<const HybridSpec>(load_hybrid_spec(root));
  // eval places each Conv / Gemm by the rules alone, one layer at a time; a
  // searched placement comes from whole runs of a trace on an objective.
  if (h.spec->search)
    throw EvalError(fmt::format("{}: its placement is searched (placement.search at {}:{}), which only `qnnsim run` "
                                "does, on a trace and an objective; give eval the parts the run chose, under "
                                "placement.layers (the run's JSON has each layer's placement)",
                                where, h.spec->file, h.spec->search_where.line));
  int crossbar_parts = 0;
  for (std::size_t i = 0; i < h.spec->parts.size(); ++i) {
    const HybridPartSpec& part = h.spec->parts[i];
    const std::string part_where = where + ", part '" + part.name + "'";
    if (part.family->computes_in_crossbars()) {
      if (++crossbar_parts > 1)
        throw EvalError(where + ": more than one part computes in crossbars; eval runs one crossbar design's numerics "
                                "beside digital parts");
      h.crossbar = crossbar_design_of(*part.root, adc_bits, part_where);
      h.crossbar_part = i;
    } else if (std::optional<DigitalMac> d = listed_digital_mac(*part.root, part_where)) {
      h.digital.emplace(i, std::move(*d));
    }
  }
  if (adc_bits != 0 && !h.crossbar)
    throw EvalError("--adc-bits: " + where + " has no part that computes in crossbars");
  return h;
}

Layer placed_layer(const NetOp& op, const LayerPrecision& precision) {
  const ConvShape& c = op.conv;
  Layer l;
  l.name = op.name;
  l.type = op.onnx.rfind("Conv", 0) == 0 ? LayerType::Conv : LayerType::FC;
  l.C = c.C, l.H = c.H, l.W = c.W, l.M = c.M, l.R = c.R, l.S = c.S;
  l.stride = c.stride_h;
  l.padding = c.pad_top;
  l.P = c.out_h(), l.Q = c.out_w();
  l.precision = precision;
  return l;
}

}  // namespace qnnsim::numerics
