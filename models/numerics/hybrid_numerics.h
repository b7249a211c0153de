#pragma once
// `qnnsim eval --arch` on a hybrid design (`kind: hybrid`): each Conv / Gemm
// runs on the part `qnnsim run` places it on (hybrid/hybrid_placement.h), by
// its type and the widths eval runs it at. A part that computes in crossbars
// runs it through its crossbar numerics (crossbar_design.h); a digital part
// through its MAC classes (digital_mac.h). One crossbar part at most: the
// quantized network holds one crossbar design.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hybrid/hybrid_spec.h"
#include "numerics/crossbar_numerics.h"
#include "numerics/digital_mac.h"
#include "numerics/network.h"
#include "workload/precision.h"

namespace qnnsim::numerics {

struct HybridNumerics {
  std::shared_ptr<const HybridSpec> spec;  // the parts, loaded, and the placement
  std::optional<CrossbarDesign> crossbar;  // the crossbar part's numerics, if it has one
  std::size_t crossbar_part = 0;
  std::map<std::size_t, DigitalMac> digital;  // by part index: each digital part's MAC classes

  const std::string& part_name(std::size_t part) const { return spec->parts[part].name; }
};

// The numerics of `root`'s parts; `where` names the design in errors
// (EvalError). adc_bits > 0 replaces the crossbar part's ADC resolution.
HybridNumerics hybrid_numerics_of(const ConfigNode& root, int adc_bits, const std::string& where);

// The layer `qnnsim run` would place for a Conv / Gemm op: its type (a Gemm
// or MatMul is an fc layer, as `qnnsim import` names it), shape and
// precision.
Layer placed_layer(const NetOp& op, const LayerPrecision& precision);

}  // namespace qnnsim::numerics
