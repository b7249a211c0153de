#include "schedule/level_mapping_cache.h"

namespace qnnsim {

const std::optional<LevelMapping>& LevelMappingCache::find(const LoopBounds& b, bool* searched) {
  // Every field of the bounds: two layers with the same extents but another
  // stride or padding read other input windows.
  const Shape shape{b.extent, b.H, b.W, b.stride, b.dilation, b.padding};
  auto it = found_.find(shape);
  if (searched) *searched = it == found_.end();
  if (it == found_.end()) it = found_.emplace(shape, search_level_mapping(d_, b, objective_)).first;
  return it->second;
}

}  // namespace qnnsim
