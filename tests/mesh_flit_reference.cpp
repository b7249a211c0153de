#include "mesh_flit_reference.h"

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace qnnsim::test {

namespace {

// A router, or with slices (slice = 1) the buffer slice beside router (x, y):
// the port between them is one more link, one flit a cycle each way.
struct Router {
  int64_t x, y;
  int slice = 0;
  bool operator<(const Router& o) const {
    return x != o.x ? x < o.x : y != o.y ? y < o.y : slice < o.slice;
  }
};

// One step of X-Y routing from `at` toward `to`: X first, then Y.
Router step(Router at, Router to) {
  if (at.x != to.x) return {at.x + (to.x > at.x ? 1 : -1), at.y};
  return {at.x, at.y + (to.y > at.y ? 1 : -1)};
}

// A flow: flits entering at `source`, each to be copied along `next` (the
// routers each router forwards to) until it reaches every router of `sinks`.
struct Flow {
  Router source;
  std::map<Router, std::set<Router>> next;
  std::set<Router> sinks;
};

Flow flow_of(Router source, const std::set<Router>& sinks) {
  Flow f{source, {}, sinks};
  // Out of a slice: first through its port into its router.
  Router from = source;
  if (source.slice == 1) {
    from = Router{source.x, source.y};
    f.next[source].insert(from);
  }
  for (Router d : sinks) {
    const Router to{d.x, d.y};
    Router at = from;
    for (; at.x != to.x || at.y != to.y; at = step(at, to)) f.next[at].insert(step(at, to));
    if (d.slice == 1) f.next[at].insert(d);  // into a slice: through the port out of its router
  }
  return f;
}

struct Flit {
  int flow;
  int64_t ready;  // the first cycle it may take the link
};

}  // namespace

int64_t mesh_flit_cycles(const MeshLayout& m, int64_t rows, int64_t cols, int64_t copies, bool to_buffer,
                         int64_t flits, int64_t router_cycles, unsigned seed) {
  const Router buffer{m.inject_x, 0};
  const auto router_of = [&](int64_t r, int64_t c) { return Router{c / m.conc_cols, r / m.conc_rows}; };
  std::vector<Flow> flows;
  const auto slice_of = [](Router at) { return Router{at.x, at.y, 1}; };
  if (to_buffer) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        flows.push_back(flow_of(router_of(r, c), {m.slices ? slice_of(router_of(r, c)) : buffer}));
  } else {
    // Groups of `copies` PEs along a row, or of whole rows (as mesh_routes.h states).
    const int64_t gc = std::min(copies, cols), gr = copies > cols ? (copies + cols - 1) / cols : 1;
    for (int64_t r0 = 0; r0 < rows; r0 += gr)
      for (int64_t c0 = 0; c0 < cols; c0 += gc) {
        std::set<Router> sinks;
        for (int64_t r = r0; r < std::min(r0 + gr, rows); ++r)
          for (int64_t c = c0; c < std::min(c0 + gc, cols); ++c) sinks.insert(router_of(r, c));
        // With slices a group's values leave the slice at its first PE's router.
        flows.push_back(flow_of(m.slices ? slice_of(router_of(r0, c0)) : buffer, sinks));
      }
  }
  // Each link, keyed by its two ends, holds a FIFO of flits waiting for it.
  std::map<std::pair<Router, Router>, std::deque<Flit>> links;
  int64_t done = 0, in_flight = 0;
  // A flit at router `at` of flow f at cycle t: delivered if `at` is a sink, and
  // queued for every link the flow leaves `at` by.
  const auto arrive = [&](int f, Router at, int64_t t) {
    if (flows[static_cast<std::size_t>(f)].sinks.count(at) > 0) done = std::max(done, t);
    const auto it = flows[static_cast<std::size_t>(f)].next.find(at);
    if (it == flows[static_cast<std::size_t>(f)].next.end()) return;
    for (Router n : it->second) {
      links[{at, n}].push_back({f, t == 0 ? 0 : t - 1 + router_cycles});
      ++in_flight;
    }
  };
  // Injection in a shuffled order: the reference is not tuned to the closed form's order.
  std::vector<int> order;
  for (std::size_t f = 0; f < flows.size(); ++f)
    for (int64_t k = 0; k < flits; ++k) order.push_back(static_cast<int>(f));
  std::shuffle(order.begin(), order.end(), std::mt19937(seed));
  for (int f : order) arrive(f, flows[static_cast<std::size_t>(f)].source, 0);
  // Cycle by cycle: each link sends the head of its FIFO if it is ready; the
  // flit is at the far router at the end of the cycle (time t + 1).
  for (int64_t t = 0; in_flight > 0; ++t) {
    std::vector<std::pair<int, Router>> landed;
    for (auto& [ends, q] : links) {
      if (q.empty() || q.front().ready > t) continue;
      landed.push_back({q.front().flow, ends.second});
      q.pop_front();
      --in_flight;
    }
    for (auto [f, at] : landed) arrive(f, at, t + 1);
  }
  return done;
}

}  // namespace qnnsim::test
