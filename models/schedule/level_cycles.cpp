#include "schedule/level_cycles.h"

#include <algorithm>
#include <cmath>

#include <boost/container/small_vector.hpp>

namespace qnnsim {

namespace {

// Cycles to move `values` at `per_cycle` (0: unbounded, no cycles).
uint64_t time_for(double values, double per_cycle) {
  if (per_cycle <= 0 || values <= 0) return 0;
  return static_cast<uint64_t>(std::ceil(values / per_cycle));
}

// A level's ports' cycles for `a`, each port on its own: the one shared by
// reads and writes, the read port and the write port (0 where the level has
// no such port or it is unbounded).
std::array<uint64_t, 3> port_lanes(const LevelDesign& d, std::size_t l, const std::array<TensorAccesses, kOperands>& a,
                                   double instances) {
  const LevelBandwidth bw = l < d.bandwidth.size() ? d.bandwidth[l] : LevelBandwidth{};
  if (bw.shared <= 0 && bw.read <= 0 && bw.write <= 0) return {0, 0, 0};  // unbounded ports take no time
  // In the level's units: values, or bits for a level built from a component.
  // A packed value takes a word's bits over the values the word holds.
  std::array<double, kOperands> units{1, 1, 1};
  if (l < d.limits.size())
    for (int o = 0; o < kOperands; ++o)
      units[o] = static_cast<double>(d.limits[l].units[o]) / static_cast<double>(d.limits[l].per_unit[o]);
  double sent = 0, taken = 0;
  for (int o = 0; o < kOperands; ++o) {
    sent += static_cast<double>(a[o].reads + a[o].drains) * units[o];
    taken += static_cast<double>(a[o].fills + a[o].updates) * units[o];
  }
  sent /= instances;
  taken /= instances;
  return {time_for(sent + taken, bw.shared), time_for(sent, bw.read), time_for(taken, bw.write)};
}

// A fan-out's networks' cycles for what crosses it in `c`, one per network.
template <class Out>
void network_lanes(const LevelDesign& d, const LevelNestCounts& c, std::size_t l, Out& out) {
  if (l >= d.networks.size() || !d.networks[l].present) return;
  // The bits each network carries, per instance of the level.
  const double instances = static_cast<double>(c.level[l].instances_used);
  const LevelNetwork& net = d.networks[l];
  boost::container::small_vector<double, 4> bits(net.width_bits.size(), 0.0);
  for (int o = 0; o < kOperands; ++o)
    bits[static_cast<std::size_t>(net.network[o])] +=
        static_cast<double>(values_crossing(d.nest, c, l, static_cast<Operand>(o))) * net.value_bits[o] / instances;
  for (std::size_t n = 0; n < bits.size(); ++n) out.push_back(time_for(bits[n], static_cast<double>(net.width_bits[n])));
}

}  // namespace

uint64_t level_port_cycles(const LevelDesign& d, std::size_t l, const std::array<TensorAccesses, kOperands>& a,
                           double instances) {
  const std::array<uint64_t, 3> lanes = port_lanes(d, l, a, instances);
  return *std::max_element(lanes.begin(), lanes.end());
}

uint64_t level_cycles_at(const LevelDesign& d, const LevelNestCounts& c, std::size_t l) {
  // Per instance: the mapping spreads a level's traffic evenly over the instances it uses.
  uint64_t t = level_port_cycles(d, l, c.level[l].tensor, static_cast<double>(c.level[l].instances_used));
  boost::container::small_vector<uint64_t, 4> networks;
  network_lanes(d, c, l, networks);
  for (const uint64_t n : networks) t = std::max(t, n);
  return t;
}

LevelLanes level_lane_cycles(const LevelDesign& d, const LevelNestCounts& c, std::size_t l) {
  const std::array<uint64_t, 3> ports = port_lanes(d, l, c.level[l].tensor, static_cast<double>(c.level[l].instances_used));
  LevelLanes lanes(ports.begin(), ports.end());
  network_lanes(d, c, l, lanes);
  return lanes;
}

LevelCycles level_cycles(const LevelDesign& d, const LevelNestCounts& c) {
  LevelCycles out;
  out.compute = c.cycles;
  out.total = c.cycles;
  out.bound = "compute";
  out.level.resize(c.level.size());
  for (std::size_t l = 0; l < c.level.size(); ++l) {
    const uint64_t t = level_cycles_at(d, c, l);
    out.level[l] = t;
    if (t > out.total) {
      out.total = t;
      out.bound = d.nest.levels[l].name;
    }
  }
  return out;
}

uint64_t level_cycles_total(const LevelDesign& d, const LevelNestCounts& c) {
  uint64_t total = c.cycles;
  for (std::size_t l = 0; l < c.level.size(); ++l) total = std::max(total, level_cycles_at(d, c, l));
  return total;
}

}  // namespace qnnsim
