#include "dataflow/engines.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace qnnsim {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string list(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t x : v) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s;
}

[[noreturn]] void fail_at(const GivenFold& g, const std::string& message) { throw ConfigError(g.where, g.key, message); }

// The unit a matrix engine's lanes are: the first listed class that executes the layer.
void pick_mac(const DataflowArch& a, const Layer& l, Engine& e) {
  std::string why;
  for (std::size_t k = 0; k < a.macs.size(); ++k) {
    const std::string problem = a.macs[k]->precision_problem(l.precision);
    if (problem.empty()) {
      e.mac = a.macs[k].get();
      e.mac_class = a.mac_classes[k];
      e.mac_index = static_cast<int>(k);
      const MacRate r = a.macs[k]->rate(l.precision);
      e.step_cycles = std::max<int64_t>(1, ceil_div(r.cycles, r.macs));
      return;
    }
    why += fmt::format("; {}: {}", a.mac_classes[k], problem);
  }
  throw ConfigError(l.where, "layers." + l.name, "no MAC unit under 'macs' in '" + a.file + "' executes this layer" + why);
}

Engine shape_engine(const Layer& l) {
  Engine e;
  switch (l.type) {
    case LayerType::Conv:
    case LayerType::FC:
      e.groups = l.groups;
      e.out_channels = l.M / l.groups;
      e.reduction = l.reduction_size();
      e.simd_limit = l.type == LayerType::FC ? l.C : l.C / l.groups;
      e.positions = l.type == LayerType::FC ? 1 : l.P * l.Q;
      e.rows = l.type == LayerType::FC ? 1 : l.P;
      break;
    case LayerType::DWConv:
      e.out_channels = l.C;
      e.reduction = l.R * l.S;
      e.simd_limit = e.reduction;
      e.positions = l.P * l.Q;
      e.rows = l.P;
      break;
    case LayerType::MaxPool:
    case LayerType::AvgPool:
    case LayerType::Add:
      e.kind = l.type == LayerType::Add ? EngineKind::Add : EngineKind::Pool;
      e.out_channels = l.type == LayerType::Add ? l.M : l.C;
      e.pool_values = l.type == LayerType::Add ? l.output_count() : l.C * l.H * l.W;
      e.pe = e.out_channels;  // a whole pixel per cycle unless given
      e.rows = l.P;
      break;
    case LayerType::Mul:
    case LayerType::MatMul:
    case LayerType::Softmax:
    case LayerType::LayerNorm:
    case LayerType::Gelu:
    case LayerType::Transpose:
    case LayerType::Concat:
    case LayerType::Split:
    case LayerType::Pad:
    case LayerType::KvCache:
    case LayerType::Embedding:
      break;  // refused before any engine is shaped (build_engines)
  }
  return e;
}

// Applies a given folding, checking that it divides what it folds.
void apply_given(const GivenFold& g, const Layer& l, Engine& e) {
  if (e.out_channels % g.pe != 0)
    fail_at(g, fmt::format("pe {} does not divide {}'s {} {}; choose one of {}", g.pe, l.name, e.out_channels,
                           e.kind == EngineKind::MatrixVector ? "output channels per group" : "channels",
                           list(divisors(e.out_channels))));
  e.pe = g.pe;
  if (e.kind != EngineKind::MatrixVector) {
    if (g.simd != 0) fail_at(g, fmt::format("{} is a {} layer, whose unit is folded by pe alone; remove simd", l.name, layer_type_name(l.type)));
    return;
  }
  if (g.simd == 0) fail_at(g, fmt::format("{} runs on a matrix-vector engine: give simd as well as pe", l.name));
  if (e.simd_limit % g.simd != 0)
    fail_at(g, fmt::format("simd {} does not divide {}'s {} {}; choose one of {}", g.simd, l.name, e.simd_limit,
                           l.type == LayerType::DWConv ? "window positions (R x S)"
                           : l.type == LayerType::FC   ? "inputs"
                                                       : "input channels per group",
                           list(divisors(e.simd_limit))));
  e.simd = g.simd;
}

// The fewest lanes that bring `e` to `target` cycles per image or below
// (false when none do); SIMD before PE on a tie.
bool fold_for(Engine& e, int64_t target) {
  int64_t best_lanes = -1, best_pe = 0, best_simd = 0;
  const std::vector<int64_t> pes = divisors(e.out_channels);
  for (int64_t simd : divisors(e.simd_limit))
    for (int64_t pe : pes) {
      e.pe = pe;
      e.simd = simd;
      if (e.image_cycles() > target) continue;
      const int64_t lanes = pe * simd;
      if (best_lanes < 0 || lanes < best_lanes || (lanes == best_lanes && simd > best_simd)) {
        best_lanes = lanes;
        best_pe = pe;
        best_simd = simd;
      }
    }
  if (best_lanes < 0) return false;  // e's folding is then left at a trial, and the caller drops it
  e.pe = best_pe;
  e.simd = best_simd;
  return true;
}

// What a folding draws on: lanes, and the FPGA resources they take.
struct Draw {
  int64_t lanes = 0;
  FpgaResources resources;

  void add(const DataflowArch& a, const Engine& e) {
    lanes += e.lanes();
    if (e.mac_index < 0 || a.lane_costs.empty()) return;
    for (const auto& [name, per_lane] : a.lane_costs[static_cast<std::size_t>(e.mac_index)])
      resources[name] += per_lane * static_cast<double>(e.lanes());
  }
  // The first budget this draw overdraws ("lanes" or a resource name), or "".
  std::string over(const DataflowArch& a) const {
    if (a.lane_budget > 0 && lanes > a.lane_budget) return "lanes";
    for (const auto& [name, budget] : a.resource_budget) {
      const auto it = resources.find(name);
      if (it != resources.end() && it->second > budget) return name;
    }
    return "";
  }
};

// The error for budgets that cannot give each open engine even one lane.
ConfigError over_budget(const DataflowArch& a, const std::string& which, const Draw& least, std::size_t open) {
  if (which == "lanes")
    return ConfigError(a.lanes_where, "folding.lanes",
                       fmt::format("a budget of {} lanes cannot fold this network: the given foldings take {} "
                                   "and each of the {} other matrix engines needs at least one",
                                   a.lane_budget, least.lanes - static_cast<int64_t>(open), open));
  return ConfigError(a.budget_where.at(which), "folding.budget." + which,
                     fmt::format("a budget of {} {} cannot fold this network: the given foldings and one lane for "
                                 "each of the {} other matrix engines take {}",
                                 static_cast<int64_t>(a.resource_budget.at(which)), which, open,
                                 static_cast<int64_t>(least.resources.at(which))));
}

// Folds the engines without a given folding so that the slowest engine is as
// fast as the budgets allow: `a.lane_budget` lanes over all matrix engines
// and, each resource on its own, `a.resource_budget`.
void balance(const DataflowArch& a, std::vector<Engine>& engines) {
  Draw given;
  int64_t floor = 0;
  std::vector<std::size_t> open;
  for (std::size_t i = 0; i < engines.size(); ++i) {
    if (engines[i].chosen) open.push_back(i);
    else {
      given.add(a, engines[i]);
      floor = std::max(floor, engines[i].image_cycles());
    }
  }
  Draw least = given;
  for (std::size_t i : open) {
    Engine one = engines[i];
    one.pe = one.simd = 1;
    least.add(a, one);
  }
  if (const std::string which = least.over(a); !which.empty()) throw over_budget(a, which, least, open.size());
  if (open.empty()) return;
  // Every cycle count an open engine can reach, at or above the slowest given engine:
  // no open engine needs to be faster than that one.
  std::set<int64_t> targets;
  for (std::size_t i : open) {
    Engine t = engines[i];
    const std::vector<int64_t> pes = divisors(t.out_channels);
    for (int64_t simd : divisors(t.simd_limit))
      for (int64_t pe : pes) {
        t.pe = pe;
        t.simd = simd;
        targets.insert(std::max(floor, t.image_cycles()));
      }
  }
  const std::vector<int64_t> sorted(targets.begin(), targets.end());
  // Whether every engine reaches `target` within the budgets (the fewest lanes
  // per engine also take the least of each resource, a unit's cost being per lane).
  const auto fits = [&](int64_t target, std::vector<Engine>* out) {
    Draw d = given;
    for (std::size_t i : open) {
      Engine e = engines[i];
      if (!fold_for(e, target)) return false;
      d.add(a, e);
      if (out) (*out)[i] = e;
    }
    return d.over(a).empty();
  };
  // What a folding draws never grows with the target, so bisect for the smallest affordable one.
  std::size_t lo = 0, hi = sorted.size() - 1;
  if (!fits(sorted[hi], nullptr)) throw over_budget(a, least.over(a).empty() ? "lanes" : least.over(a), least, open.size());
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (fits(sorted[mid], nullptr)) hi = mid;
    else lo = mid + 1;
  }
  fits(sorted[lo], &engines);
}

// Folds each engine without a given folding with the fewest lanes that reach
// the target rate: FINN's compiler sizes each layer to the user's throughput
// target the same way, so the engines are no faster than they need to be.
void fold_to_target(const DataflowArch& a, std::vector<Engine>& engines, const Workload& w) {
  // Cycles per image the target allows at the design's clock.
  const double allowed = a.tech.clock_hz / a.target_images_per_s;
  if (allowed < 1)
    throw ConfigError(a.target_where, "folding.target_images_per_s",
                      fmt::format("{:.4g} images per second is more than one image per cycle at {:.4g} MHz",
                                  a.target_images_per_s, a.tech.clock_hz / 1e6));
  const auto target = static_cast<int64_t>(allowed);
  for (std::size_t i = 0; i < engines.size(); ++i) {
    Engine& e = engines[i];
    if (!e.chosen) continue;
    Engine fastest = e;
    fastest.pe = fastest.out_channels;
    fastest.simd = fastest.simd_limit;
    if (!fold_for(e, target))
      throw ConfigError(a.target_where, "folding.target_images_per_s",
                        fmt::format("layer {} cannot reach {:.4g} images per second ({} cycles per image at {:.4g} MHz): "
                                    "its fastest folding, pe {} and simd {}, takes {} cycles",
                                    w.layers[i].name, a.target_images_per_s, target, a.tech.clock_hz / 1e6,
                                    fastest.pe, fastest.simd, fastest.image_cycles()));
  }
}

}  // namespace

FpgaResources engines_resources(const DataflowArch& a, const std::vector<Engine>& engines) {
  Draw d;
  for (const Engine& e : engines) d.add(a, e);
  return d.resources;
}

std::vector<int64_t> divisors(int64_t n) {
  std::vector<int64_t> d;
  for (int64_t k = 1; k <= n; ++k)
    if (n % k == 0) d.push_back(k);
  return d;
}

int64_t Engine::row_cycles() const {
  if (kind != EngineKind::MatrixVector) return ceil_div(ceil_div(pool_values, pe), rows);
  return positions / rows * groups * (out_channels / pe) * (reduction / simd) * step_cycles;
}

int64_t Engine::steps_per_image() const {
  return kind == EngineKind::MatrixVector ? positions * groups * (out_channels / pe) * (reduction / simd) : 0;
}

std::string dataflow_cannot_run(const Layer& l) {
  if (layer_is_transformer_only(l.type))
    return std::string("keeps every weight resident and has no engine for ") + layer_type_name(l.type) + " layers";
  if (l.type == LayerType::Mul)
    return "has no engine for mul layers: its engines are matrix-vector units, pools and adds, none multiplying two "
           "activations";
  // Its engines quantize outputs through thresholds and evaluate no other function.
  if (!l.activations.empty())
    return std::string("applies no activation function (") + activation_function_name(l.activations.front()) +
           " here) beyond its engines' thresholds";
  return "";
}

std::vector<Engine> build_engines(const DataflowArch& a, const Workload& w) {
  // A layer no engine runs is the first thing wrong with the pair, before the folding that names the layers.
  require_resident_weight_layers(w, "the dataflow design '" + a.file + "'");
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    if (const std::string why = dataflow_cannot_run(w.layers[i]); !why.empty())
      throw ConfigError(w.layers[i].where, "layers[" + std::to_string(i) + "] (" + w.layers[i].name + ")",
                        "the dataflow design '" + a.file + "' " + why +
                            "; run this workload on a PE-array or in-memory design (such as arch/systolic_ws.yaml)");
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < w.layers.size(); ++i) index[w.layers[i].name] = i;
  for (const auto& [name, g] : a.folds)
    if (!index.count(name))
      fail_at(g, fmt::format("workload '{}' has no layer '{}' to fold", w.name, name));

  std::vector<Engine> engines;
  double weight_bits = 0;
  for (const Layer& l : w.layers) {
    Engine e = shape_engine(l);
    if (e.kind == EngineKind::MatrixVector) {
      pick_mac(a, l, e);
      weight_bits += static_cast<double>(l.weight_count()) * l.precision.weights.bits;
    }
    const auto given = a.folds.find(l.name);
    if (given != a.folds.end()) apply_given(given->second, l, e);
    else if (e.kind == EngineKind::MatrixVector) {
      if (a.lane_budget == 0 && a.resource_budget.empty() && a.target_images_per_s == 0)
        throw ConfigError(a.folding_where, "folding",
                          fmt::format("layer {} has no folding: give it under 'layers', or a lane budget ('lanes'), an "
                                      "FPGA resource budget ('budget') or a target rate ('target_images_per_s') to "
                                      "choose it", l.name));
      e.chosen = true;
    }
    engines.push_back(e);
  }
  if (weight_bits > a.weight_memory_bits)
    throw ConfigError(a.weight_memory_where, "weight_memory.size",
                      fmt::format("the weights of '{}' take {:.0f} bits ({:.3g} Mibit) and every engine keeps its "
                                  "weights on chip, but the weight memory holds {:.0f} bits ({:.3g} Mibit)",
                                  w.name, weight_bits, weight_bits / 1048576.0, a.weight_memory_bits,
                                  a.weight_memory_bits / 1048576.0));
  if (a.lane_budget > 0 || !a.resource_budget.empty()) balance(a, engines);
  if (a.target_images_per_s > 0) fold_to_target(a, engines, w);
  return engines;
}

}  // namespace qnnsim
