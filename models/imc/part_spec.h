#pragma once
// A peripheral block of an in-memory chip given by its published figures:
// how many there are, and the power and area of one. The chip model decides
// what one action of the block is (see imc_costs.h); the block's busy power
// spread over its actions gives their energy.
#include <cstdint>
#include <map>
#include <string>

#include "core/config_node.h"

namespace qnnsim {

struct PartSpec {
  int64_t count = 1;
  double power_w = 0;  // one instance, busy
  double area_m2 = 0;  // one instance

  double total_power_w() const { return static_cast<double>(count) * power_w; }
  double total_area_m2() const { return static_cast<double>(count) * area_m2; }

  static PartSpec parse(const ConfigNode& node) {
    node.expect_map("a part {count, power, area}");
    PartSpec p;
    p.count = node.integer_in("count", 1, 1 << 20, 1);
    p.power_w = node.positive_quantity("power", Dimension::Power);
    p.area_m2 = node.positive_quantity("area", Dimension::Area);
    node.reject_unknown_keys();
    return p;
  }
};

// Named parts under `key` (e.g. {shift_add: {...}, output_register: {...}}); empty when absent.
inline std::map<std::string, PartSpec> parse_parts(const ConfigNode& parent, const std::string& key) {
  std::map<std::string, PartSpec> parts;
  const auto node = parent.optional_child(key);
  if (!node) return parts;
  node->expect_map("named parts, each {count, power, area}");
  for (const auto& name : node->keys()) parts[name] = PartSpec::parse(node->child(name));
  return parts;
}

}  // namespace qnnsim
