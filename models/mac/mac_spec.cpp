#include "mac/mac_spec.h"

#include <cstdio>

namespace qnnsim {

std::string mac_action_name(int weight_bits, int input_bits) {
  return "mac_" + std::to_string(weight_bits) + "x" + std::to_string(input_bits);
}

bool parse_mac_action_name(const std::string& name, int* weight_bits, int* input_bits) {
  char tail = 0;
  return std::sscanf(name.c_str(), "mac_%dx%d%c", weight_bits, input_bits, &tail) == 2;
}

std::string accumulator_problem(const char* cls, int accumulator_bits, const LayerPrecision& p) {
  if (p.accumulator.bits <= accumulator_bits) return "";
  return std::string(cls) + " accumulates " + std::to_string(accumulator_bits) + " bits; the layer needs " +
         std::to_string(p.accumulator.bits);
}

AccumulatorOverflow read_accumulator_overflow(const ConfigNode& node) {
  const std::string o = node.text("overflow", "wrap");
  if (o == "wrap") return AccumulatorOverflow::Wrap;
  if (o == "saturate") return AccumulatorOverflow::Saturate;
  node.fail("overflow", "expected wrap (a plain adder keeps the low bits) or saturate, found '" + o + "'");
  return AccumulatorOverflow::Wrap;
}

std::unique_ptr<MacSpec> make_mac(const ConfigNode& node, const BuildContext& ctx) {
  node.expect_map("a MAC unit {class, ...}");
  const std::string cls = node.text("class");
  auto mac = MacSpec::Registry::instance().create(cls, node, ctx);
  if (!mac) node.fail("class", "unknown MAC class '" + cls + "'; registered: " + MacSpec::Registry::instance().known_names());
  mac->class_name_ = cls;
  return mac;
}

}  // namespace qnnsim
