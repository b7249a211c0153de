// Floating-point MAC: multiplies in the operands' format and accumulates in
// fp16 or fp32. Formats: fp32 (1-8-23), fp16 (1-5-10), fp8_e4m3 (1-4-3) and
// fp8_e5m2 (1-5-2). In a trace, `float` at 32 bits is fp32, at 16 bits fp16,
// at 8 bits fp8_e4m3, and `float_e5m2` is fp8_e5m2. fp32 operands are what a
// float model runs at before it is quantized (the float side of a
// quantization study, such as the DNN2FPGA designs).
//
// Energy: Horowitz (ISSCC 2014) gives fp16 and fp32 multiplies and adds. The
// energy table holds them as curves over the significand (mantissa plus the
// hidden bit): a multiply by the product of the two significand widths
// (fp16 11 x 11 = 121, fp32 24 x 24 = 576), an add by the width (11, 24). An
// FP8 multiply is read off that curve at 4 x 4 (e4m3) or 3 x 3 (e5m2): log-log
// extrapolation, since a multiplier's cost follows its significand array
// (derived, not a published FP8 figure). The accumulate is an add in the
// accumulator's format.
//
//   mac: {class: FloatMAC, formats: [fp32, fp16, fp8_e4m3, fp8_e5m2], accumulator: fp32}
#include <algorithm>
#include <map>

#include "mac/mac_spec.h"

namespace qnnsim {

namespace {

struct Format {
  int bits, significand;
};
const std::map<std::string, Format> kFormats = {
    {"fp16", {16, 11}}, {"fp8_e4m3", {8, 4}}, {"fp8_e5m2", {8, 3}}, {"fp32", {32, 24}}};

// The format a tensor of the trace is in, or "" when it is not a float.
std::string format_of(const TensorPrecision& t) {
  if (t.scheme == Scheme::FloatE5M2) return "fp8_e5m2";
  if (t.scheme != Scheme::Float) return "";
  if (t.bits == 32) return "fp32";
  return t.bits == 16 ? "fp16" : "fp8_e4m3";
}

class FloatMac : public MacSpec {
 public:
  FloatMac(const ConfigNode& node, const BuildContext& ctx) {
    for (const std::string& f : node.text_list("formats")) {
      if (!kFormats.count(f))
        node.fail("formats", "unknown operand format '" + f + "'; expected fp32, fp16, fp8_e4m3 or fp8_e5m2");
      formats_.push_back(f);
    }
    if (formats_.empty()) node.fail("formats", "expected at least one operand format");
    accumulator_ = node.text("accumulator");
    if (accumulator_ != "fp16" && accumulator_ != "fp32")
      node.fail("accumulator", "expected fp16 or fp32, found '" + accumulator_ + "'");
    const EnergyTable& t = ctx.table;
    const int acc_sig = kFormats.at(accumulator_).significand;
    const double add_pj = t.energy_curve_pj("fp_add", acc_sig, node);
    int widest = 0;
    for (const std::string& f : formats_) {
      const int s = kFormats.at(f).significand;
      energy_pj_[action_name(f)] = t.energy_curve_pj("fp_mult", s * s, node) + add_pj;
      if (s > widest) widest = s;
      max_bits_ = std::max(max_bits_, kFormats.at(f).bits);
    }
    area_um2_ = t.area_curve_um2("fp_mult", widest * widest, node) + t.area_curve_um2("fp_add", acc_sig, node);
    node.reject_unknown_keys();
  }

  std::string precision_problem(const LayerPrecision& p) const override {
    const std::string w = format_of(p.weights), i = format_of(p.inputs);
    if (w.empty() || i.empty())
      return std::string("FloatMAC executes floating-point weights and inputs; the layer has ") +
             scheme_name(p.weights.scheme) + " weights and " + scheme_name(p.inputs.scheme) + " inputs";
    if (w != i) return "FloatMAC multiplies operands of one format; the layer mixes " + w + " and " + i;
    if (!energy_pj_.count(action_name(w))) return "this FloatMAC does not execute " + w;
    return "";
  }
  MacRate rate(const LayerPrecision&) const override { return {}; }
  ActionDesc action(const LayerPrecision& p) const override { return {"mac", action_name(format_of(p.weights)), 0}; }
  double energy_pj(const ActionDesc& a) const override {
    const auto it = energy_pj_.find(a.action);
    return it == energy_pj_.end() ? 0.0 : it->second;
  }
  double area_um2() const override { return area_um2_; }
  int weight_bits() const override { return max_bits_; }
  int input_bits() const override { return max_bits_; }
  int accumulator_bits() const override { return kFormats.at(accumulator_).bits; }
  bool floating_point() const override { return true; }

 private:
  std::string action_name(const std::string& format) const { return "mac_" + format + "_" + accumulator_; }

  std::vector<std::string> formats_;
  std::string accumulator_ = "fp32";
  std::map<std::string, double> energy_pj_;  // by action name
  int max_bits_ = 0;
  double area_um2_ = 0;
};

QNNSIM_REGISTER(MacSpec::Registry, "FloatMAC", [](const ConfigNode& n, const BuildContext& c) {
  return std::unique_ptr<MacSpec>(new FloatMac(n, c));
});

}  // namespace
}  // namespace qnnsim
