#include "hybrid/hybrid_placement.h"

#include <set>

namespace qnnsim {

namespace {

// Why no part can take `l`: each part's reason, for the message.
std::string every_refusal(const HybridSpec& h, const Layer& l) {
  std::string why;
  for (const HybridPartSpec& p : h.parts) why += (why.empty() ? "" : "; ") + ("part '" + p.name + "': " + p.design->cannot_run(l));
  return why;
}

std::size_t automatic_part(const HybridSpec& h, const Layer& l) {
  const bool crossbars_first = prefers_crossbars(l);
  for (const bool want_crossbars : {crossbars_first, !crossbars_first})
    for (std::size_t i = 0; i < h.parts.size(); ++i)
      if (h.parts[i].family->computes_in_crossbars() == want_crossbars && h.parts[i].design->cannot_run(l).empty())
        return i;
  throw CannotRun("layer '" + l.name + "' (" + layer_type_name(l.type) + ") can run on no part of the hybrid design '" +
                  h.file + "': " + every_refusal(h, l));
}

}  // namespace

bool prefers_crossbars(const Layer& l) { return layer_uses_array(l.type) && !layer_streams_weights(l.type); }

std::vector<std::size_t> place_layers(const HybridSpec& h, const Workload& w) {
  std::set<std::string> names;
  for (const Layer& l : w.layers) names.insert(l.name);
  for (const auto& [name, entry] : h.by_layer)
    if (names.count(name) == 0)
      throw ConfigError(entry.where, entry.key,
                        "workload '" + w.name + "' has no layer '" + name + "'; expected a layer name of the trace");
  std::vector<std::size_t> part_of;
  for (const Layer& l : w.layers) part_of.push_back(place_layer(h, l));
  return part_of;
}

std::vector<std::vector<std::size_t>> placement_choices(const HybridSpec& h, const Workload& w) {
  const std::vector<std::size_t> placed = place_layers(h, w);  // checks the names, and that every layer has a part
  std::vector<std::vector<std::size_t>> choices;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    std::vector<std::size_t> parts;
    if (h.by_layer.count(l.name) || h.by_type.count(l.type)) {
      parts.push_back(placed[i]);
    } else {
      for (std::size_t p = 0; p < h.parts.size(); ++p)
        if (h.parts[p].design->cannot_run(l).empty()) parts.push_back(p);
    }
    choices.push_back(std::move(parts));
  }
  return choices;
}

std::size_t place_layer(const HybridSpec& h, const Layer& l) {
  const PlacementEntry* given = nullptr;
  if (const auto it = h.by_layer.find(l.name); it != h.by_layer.end()) given = &it->second;
  else if (const auto t = h.by_type.find(l.type); t != h.by_type.end()) given = &t->second;
  if (given == nullptr) return automatic_part(h, l);
  const HybridPartSpec& part = h.parts[given->part];
  if (const std::string why = part.design->cannot_run(l); !why.empty())
    throw ConfigError(given->where, given->key,
                      "layer '" + l.name + "' (" + layer_type_name(l.type) + ") cannot run on part '" + part.name +
                          "' (" + why + "); place it on another part");
  return given->part;
}

}  // namespace qnnsim
