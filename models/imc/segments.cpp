#include "imc/segments.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>
#include <string>

namespace qnnsim {

void replicate(const ImcArch& arch, std::vector<LayerPlacement>& layers, const std::vector<std::size_t>& members,
               int64_t& used) {
  // The slowest member first; on a tie, the earliest.
  using Entry = std::pair<double, std::size_t>;
  const auto later = [](const Entry& a, const Entry& b) { return a.first < b.first || (a.first == b.first && a.second > b.second); };
  std::priority_queue<Entry, std::vector<Entry>, decltype(later)> queue(later);
  for (std::size_t i : members)
    if (layers[i].on_crossbars) queue.push({layers[i].image_s(), i});
  while (!queue.empty()) {
    LayerPlacement& slowest = layers[queue.top().second];
    const std::size_t index = queue.top().second;
    if (slowest.copies >= slowest.positions || slowest.parts > 1) return;
    if (used + slowest.imas > arch.total_imas()) return;
    used += slowest.imas;
    ++slowest.copies;
    queue.pop();
    queue.push({slowest.image_s(), index});
  }
}

namespace {

// The layers' producer -> consumer edges by index (the network input left
// out), and each layer's output bits per image.
struct Edges {
  std::vector<std::vector<std::size_t>> producers, consumers;
  std::vector<double> output_bits;
};

Edges network_edges(const Workload& w) {
  Edges e;
  e.producers.resize(w.layers.size());
  e.consumers.resize(w.layers.size());
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    for (const std::string& name : producers_of(w, i))
      if (name != "input") {
        e.producers[i].push_back(index.at(name));
        e.consumers[index.at(name)].push_back(i);
      }
    index[w.layers[i].name] = i;
    e.output_bits.push_back(static_cast<double>(w.layers[i].output_count() * w.layers[i].precision.outputs.bits));
  }
  return e;
}

// Estimated seconds for the layers [first, last) as one segment, with
// `spilled_bits` per image crossing its edges through the chip I/O.
double segment_estimate_s(const ImcArch& arch, const Workload& w, const std::vector<LayerPlacement>& all,
                          std::size_t first, std::size_t last, double spilled_bits) {
  std::vector<LayerPlacement> layers(all.begin() + static_cast<std::ptrdiff_t>(first),
                                     all.begin() + static_cast<std::ptrdiff_t>(last));
  std::vector<std::size_t> members;
  int64_t used = 0;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    members.push_back(k);
    used += layers[k].resident_imas();
  }
  replicate(arch, layers, members, used);
  double slowest = 0, sum = 0, weight_bits = 0;
  int64_t rows = 0;
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const LayerPlacement& p = layers[k];
    const Layer& l = w.layers[first + k];
    if (!p.on_crossbars) continue;
    // A layer's outputs leave through one router link, whatever its copies.
    const double flits = std::ceil(static_cast<double>(l.output_count() * l.precision.outputs.bits) /
                                   static_cast<double>(arch.router.link_width_bits));
    const double image = std::max(p.image_s(), flits * arch.tech.period_s());
    slowest = std::max(slowest, image);
    sum += image;
    weight_bits += static_cast<double>(p.copies * l.weight_count() * l.precision.weights.bits);
    rows = std::max(rows, std::min(p.fullest_rows, arch.ima.crossbar.rows));
  }
  const double batch = static_cast<double>(w.batch);
  const double rewrite = std::max(weight_bits / arch.io.bandwidth_bits_per_s,
                                  static_cast<double>(rows) * arch.ima.crossbar.write_time_per_row_s.value_or(0.0));
  const double spill = batch * spilled_bits / arch.io.bandwidth_bits_per_s;
  const double compute = arch.execution == Execution::LayerPipelined ? (batch - 1) * slowest + sum : batch * sum;
  return rewrite + spill + compute;
}

}  // namespace

std::vector<std::vector<std::size_t>> choose_segments(const ImcArch& arch, const Workload& w,
                                                      const std::vector<LayerPlacement>& layers) {
  const std::size_t n = layers.size();
  const Edges edges = network_edges(w);
  // best[j]: least estimated time for layers [0, j); from[j]: where its last segment starts.
  std::vector<double> best(n + 1, std::numeric_limits<double>::infinity());
  std::vector<std::size_t> from(n + 1, 0);
  best[0] = 0;
  for (std::size_t j = 1; j <= n; ++j) {
    int64_t imas = 0;
    // Bits per image crossing the edges of [i, j), kept as i moves down, the
    // way the run moves them: each output that a later segment reads goes out
    // once, and every reader in the segment of an earlier output reads it back.
    double written = 0, read_back = 0;
    for (std::size_t i = j; i-- > 0;) {
      const bool in_parts = layers[i].parts > 1;
      if (in_parts && i + 1 != j) break;  // a layer in parts is alone
      imas += layers[i].resident_imas();
      if (imas > arch.total_imas() && !in_parts) break;
      for (std::size_t p : edges.producers[i]) read_back += edges.output_bits[p];
      bool read_later = false;
      for (std::size_t c : edges.consumers[i]) {
        if (c < j) read_back -= edges.output_bits[i];  // no longer from outside
        else read_later = true;
      }
      if (read_later) written += edges.output_bits[i];
      const double t = best[i] + segment_estimate_s(arch, w, layers, i, j, written + read_back);
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
