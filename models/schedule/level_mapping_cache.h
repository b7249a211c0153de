#pragma once
// The level search's answer for each layer shape of a run, remembered. A
// network repeats shapes (ResNet-50's 53 convolutions and its fc layer have
// 24 distinct ones), and the search depends only on the design, the layer's
// loop bounds and the objective, so a repeated shape takes the mapping found
// for its first layer: the same mapping, counts and cycles a new search
// would give (the search is deterministic).
#include <map>
#include <optional>
#include <tuple>

#include "schedule/level_search.h"

namespace qnnsim {

class LevelMappingCache {
 public:
  LevelMappingCache(const LevelDesign& d, Objective objective) : d_(d), objective_(objective) {}

  // The mapping for `b`, searched the first time its shape is asked for.
  // `searched` tells whether this call ran the search.
  const std::optional<LevelMapping>& find(const LoopBounds& b, bool* searched = nullptr);
  std::size_t shapes() const { return found_.size(); }

 private:
  using Shape = std::tuple<DimArray, int64_t, int64_t, int64_t, int64_t, int64_t>;
  const LevelDesign& d_;
  Objective objective_;
  std::map<Shape, std::optional<LevelMapping>> found_;
};

}  // namespace qnnsim
