#include "schedule/host_im2col.h"

#include <algorithm>
#include <vector>

namespace qnnsim {

Layer host_expanded(const Layer& l) {
  Layer e = l;
  e.C = l.C * l.R * l.S;
  e.H = l.P;
  e.W = l.Q;
  e.R = e.S = 1;
  e.stride = 1;
  e.padding = 0;
  e.dilation = 1;
  return e;  // P, Q and M as before: the same outputs
}

Workload as_array_receives(const ArchSpec& arch, const Workload& w) {
  if (!arch.pe_array || !arch.pe_array->host_expands_input()) return w;
  std::vector<std::size_t> readers;  // of the network input
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const auto from = producers_of(w, i);
    if (std::find(from.begin(), from.end(), "input") != from.end()) readers.push_back(i);
  }
  // One reader, a convolution with a window to expand: anything else reads
  // the input as stored (a second reader would see the expanded matrix).
  if (readers.size() != 1) return w;
  const Layer& l = w.layers[readers.front()];
  if (l.type != LayerType::Conv || l.groups != 1 || l.R * l.S <= 1 || producers_of(w, readers.front()).size() != 1)
    return w;
  Workload out = w;
  out.layers[readers.front()] = host_expanded(l);
  out.input = out.layers[readers.front()].input_shape();
  return out;
}

}  // namespace qnnsim
