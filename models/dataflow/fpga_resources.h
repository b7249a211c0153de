#pragma once
// FPGA resources a dataflow design's folding may be budgeted in, and what one
// MAC lane costs in them.
//
// A lane budget counts every lane as one, whatever it computes. On an FPGA a
// lane is built from the part's DSP slices and LUTs, and an fp32
// multiply-add takes several slices and hundreds of LUTs where an 8-bit one
// takes one slice (or a few dozen LUTs). So a design may give
// `folding.budget: {dsp: N, lut: M}`, the part's resources, and each MAC unit
// under `macs` its `lane_cost` in the same units; the balancer then allocates
// lanes so that no resource is overdrawn, and the scarcest one binds.
//
// Only the MAC lanes are charged: the line buffers, FIFOs, pools, control
// and the stream port also take LUTs and flip-flops that the model does not
// count, so the lanes a budget affords are an upper bound.
#include <cstdint>
#include <map>
#include <string>

#include "core/config_node.h"

namespace qnnsim {

// Amounts by resource name; a name absent is no amount.
using FpgaResources = std::map<std::string, double>;

// The resources a budget or a lane cost may name: DSP slices (a 7-series
// DSP48E1), 6-input LUTs and flip-flops. Block RAM is the design's
// `weight_memory`, which lanes do not draw on.
const char* fpga_resource_names();  // "dsp, lut or ff", for messages
bool is_fpga_resource(const std::string& name);

// A budget: a mapping of resource names to whole positive amounts. An unknown
// name or a value that is not a positive integer is a ConfigError naming the
// file, line and key.
FpgaResources read_fpga_budget(const ConfigNode& node);
// A lane's cost: whole amounts, zero allowed, at least one positive.
FpgaResources read_lane_cost(const ConfigNode& node);

// "dsp 220, lut 53200": amounts in a fixed order, for messages and tables.
std::string format_fpga_resources(const FpgaResources& r);

}  // namespace qnnsim
