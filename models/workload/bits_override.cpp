// `--bits` overrides: the bit width of one tensor class in every layer, or in
// one named layer, over what the trace says. Precision sweeps drive this.
#include <map>
#include <string>

#include "core/quantity.h"
#include "workload/workload.h"

namespace qnnsim {

namespace {

// The width a scheme fixes, or 0 when any width from 1 up is valid.
int fixed_width(Scheme s) {
  if (s == Scheme::Binary) return 1;
  if (s == Scheme::Ternary) return 2;
  if (s == Scheme::FloatE5M2) return 8;
  return 0;
}

}  // namespace

std::string apply_bits_override(Workload& w, const std::string& spec) {
  const std::string usage = "--bits '" + spec +
                            "': expected TENSOR=B or LAYER.TENSOR=B, TENSOR one of weights, inputs, outputs, accumulator";
  const auto eq = spec.find('=');
  if (eq == std::string::npos) return usage;
  const std::string target = spec.substr(0, eq);
  const auto dot = target.rfind('.');
  const std::string layer = dot == std::string::npos ? "" : target.substr(0, dot);
  Tensor t{};
  if (!parse_tensor_name(dot == std::string::npos ? target : target.substr(dot + 1), &t)) return usage;
  const auto b = parse_number(spec.substr(eq + 1));
  const int most = t == Tensor::Accumulator ? 64 : 16;
  if (!b || *b != static_cast<double>(static_cast<int>(*b)) || *b < 1 || *b > most)
    return "--bits '" + spec + "': " + tensor_name(t) + " take a whole number of bits from 1 to " + std::to_string(most);
  const int bits = static_cast<int>(*b);
  bool found = false;
  for (Layer& l : w.layers) {
    if (!layer.empty() && l.name != layer) continue;
    found = true;
    TensorPrecision& p = l.precision[t];
    if (p.scheme == Scheme::Float && bits != 8 && bits != 16)
      return "--bits '" + spec + "': layer '" + l.name + "' has float " + tensor_name(t) + ", which take 8 or 16 bits";
    if (fixed_width(p.scheme) != 0 && fixed_width(p.scheme) != bits)
      return "--bits '" + spec + "': layer '" + l.name + "' has " + scheme_name(p.scheme) + " " + tensor_name(t) +
             ", which take exactly " + std::to_string(fixed_width(p.scheme)) + " bit(s)";
    if (p.bits != bits) {  // a calibrated scale was for the old width
      p.scale.clear();
      p.zero_point.reset();
    }
    p.bits = bits;
  }
  if (!found) return "--bits '" + spec + "': the workload '" + w.name + "' has no layer named '" + layer + "'";
  return "";
}

std::string check_width_chain(const Workload& w) {
  std::map<std::string, int> written;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const std::vector<std::string> from = producers_of(w, i);
    for (std::size_t k = 0; k < from.size(); ++k) {
      const std::string& p = from[k];
      if (p == "input") continue;  // the network input takes any width
      const int bits = written.at(p);
      const int reads = l.operand_bits(k);
      const char* tensor = k == 1 && layer_streams_weights(l.type) ? "weights" : "inputs";
      if (bits != reads)
        return "--bits: layer '" + l.name + "' would read " + std::to_string(reads) + "-bit " + tensor + " but '" + p +
               "' writes " + std::to_string(bits) + "-bit outputs; set both, e.g. --bits " + p +
               ".outputs=" + std::to_string(reads);
    }
    if (const std::string problem = l.ids_problem(); !problem.empty())
      return "--bits: " + problem + "; set them with --bits " + l.name + ".inputs=B after the other overrides";
    written[l.name] = l.precision.outputs.bits;
  }
  return "";
}

std::string apply_run_overrides(Workload& w, const std::vector<std::string>& bits,
                                const std::vector<std::string>& densities) {
  for (const auto& spec : bits)
    if (std::string problem = apply_bits_override(w, spec); !problem.empty()) return problem;
  if (!bits.empty())
    if (std::string problem = check_width_chain(w); !problem.empty()) return problem;
  for (const auto& spec : densities)
    if (std::string problem = apply_density_override(w, spec); !problem.empty()) return problem;
  return "";
}

}  // namespace qnnsim
