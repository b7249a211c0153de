#include "hybrid/placement_search.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace qnnsim {

namespace {

// At most this many passes: each pass that changes something lowers the
// objective, so the search ends anyway; the bound keeps a long trace's
// search from wandering through many small gains.
constexpr std::size_t kMaxPasses = 8;

class Search {
 public:
  Search(const Workload& w, const std::vector<std::vector<std::size_t>>& choices, const PlacementCost& cost)
      : w_(w), choices_(choices), cost_(cost) {}

  // From `start` (whose score must be known), until a pass changes nothing.
  void descend(const std::vector<std::size_t>& start, double value) {
    current_ = start;
    best_ = value;
    for (std::size_t pass = 1; pass <= kMaxPasses; ++pass) {
      passes_ = std::max(passes_, pass);
      if (!this->pass()) break;
    }
  }

  PlacementSearch run(const std::vector<std::size_t>& start) {
    const std::optional<double> first = score(start);
    if (!first) throw std::invalid_argument("the starting placement cannot run");
    PlacementSearch out;
    out.start_value = *first;
    out.part_of = start;
    out.value = *first;
    // Local moves stall where every step costs a cut before it pays (moving
    // most of a transformer off the crossbars, one run at a time): the
    // descent is also started from each part taking every layer it may.
    std::vector<std::vector<std::size_t>> starts = {start};
    for (std::size_t part = 0; part < parts(); ++part) {
      std::vector<std::size_t> all = start;
      for (std::size_t i = 0; i < all.size(); ++i)
        if (may_take(i, part)) all[i] = part;
      if (std::find(starts.begin(), starts.end(), all) == starts.end()) starts.push_back(all);
    }
    for (const std::vector<std::size_t>& from : starts) {
      const std::optional<double> v = score(from);
      if (!v) continue;
      descend(from, *v);
      if (best_ < out.value) {  // an earlier start keeps a tie
        out.value = best_;
        out.part_of = current_;
      }
    }
    out.placements_scored = scored_.size();
    out.passes = passes_;
    out.starts = starts.size();
    return out;
  }

 private:
  bool free(std::size_t i) const { return choices_[i].size() > 1; }
  bool may_take(std::size_t i, std::size_t part) const {
    return std::find(choices_[i].begin(), choices_[i].end(), part) != choices_[i].end();
  }

  std::optional<double> score(const std::vector<std::size_t>& p) {
    const auto it = scored_.find(p);
    if (it != scored_.end()) return it->second;
    return scored_.emplace(p, cost_(p)).first->second;
  }

  // Moves `layers` (those that may take it) onto `part`; true when that lowered the objective.
  bool try_move(const std::vector<std::size_t>& layers, std::size_t part) {
    std::vector<std::size_t> candidate = current_;
    for (const std::size_t i : layers)
      if (may_take(i, part)) candidate[i] = part;
    if (candidate == current_) return false;
    const std::optional<double> v = score(candidate);
    if (!v || !(*v < best_)) return false;
    current_ = std::move(candidate);
    best_ = *v;
    return true;
  }

  std::size_t parts() const {
    std::size_t n = 0;
    for (const auto& c : choices_)
      for (const std::size_t p : c) n = std::max(n, p + 1);
    return n;
  }

  bool pass() {
    bool changed = false;
    // Every free layer of one type, in the order the types first appear.
    std::vector<LayerType> types;
    for (std::size_t i = 0; i < w_.layers.size(); ++i)
      if (free(i) && std::find(types.begin(), types.end(), w_.layers[i].type) == types.end())
        types.push_back(w_.layers[i].type);
    for (const LayerType t : types) {
      std::vector<std::size_t> layers;
      for (std::size_t i = 0; i < w_.layers.size(); ++i)
        if (free(i) && w_.layers[i].type == t) layers.push_back(i);
      for (std::size_t part = 0; part < parts(); ++part) changed |= try_move(layers, part);
    }
    // Each stretch of consecutive layers on one part, taken as it stands when reached.
    for (std::size_t first = 0; first < w_.layers.size();) {
      std::size_t last = first;
      while (last + 1 < w_.layers.size() && current_[last + 1] == current_[first]) ++last;
      std::vector<std::size_t> layers;
      for (std::size_t i = first; i <= last; ++i)
        if (free(i)) layers.push_back(i);
      const std::size_t on = current_[first];
      for (std::size_t part = 0; part < parts(); ++part)
        if (part != on) changed |= try_move(layers, part);
      first = last + 1;
    }
    // One layer at a time.
    for (std::size_t i = 0; i < w_.layers.size(); ++i)
      if (free(i))
        for (const std::size_t part : choices_[i])
          if (part != current_[i]) changed |= try_move({i}, part);
    return changed;
  }

  const Workload& w_;
  const std::vector<std::vector<std::size_t>>& choices_;
  const PlacementCost& cost_;
  std::map<std::vector<std::size_t>, std::optional<double>> scored_;
  std::vector<std::size_t> current_;
  double best_ = 0;
  std::size_t passes_ = 0;
};

}  // namespace

PlacementSearch search_placement(const Workload& w, const std::vector<std::vector<std::size_t>>& choices,
                                 const std::vector<std::size_t>& start, const PlacementCost& cost) {
  if (choices.size() != w.layers.size() || start.size() != w.layers.size())
    throw std::invalid_argument("a placement search needs one choice list and one starting part a layer");
  for (std::size_t i = 0; i < start.size(); ++i)
    if (std::find(choices[i].begin(), choices[i].end(), start[i]) == choices[i].end())
      throw std::invalid_argument("the starting placement puts layer '" + w.layers[i].name + "' on a part it may not take");
  return Search(w, choices, cost).run(start);
}

}  // namespace qnnsim
