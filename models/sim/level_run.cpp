#include "sim/level_run.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "arch/roles.h"
#include "mac/mac_spec.h"
#include "schedule/level_mapping_cache.h"
#include "schedule/level_packing.h"
#include "sim/level_engine.h"
#include "sim/level_vector.h"

namespace qnnsim {

namespace {

constexpr const char* kTensorNames[kOperands] = {"weights", "inputs", "outputs"};

// The narrowest width any level keeps a tensor at: every level holding it must hold its values whole.
int narrowest(const LevelDesign& d, int t) {
  int bits = 0;
  for (std::size_t l = 0; l < d.nest.levels.size(); ++l)
    if (d.nest.levels[l].keeps[t] && d.word_bits[l][t] > 0) bits = bits == 0 ? d.word_bits[l][t] : std::min(bits, d.word_bits[l][t]);
  return bits;
}

// A layer whose values are wider than the design's words cannot run on it;
// narrower values are packed where the levels pack them (level_packing.h).
void check_widths(const LevelDesign& d, const Layer& l) {
  const int given[kOperands] = {l.precision.weights.bits, l.precision.inputs.bits, l.precision.outputs.bits};
  for (int t = layer_uses_array(l.type) ? 0 : 1; t < kOperands; ++t) {  // a vector layer has no weights
    const int bits = narrowest(d, t);
    if (bits > 0 && given[t] > bits)
      throw std::invalid_argument(fmt::format("layer '{}' has {}-bit {}, wider than the {}-bit words the design keeps "
                                              "them in (word_bits)",
                                              l.name, given[t], kTensorNames[t], bits));
  }
}

bool has_codebook_operands(const LayerPrecision& p) {
  return p.weights.scheme == Scheme::Codebook || p.inputs.scheme == Scheme::Codebook;
}

// Codebook weights and inputs reach the compute units as indices: each
// compute looks its operand's entry up in a table of registers beside it, an
// entry of the MAC's width, as the PE arrays (a scratchpad read,
// pe_array/scratchpad_array.h) and dataflow engines (a register read) charge
// it. The levels hold and move the indices, at the index width. The level
// search leaves the look-ups out: one a compute, they cost every mapping of
// a layer the same energy.
void add_codebook_lookups(const LevelDesign& d, const LayerPrecision& p, uint64_t computes, LayerResult& r) {
  if (!d.mac || computes == 0) return;  // run_level_design refuses codebook operands without a MAC class
  for (const Operand o : {Operand::Weights, Operand::Inputs}) {
    const bool weights = o == Operand::Weights;
    if ((weights ? p.weights.scheme : p.inputs.scheme) != Scheme::Codebook) continue;
    const int entry_bits = weights ? d.mac->weight_bits() : d.mac->input_bits();
    const double pj = d.register_bit_pj * entry_bits * static_cast<double>(computes);
    r.actions.push_back({"codebook_table", fmt::format("{}.lookup", kTensorNames[static_cast<std::size_t>(o)]), computes, pj});
    r.energy_breakdown_pj["codebook_table"] += pj;
    r.energy_pj += pj;
  }
}

// A layer as it was timed (`sim`): by the engine (sim/level_engine.h), its
// counts the modules' and its time the schedule's, or in closed form
// (closed_form_time below); `m` gives the mapping and the closed form's
// bound beside it.
LayerResult cost_layer(const LevelDesign& d, const Layer& l, const LevelMapping& m, const LevelSimulation& sim,
                       int64_t batch) {
  const LevelNestCounts& counts = sim.counts;
  LayerResult r;
  r.name = l.name;
  r.type = layer_type_name(l.type);
  r.tiling = level_nest_text(m.nest);
  r.active_pes = counts.computes_used;
  r.macs = l.macs() * batch;
  r.cycles = sim.cycles;
  r.latency_s = static_cast<double>(r.cycles) / d.clock_hz;
  r.compute_cycles = counts.cycles;
  r.bound_cycles = m.cycles.total;  // every transfer hidden behind computation (schedule/level_cycles.h)
  r.bound_resource = m.cycles.bound;
  for (std::size_t i = 0; i < sim.stalled.size(); ++i)
    if (sim.stalled[i] > 0) r.stall_cycles[d.nest.levels[i].name] = sim.stalled[i];
  r.pe_utilization = r.cycles == 0 ? 0.0
                                   : static_cast<double>(counts.computes) /
                                         (static_cast<double>(d.compute_instances) * static_cast<double>(r.cycles));
  // Leakage lasts as long as the simulated layer.
  std::vector<LevelEnergy> e(d.prices.size());
  for (std::size_t i = 0; i < e.size(); ++i) e[i] = price_level(d, m.nest, counts, i, r.cycles, cluster_sharing(d, m.nest, i));
  const auto action = [&](const std::string& component, const std::string& name, uint64_t count, double pj) {
    if (count > 0 || pj > 0) r.actions.push_back({component, name, count, pj});
  };
  for (std::size_t i = 0; i < e.size(); ++i) {
    const std::string& level = d.nest.levels[i].name;
    const LevelPrices& p = d.prices[i];
    for (int t = 0; t < kOperands; ++t) {
      const auto o = static_cast<Operand>(t);
      const TensorAccesses& a = counts.level[i][o];
      if (d.nest.levels[i].keeps[t]) {
        // Per value, as price_levels charges them (a cluster's shared access aside, which price_levels divides).
        const double total = a.reads * p.per_value(o, LevelAction::Read) + a.fills * p.per_value(o, LevelAction::Write) +
                             a.updates * p.per_value(o, LevelAction::Update);
        const double scale = total > 0 ? e[i].accesses_pj[t] / total : 0.0;
        action(level, fmt::format("{}.read", kTensorNames[t]), a.reads, a.reads * p.per_value(o, LevelAction::Read) * scale);
        action(level, fmt::format("{}.fill", kTensorNames[t]), a.fills, a.fills * p.per_value(o, LevelAction::Write) * scale);
        action(level, fmt::format("{}.update", kTensorNames[t]), a.updates,
               a.updates * p.per_value(o, LevelAction::Update) * scale);
      }
      if (d.networks[i].present)
        action(level, fmt::format("{}.sent", kTensorNames[t]), values_crossing(m.nest, counts, i, o), e[i].network_pj[t]);
    }
    action(level, "leakage_cycles", e[i].leak_pj > 0 ? r.cycles : 0, e[i].leak_pj);
    r.energy_breakdown_pj[level] += e[i].total_pj();
    r.energy_pj += e[i].total_pj();
  }
  const double compute_pj = d.compute_pj * static_cast<double>(counts.computes);
  action(d.compute_name, "mac", counts.computes, compute_pj);
  r.energy_breakdown_pj[d.compute_name] += compute_pj;
  r.energy_pj += compute_pj;
  add_codebook_lookups(d, l.precision, counts.computes, r);
  // The outermost level is off-chip memory: what crosses its port, at each tensor's width there.
  double bits = 0;
  for (int t = 0; t < kOperands; ++t) {
    const TensorAccesses& a = counts.level[0].tensor[t];
    bits += static_cast<double>(a.reads + a.fills + a.updates + a.drains) * d.value_bits[0][t];
  }
  r.dram_bytes = bits / 8;
  for (std::size_t i = 0; i < d.nest.levels.size(); ++i)
    if (r.cycles > 0)
      r.utilization[d.nest.levels[i].name + "_bandwidth"] =
          static_cast<double>(sim.busy[i]) / static_cast<double>(r.cycles);
  return r;
}

// The design as it holds one layer's values (packed where its levels pack
// them), each with the mappings found for it: layers of one set of widths
// share a design and its mappings.
class PackedDesigns {
 public:
  PackedDesigns(const LevelDesign& d, Objective objective) : d_(d), objective_(objective) {}
  struct Packed {
    Packed(LevelDesign packed, Objective objective) : d(std::move(packed)), mappings(d, objective) {}
    LevelDesign d;
    LevelMappingCache mappings;  // refers to `d`, so a Packed stays where it was made
  };
  // Array layers: outputs at their width where a level keeps them finished, at the sums' width elsewhere.
  Packed& for_array_layer(const Layer& l) {
    const LayerPrecision& p = l.precision;
    return find(layer_value_widths(d_, p.weights.bits, p.inputs.bits, p.outputs.bits, p.accumulator.bits));
  }
  // Vector layers hold no partial sums: outputs at their width everywhere.
  Packed& for_vector_layer(const Layer& l) {
    const LayerPrecision& p = l.precision;
    return find(layer_value_widths(d_, p.weights.bits, p.inputs.bits, p.outputs.bits, p.outputs.bits));
  }
  std::size_t shapes() const {
    std::size_t n = 0;
    for (const auto& [widths, packed] : packed_) n += packed->mappings.shapes();
    return n;
  }

 private:
  Packed& find(const LevelValueWidths& w) {
    auto it = packed_.find(w);
    if (it == packed_.end()) it = packed_.emplace(w, std::make_unique<Packed>(pack_level_design(d_, w), objective_)).first;
    return *it->second;
  }
  const LevelDesign& d_;
  Objective objective_;
  std::map<LevelValueWidths, std::unique_ptr<Packed>> packed_;
};

// The closed form's counts and time (schedule/level_cycles.h) in the
// engine's form: the compute units wait only on the level that bounds the
// layer, for as long as it is slower than they are.
LevelSimulation closed_form_time(const LevelDesign& d, const LevelMapping& m) {
  LevelSimulation s;
  s.counts = m.counts;
  s.cycles = m.cycles.total;
  s.steps = 0;
  s.busy = m.cycles.level;
  s.stalled.assign(d.nest.levels.size(), 0);
  for (std::size_t l = 0; l < d.nest.levels.size(); ++l)
    if (d.nest.levels[l].name == m.cycles.bound) s.stalled[l] = m.cycles.total - m.cycles.compute;
  return s;
}

}  // namespace

std::map<std::string, double> level_design_area_mm2(const LevelDesign& d) {
  std::map<std::string, double> area;
  if (!d.area_complete) return area;
  for (std::size_t i = 1; i < d.nest.levels.size(); ++i)  // off-chip memory is not on the chip
    area[d.nest.levels[i].name] = d.area_mm2[i] * static_cast<double>(d.prices[i].instances);
  area[d.compute_name] = d.compute_area_mm2 * static_cast<double>(d.compute_instances);
  if (d.vector) area["vector"] = d.vector->area_mm2();
  return area;
}

RunResult run_level_design(const LevelDesign& d, const Workload& w, Objective objective) {
  if (d.clock_hz <= 0)
    throw std::invalid_argument(d.file + ": a level design runs at its technology's clock; give `technology` (with "
                                "`energy_table` and `word_bits`), as designs built from components do");
  RunResult r;
  r.arch = d.name;
  r.workload = w.name;
  r.batch = w.batch;
  r.clock_hz = d.clock_hz;
  r.pes = d.compute_instances;
  LevelRunSummary run;
  run.objective = objective_name(objective);
  run.off_chip_level = d.nest.levels.front().name;
  Summary& s = r.summary;
  PackedDesigns designs(d, objective);
  // Every array layer is mapped first, then timed: in closed form, or by the
  // engine running them one after another in one simulation (`time:`). The
  // other layers are costed in closed form.
  struct Mapped {
    PackedDesigns::Packed* packed;
    const LevelMapping* mapping;
    std::size_t simulated;  // its place among the simulated layers
  };
  std::vector<std::optional<Mapped>> mapped(w.layers.size());
  std::vector<std::optional<LayerResult>> on_vector_unit(w.layers.size());  // costed as they come: errors in layer order
  std::vector<LevelLayerToSimulate> to_simulate;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    if (!layer_uses_array(l.type)) {
      if (d.vector) {
        check_widths(d, l);
        on_vector_unit[i] = cost_vector_layer(designs.for_vector_layer(l).d, l, w.batch);
      }
      continue;
    }
    check_widths(d, l);
    if (!d.mac && has_codebook_operands(l.precision))
      throw std::invalid_argument(fmt::format("layer '{}' has codebook operands, whose table entries are as wide as the "
                                              "MAC's inputs: give the compute its MAC class (compute: {{mac: ...}}) "
                                              "rather than an energy",
                                              l.name));
    if (d.mac)
      if (const std::string problem = d.mac->precision_problem(l.precision); !problem.empty())
        throw std::invalid_argument(fmt::format("layer '{}': {}; change the trace's widths, or override them with --bits "
                                                "TENSOR=B", l.name, problem));
    PackedDesigns::Packed& packed = designs.for_array_layer(l);
    const auto start = std::chrono::steady_clock::now();
    bool searched = false;
    const std::optional<LevelMapping>& m = packed.mappings.find(loop_bounds(l, w.batch), &searched);
    run.search_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!m) throw std::invalid_argument(fmt::format("layer '{}': no mapping fits the levels' sizes and fan-outs", l.name));
    ++run.layers_mapped;
    if (searched) run.mappings_evaluated += m->evaluated;
    mapped[i] = Mapped{&packed, &*m, to_simulate.size()};
    to_simulate.push_back({&packed.d, m->nest, loop_bounds(l, w.batch)});
  }
  std::vector<LevelSimulation> simulated;
  if (d.simulated_time) simulated = simulate_level_layers(to_simulate);
  else
    for (const std::optional<Mapped>& m : mapped)
      if (m) simulated.push_back(closed_form_time(m->packed->d, *m->mapping));

  std::vector<std::string> uncosted_functions;  // array layers whose activation functions no unit applies
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    if (on_vector_unit[i]) {
      LayerResult lr = std::move(*on_vector_unit[i]);
      s.cycles += lr.cycles;
      s.latency_s += lr.latency_s;
      add_layer_totals(s, lr);
      r.layers.push_back(std::move(lr));
      continue;
    }
    if (!layer_uses_array(l.type)) {
      LayerResult skipped;
      skipped.name = l.name;
      skipped.type = layer_type_name(l.type);
      skipped.tiling = "not costed: the design has no vector unit";
      run.not_costed.push_back(l.name);
      r.layers.push_back(std::move(skipped));
      continue;
    }
    const Mapped& m = *mapped[i];
    LayerResult lr = cost_layer(m.packed->d, l, *m.mapping, simulated[m.simulated], w.batch);
    if (d.vector) add_output_stage(m.packed->d, l, w.batch, lr);
    else if (!l.activations.empty()) uncosted_functions.push_back(l.name);
    s.cycles += lr.cycles;  // layer after layer
    s.latency_s += lr.latency_s;
    add_layer_totals(s, lr);
    r.layers.push_back(std::move(lr));
  }
  run.shapes_searched = designs.shapes();
  if (!uncosted_functions.empty())
    run.warnings.push_back(fmt::format("the activation functions of {} layers are not costed (the design has no vector "
                                       "unit: give one as `vector:`): {}",
                                       uncosted_functions.size(), fmt::join(uncosted_functions, ", ")));
  if (!run.not_costed.empty())
    run.warnings.push_back(fmt::format("{} of {} layers are not costed (the design has no vector unit: give one as `vector:`): {}",
                                       run.not_costed.size(), w.layers.size(), fmt::join(run.not_costed, ", ")));
  s.pe_utilization = s.cycles == 0 ? 0.0
                                   : static_cast<double>(s.macs) /
                                         (static_cast<double>(r.pes) * static_cast<double>(s.cycles));
  s.area_breakdown_mm2 = level_design_area_mm2(d);
  for (const auto& [part, mm2] : s.area_breakdown_mm2) s.area_mm2 += mm2;
  if (!d.area_complete)
    run.warnings.push_back("area not modelled: some levels or the compute units are priced by numbers, not components");
  finish_summary(s);
  r.levels = run;
  return r;
}

}  // namespace qnnsim
