#include "dataflow/fpga_resources.h"

#include <array>

#include <fmt/format.h>

namespace qnnsim {

namespace {

const std::array<const char*, 3> kNames = {"dsp", "lut", "ff"};

// A mapping of known resource names to integers at or above `min_value`.
FpgaResources read_amounts(const ConfigNode& node, int64_t min_value, const std::string& what) {
  node.expect_map(what);
  FpgaResources r;
  for (const std::string& key : node.keys()) {
    if (!is_fpga_resource(key))
      node.fail(key, fmt::format("unknown FPGA resource '{}'; expected {}", key, fpga_resource_names()));
    // Parts have at most a few million LUTs; 2^32 only rules out a slip of the keyboard.
    r[key] = static_cast<double>(node.integer_in(key, min_value, int64_t{1} << 32));
  }
  if (r.empty()) node.fail_here(fmt::format("expected at least one of {}", fpga_resource_names()));
  return r;
}

}  // namespace

const char* fpga_resource_names() { return "dsp, lut or ff"; }

bool is_fpga_resource(const std::string& name) {
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

FpgaResources read_fpga_budget(const ConfigNode& node) {
  return read_amounts(node, 1, "the FPGA resources to fold under, e.g. {dsp: 220, lut: 53200}");
}

FpgaResources read_lane_cost(const ConfigNode& node) {
  const FpgaResources r = read_amounts(node, 0, "what one lane of this unit takes on the FPGA, e.g. {dsp: 1, lut: 32}");
  bool any = false;
  for (const auto& [k, v] : r) any = any || v > 0;
  if (!any) node.fail_here("a lane that costs nothing cannot be budgeted; give what it takes in at least one resource");
  return r;
}

std::string format_fpga_resources(const FpgaResources& r) {
  std::string s;
  for (const char* n : kNames) {
    const auto it = r.find(n);
    if (it == r.end()) continue;
    s += fmt::format("{}{} {}", s.empty() ? "" : ", ", n, static_cast<int64_t>(it->second));
  }
  return s;
}

}  // namespace qnnsim
