#include "sim/level_vector.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "arch/roles.h"
#include "schedule/level_cycles.h"

namespace qnnsim {

namespace {

constexpr const char* kTensorNames[kOperands] = {"weights", "inputs", "outputs"};
constexpr std::size_t kInputs = 1, kOutputs = 2;
constexpr std::size_t kBeside = 1;  // the on-chip level the unit sits beside

void add_action(LayerResult& r, const std::string& component, const std::string& action, uint64_t count, double pj) {
  if (count == 0 && pj == 0) return;
  r.actions.push_back({component, action, count, pj});
  r.energy_breakdown_pj[component] += pj;
  r.energy_pj += pj;
}

}  // namespace

LayerResult cost_vector_layer(const LevelDesign& d, const Layer& l, int64_t batch) {
  const VectorSpec& v = *d.vector;
  if (const std::string problem = v.precision_problem(l.precision, l.type); !problem.empty())
    throw std::invalid_argument(fmt::format("layer '{}': {}", l.name, problem));
  LayerResult r;
  r.name = l.name;
  r.type = layer_type_name(l.type);
  r.macs = l.macs() * batch;
  r.tiling = "vector unit beside " + d.nest.levels[kBeside].name;
  const auto in = static_cast<uint64_t>(l.input_count() * batch), out = static_cast<uint64_t>(l.output_count() * batch);

  // What each level moves: off-chip memory sends the inputs and takes the
  // outputs back; the level beside the unit, where it keeps the tensor, takes
  // the inputs in and hands them to the unit, and takes the outputs in and
  // sends them on. A tensor it bypasses goes straight between memory and unit.
  std::vector<std::array<TensorAccesses, kOperands>> a(kBeside + 1);
  a[0][kInputs].reads = in;
  a[0][kOutputs].updates = out;
  if (d.nest.levels[kBeside].keeps[kInputs]) a[kBeside][kInputs].fills = a[kBeside][kInputs].reads = in;
  if (d.nest.levels[kBeside].keeps[kOutputs]) a[kBeside][kOutputs].updates = a[kBeside][kOutputs].drains = out;

  const int bits = l.precision.outputs.bits;
  VectorOps ops = l.vector_work(static_cast<int64_t>(out));
  ops += l.activation_work(static_cast<int64_t>(out));
  r.compute_cycles = static_cast<uint64_t>(
      std::ceil(static_cast<double>(v.lane_cycles(ops, bits)) / static_cast<double>(v.lanes())));
  r.cycles = r.compute_cycles;
  r.bound_resource = "compute";
  for (std::size_t i = 0; i <= kBeside; ++i) {
    const uint64_t t = level_port_cycles(d, i, a[i], static_cast<double>(d.prices[i].instances));
    if (t > r.cycles) r.cycles = t, r.bound_resource = d.nest.levels[i].name;
  }
  if (r.cycles > r.compute_cycles) r.stall_cycles[r.bound_resource] = r.cycles - r.compute_cycles;
  r.bound_cycles = r.cycles;
  r.latency_s = static_cast<double>(r.cycles) / d.clock_hz;

  // Each level's accesses at its per-value prices (drains apart, as the level model counts them), and its leakage.
  for (std::size_t i = 0; i <= kBeside; ++i) {
    const std::string& level = d.nest.levels[i].name;
    const LevelPrices& p = d.prices[i];
    for (std::size_t t : {kInputs, kOutputs}) {
      const auto o = static_cast<Operand>(t);
      const TensorAccesses& x = a[i][t];
      add_action(r, level, fmt::format("{}.read", kTensorNames[t]), x.reads, x.reads * p.per_value(o, LevelAction::Read));
      add_action(r, level, fmt::format("{}.fill", kTensorNames[t]), x.fills, x.fills * p.per_value(o, LevelAction::Write));
      add_action(r, level, fmt::format("{}.update", kTensorNames[t]), x.updates,
                 x.updates * p.per_value(o, LevelAction::Update));
    }
    add_action(r, level, "leakage_cycles", p.leak_pj_per_cycle > 0 ? r.cycles : 0,
               p.leak_pj_per_cycle * static_cast<double>(r.cycles) * static_cast<double>(p.instances));
  }
  const std::pair<const char*, uint64_t> kinds[] = {
      {"op", ops.add}, {"mult", ops.mult}, {"exp", ops.exp}, {"divide", ops.divide}, {"sqrt", ops.sqrt}};
  for (const auto& [action, count] : kinds)
    add_action(r, "vector", action, count, static_cast<double>(count) * v.action_energy_pj({"vector", action, bits}));
  add_action(r, "vector", "leakage_cycles", v.leakage_w() > 0 ? r.cycles : 0,
             v.leakage_w() * static_cast<double>(r.cycles) / d.clock_hz * 1e12);

  r.dram_bytes = (static_cast<double>(in) * d.value_bits[0][kInputs] + static_cast<double>(out) * d.value_bits[0][kOutputs]) / 8;
  return r;
}

void add_output_stage(const LevelDesign& d, const Layer& l, int64_t batch, LayerResult& r) {
  const auto out = static_cast<uint64_t>(l.output_count() * batch);
  const ActionDesc requant = d.vector->requant_action(l.precision);
  if (!requant.action.empty())
    add_action(r, "vector", requant.action, out, static_cast<double>(out) * d.vector->action_energy_pj(requant));
  const VectorOps ops = l.activation_work(static_cast<int64_t>(out));
  const int bits = l.precision.outputs.bits;
  const std::pair<const char*, uint64_t> kinds[] = {
      {"op", ops.add}, {"mult", ops.mult}, {"exp", ops.exp}, {"divide", ops.divide}};
  for (const auto& [action, count] : kinds)
    if (count > 0)
      add_action(r, "vector", action, count, static_cast<double>(count) * d.vector->action_energy_pj({"vector", action, bits}));
}

}  // namespace qnnsim
