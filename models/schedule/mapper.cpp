#include "schedule/mapper.h"

#include <chrono>

#include <fmt/format.h>

#include "core/progress.h"
#include "schedule/array_shape_key.h"
#include "schedule/search_support.h"

namespace qnnsim {

PlanScore score_plan(const ArchSpec& arch, const Layer& layer, const LayerPlan& plan) {
  return search::exact_estimate(arch, layer, plan).figures;
}

double PlanScore::value(Objective o) const { return objective_value(o, energy_pj, seconds); }

std::string VectorTiling::one_line() const { return fmt::format("N{} C{} P{} | N C P", n, c, p); }

LayerPlan plan_layer(const ArchSpec& arch, const Layer& layer, int64_t batch, const GivenMapping* given,
                     Objective objective) {
  if (layer.type == LayerType::Embedding) {
    VectorTiling v;
    if (given != nullptr) {
      v = given->vector;
      search::check_lookup_mapping(arch, layer, batch, v, given->where);
    } else {
      v = search::search_lookup_mapping(arch, layer, batch, objective);
    }
    return search::layout_lookup_layer(arch, layer, batch, v);
  }
  if (!layer_uses_array(layer.type)) {
    VectorTiling v;
    if (given != nullptr) {
      v = given->vector;
      search::check_vector_mapping(arch, layer, batch, v, given->where);
    } else {
      v = search::search_vector_mapping(arch, layer, batch, objective);
    }
    return search::layout_vector_layer(arch, layer, batch, v);
  }
  Mapping m;
  if (given != nullptr) {
    m = given->mapping;
    check_mapping(arch, layer, batch, m, given->where);
  } else {
    m = search::search_array_mapping(arch, layer, batch, objective);
  }
  return search::layout_array_layer(arch, layer, batch, m);
}

std::vector<LayerPlan> plan_workload(const ArchSpec& arch, const Workload& w, const GivenMappings* given,
                                     Objective objective, std::vector<double>* search_seconds,
                                     SearchedMappings* earlier) {
  std::vector<LayerPlan> plans;
  SearchedMappings this_call;  // each array layer shape is searched once (array_shape_key.h)
  std::map<std::pair<ArrayShapeKey, Objective>, Mapping>& searched = (earlier ? *earlier : this_call).array;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    // An embedding lookup copies rows through the buffer: no unit computes on them.
    const std::string problem = l.type == LayerType::Embedding ? std::string()
                                : layer_uses_array(l.type)     ? arch.pe_array->precision_problem(l.precision)
                                                               : arch.vector_unit->precision_problem(l.precision, l.type);
    if (!problem.empty())
      throw ConfigError(l.where, "layers[" + std::to_string(i) + "] (" + l.name + ")",
                        problem + " (architecture '" + arch.file +
                            "'); change the trace's widths, or override them with --bits TENSOR=B");
    const GivenMapping* mine = nullptr;
    if (given != nullptr) {
      const auto it = given->layers.find(l.name);
      if (it == given->layers.end())
        throw ConfigError(given->layers_location, "layers." + l.name,
                          "no mapping for layer '" + l.name + "'; a mappings file must map every layer of the workload");
      mine = &it->second;
    }
    const auto started = std::chrono::steady_clock::now();
    if (mine == nullptr && layer_uses_array(l.type)) {
      const auto key = std::make_pair(array_shape_key(l, w.batch), objective);
      auto it = searched.find(key);
      if (it == searched.end()) it = searched.emplace(key, search::search_array_mapping(arch, l, w.batch, objective)).first;
      plans.push_back(search::layout_array_layer(arch, l, w.batch, it->second));
    } else {
      plans.push_back(plan_layer(arch, l, w.batch, mine, objective));
    }
    if (search_seconds != nullptr)
      search_seconds->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    report_progress("mapping", i + 1, w.layers.size());
  }
  return plans;
}

}  // namespace qnnsim
