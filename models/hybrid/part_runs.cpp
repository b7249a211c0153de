#include "hybrid/part_runs.h"

#include <map>

namespace qnnsim {

namespace {

constexpr char kInput[] = "input";

struct Graph {
  std::map<std::string, std::size_t> index;          // layer name -> position
  std::vector<std::vector<std::size_t>> consumers;   // of each layer
  std::vector<std::vector<std::string>> producers;   // of each layer, "input" for the network input

  explicit Graph(const Workload& w) : consumers(w.layers.size()) {
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
      index[w.layers[i].name] = i;
      producers.push_back(producers_of(w, i));
      for (const std::string& p : producers.back())
        if (p != kInput) consumers[index.at(p)].push_back(i);
    }
  }

  bool outside(const std::string& producer, std::size_t first) const {
    return producer == kInput || index.at(producer) < first;
  }
};

Shape shape_of(const Workload& w, const Graph& g, const std::string& tensor) {
  return tensor == kInput ? w.input : w.layers[g.index.at(tensor)].output_shape();
}

// Every tensor [first, last] reads from outside has one shape.
bool one_input_shape(const Workload& w, const Graph& g, std::size_t first, std::size_t last) {
  bool seen = false;
  Shape shape;
  for (std::size_t i = first; i <= last; ++i)
    for (const std::string& p : g.producers[i]) {
      if (!g.outside(p, first)) continue;
      const Shape s = shape_of(w, g, p);
      if (seen && !(s == shape)) return false;
      seen = true;
      shape = s;
    }
  return true;
}

// No layer of [first, last] is read both inside and outside it.
bool clean_exports(const Graph& g, std::size_t first, std::size_t last) {
  for (std::size_t k = first; k <= last; ++k) {
    bool inside = false, beyond = false;
    for (std::size_t c : g.consumers[k]) (c <= last ? inside : beyond) = true;
    if (inside && beyond) return false;
  }
  return true;
}

}  // namespace

std::vector<PartRun> cut_into_runs(const Workload& w, const std::vector<std::size_t>& part_of) {
  const Graph g(w);
  std::vector<PartRun> runs;
  std::size_t first = 0;
  while (first < w.layers.size()) {
    // The longest stretch on one part with one input shape; then the longest
    // prefix of it whose exports are clean (a single layer always is).
    std::size_t reach = first;
    while (reach + 1 < w.layers.size() && part_of[reach + 1] == part_of[first] && one_input_shape(w, g, first, reach + 1))
      ++reach;
    std::size_t last = reach;
    while (last > first && !clean_exports(g, first, last)) --last;
    runs.push_back({part_of[first], first, last});
    first = last + 1;
  }
  return runs;
}

namespace {

// The layers `chosen` (in trace order) as a workload: a producer among them
// stays, any other becomes the input.
Workload chosen_layers(const Workload& w, const std::vector<std::size_t>& chosen) {
  const Graph g(w);
  std::vector<bool> in(w.layers.size(), false);
  for (std::size_t i : chosen) in[i] = true;
  Workload sub;
  sub.name = w.name;
  sub.file = w.file;
  sub.batch = w.batch;
  bool input_set = false;
  for (std::size_t i : chosen) {
    Layer l = w.layers[i];
    l.from.clear();
    for (const std::string& p : g.producers[i]) {
      if (p != kInput && in[g.index.at(p)]) {
        l.from.push_back(p);
        continue;
      }
      if (!input_set) sub.input = shape_of(w, g, p);
      input_set = true;
      l.from.push_back(kInput);
    }
    sub.layers.push_back(std::move(l));
  }
  return sub;
}

}  // namespace

Workload run_workload(const Workload& w, const PartRun& run) {
  std::vector<std::size_t> chosen;
  for (std::size_t i = run.first; i <= run.last; ++i) chosen.push_back(i);
  return chosen_layers(w, chosen);
}

Workload part_workload(const Workload& w, const std::vector<std::size_t>& part_of, std::size_t part) {
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    if (part_of[i] == part) chosen.push_back(i);
  return chosen_layers(w, chosen);
}

}  // namespace qnnsim
