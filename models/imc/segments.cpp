#include "imc/segments.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace qnnsim {

void replicate(const ImcArch& arch, std::vector<LayerPlacement>& layers, const std::vector<std::size_t>& members,
               int64_t& used) {
  for (;;) {
    LayerPlacement* slowest = nullptr;
    for (std::size_t i : members)
      if (layers[i].on_crossbars && (slowest == nullptr || layers[i].image_s() > slowest->image_s()))
        slowest = &layers[i];
    if (slowest == nullptr || slowest->copies >= slowest->positions || slowest->parts > 1) return;
    if (used + slowest->imas > arch.total_imas()) return;
    used += slowest->imas;
    ++slowest->copies;
  }
}

namespace {

// Each layer's producers, by index (the network input left out).
std::vector<std::vector<std::size_t>> producer_indices(const Workload& w) {
  std::vector<std::vector<std::size_t>> out(w.layers.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    for (const std::string& name : producers_of(w, i))
      if (name != "input") out[i].push_back(index.at(name));
    index[w.layers[i].name] = i;
  }
  return out;
}

// Estimated seconds for the layers [first, last) as one segment.
double segment_estimate_s(const ImcArch& arch, const Workload& w, const std::vector<std::vector<std::size_t>>& producers,
                          std::vector<LayerPlacement> layers, std::size_t first, std::size_t last) {
  std::vector<std::size_t> members;
  int64_t used = 0;
  for (std::size_t i = first; i < last; ++i) {
    members.push_back(i);
    used += layers[i].resident_imas();
  }
  replicate(arch, layers, members, used);
  double slowest = 0, sum = 0, weight_bits = 0;
  int64_t rows = 0;
  for (std::size_t i : members) {
    const LayerPlacement& p = layers[i];
    if (!p.on_crossbars) continue;
    // A layer's outputs leave through one router link, whatever its copies.
    const double flits = std::ceil(static_cast<double>(w.layers[i].output_count() * w.layers[i].precision.outputs.bits) /
                                   static_cast<double>(arch.router.link_width_bits));
    const double image = std::max(p.image_s(), flits * arch.tech.period_s());
    slowest = std::max(slowest, image);
    sum += image;
    weight_bits += static_cast<double>(p.copies * w.layers[i].weight_count() * w.layers[i].precision.weights.bits);
    rows = std::max(rows, std::min(p.fullest_rows, arch.ima.crossbar.rows));
  }
  const double batch = static_cast<double>(w.batch);
  // Activations crossing the segment's edges go out and come back through the chip I/O.
  const auto output_bits = [&](std::size_t i) {
    return static_cast<double>(w.layers[i].output_count() * w.layers[i].precision.outputs.bits);
  };
  double spilled_bits = 0;
  for (std::size_t c = first; c < w.layers.size(); ++c)
    for (std::size_t p : producers[c]) {
      const bool p_in = p >= first && p < last, c_in = c < last;
      if (p_in != c_in) spilled_bits += output_bits(p);  // written out by a member, or read back by one
    }
  const double spill = batch * spilled_bits / arch.io.bandwidth_bits_per_s;
  const double rewrite = std::max(weight_bits / arch.io.bandwidth_bits_per_s,
                                  static_cast<double>(rows) * arch.ima.crossbar.write_time_per_row_s.value_or(0.0));
  const double compute = arch.execution == Execution::LayerPipelined ? (batch - 1) * slowest + sum : batch * sum;
  return rewrite + spill + compute;
}

}  // namespace

std::vector<std::vector<std::size_t>> choose_segments(const ImcArch& arch, const Workload& w,
                                                      const std::vector<LayerPlacement>& layers) {
  const std::size_t n = layers.size();
  // best[j]: least estimated time for layers [0, j); from[j]: where its last segment starts.
  const auto producers = producer_indices(w);
  std::vector<double> best(n + 1, std::numeric_limits<double>::infinity());
  std::vector<std::size_t> from(n + 1, 0);
  best[0] = 0;
  for (std::size_t j = 1; j <= n; ++j) {
    int64_t imas = 0;
    for (std::size_t i = j; i-- > 0;) {
      const bool in_parts = layers[i].parts > 1;
      if (in_parts && i + 1 != j) break;  // a layer in parts is alone
      imas += layers[i].resident_imas();
      if (imas > arch.total_imas() && !in_parts) break;
      const double t = best[i] + segment_estimate_s(arch, w, producers, layers, i, j);
      if (t < best[j]) {
        best[j] = t;
        from[j] = i;
      }
      if (in_parts) break;
    }
  }
  std::vector<std::vector<std::size_t>> segments;
  for (std::size_t j = n; j > 0; j = from[j]) {
    std::vector<std::size_t> members;
    for (std::size_t i = from[j]; i < j; ++i) members.push_back(i);
    segments.push_back(members);
  }
  std::reverse(segments.begin(), segments.end());
  return segments;
}

}  // namespace qnnsim
