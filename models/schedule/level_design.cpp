#include "schedule/level_design.h"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "arch/roles.h"
#include "schedule/level_component.h"
#include "schedule/level_cycles.h"
#include "schedule/level_limits.h"
#include "workload/workload.h"

namespace qnnsim {

namespace {

// Larger factors or instance counts could only be mistakes, and keeping them
// below 2^20 keeps every product of a few of them within 64 bits.
constexpr int64_t kMaxLevelFactor = 1 << 20;

constexpr const char* kActionKeys[kLevelActions] = {"read", "write", "update"};

// "Q14" -> {Q, 14}.
LevelLoop parse_loop(const ConfigNode& item, const std::string& text) {
  std::size_t used = 0;
  const int dim = text.empty() ? -1 : dim_from_name(text.substr(0, 1));
  long long factor = 0;
  try {
    if (dim >= 0) factor = std::stoll(text.substr(1), &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (dim < 0 || used == 0 || used + 1 != text.size() || factor < 1 || factor > kMaxLevelFactor)
    item.fail_here(fmt::format("expected a dimension (N, G, M, C, P, Q, R or S) and a factor from 1 to {}, e.g. 'Q14', found '{}'",
                               kMaxLevelFactor, text));
  return {dim, factor};
}

std::vector<LevelLoop> parse_loops(const ConfigNode& level, const std::string& key) {
  std::vector<LevelLoop> loops;
  if (!level.has(key)) return loops;
  for (const ConfigNode& item : level.child(key).items()) loops.push_back(parse_loop(item, item.as_text()));
  return loops;
}

std::array<bool, kOperands> parse_keeps(const ConfigNode& level) {
  std::array<bool, kOperands> keeps{};
  if (!level.has("keeps")) level.fail("keeps", "required key is missing (a list of weights, inputs, outputs; [] for none)");
  for (const ConfigNode& item : level.child("keeps").items()) {
    const std::string t = item.as_text();
    int found = -1;
    for (int o = 0; o < kOperands; ++o)
      if (t == kTensorKeys[o]) found = o;
    if (found < 0) item.fail_here(fmt::format("expected weights, inputs or outputs, found '{}'", t));
    keeps[found] = true;
  }
  return keeps;
}

// The dimensions a level's loops may iterate (`spatial_dims`, `temporal_dims`):
// every one when the key is absent, exactly those listed when present ([] for none).
std::array<bool, kDims> parse_dims(const ConfigNode& level, const char* key) {
  std::array<bool, kDims> dims{};
  if (!level.has(key)) {
    dims.fill(true);
    return dims;
  }
  for (const ConfigNode& item : level.child(key).items()) {
    const int dim = dim_from_name(item.as_text());
    if (dim < 0) item.fail_here(fmt::format("expected a dimension (N, G, M, C, P, Q, R or S), found '{}'", item.as_text()));
    dims[dim] = true;
  }
  return dims;
}

// `read_bandwidth` and `write_bandwidth`, or one `bandwidth` for a port both share.
LevelBandwidth parse_bandwidth(const ConfigNode& level) {
  const auto positive = [&](const char* key) {
    const double v = level.number(key);
    if (!(v > 0)) level.fail(key, "expected a bandwidth above 0 values per cycle (leave the key out for unbounded)");
    return v;
  };
  LevelBandwidth bw;
  if (level.has("bandwidth")) {
    for (const char* separate : {"read_bandwidth", "write_bandwidth"})
      if (level.has(separate))
        level.fail(separate, "give either one shared `bandwidth` or separate read and write bandwidths, not both");
    bw.shared = positive("bandwidth");
  }
  if (level.has("read_bandwidth")) bw.read = positive("read_bandwidth");
  if (level.has("write_bandwidth")) bw.write = positive("write_bandwidth");
  return bw;
}

// A level built from a registered component (level_component.h): its prices,
// words, capacity, leakage and bandwidth are the component's, so the level
// may not give them too. Its sizes and bandwidth count bits, each tensor's
// values at their width (`bits`). Returns its bandwidth.
LevelBandwidth from_component(const ConfigNode& l, const LevelTechnology& t, const TensorBits& bits,
                              const std::array<bool, kOperands>& keeps, LevelPrices& p, LevelLimits& lim, double& area,
                              std::array<int64_t, kOperands>& access_bits) {
  for (const char* key : {"energy_pj", "leak_pj_per_cycle", "bandwidth", "read_bandwidth", "write_bandwidth"})
    if (l.has(key)) l.fail(key, "the level's component sets this; give the component or this key, not both");
  const ComponentLevel c = component_level(l.child("component"), t, bits, keeps, p.block_words[0]);
  lim.in_bits = true;
  for (int o = 0; o < kOperands; ++o) lim.units[o] = bits[o];
  if (c.size_bits > 0) {  // a buffer: its word and its capacity are the component's
    for (const char* key : {"block_words", "size"})
      if (l.has(key)) l.fail(key, "the level's component sets this (its width over word_bits, its size); give one or the other");
    lim.size = c.size_bits;
    int64_t partitioned = 0;
    for (const LevelPartition& part : lim.partitions) partitioned += part.size;
    if (partitioned > lim.size)
      l.fail("partitions", fmt::format("the partitions take {} bits, more than the component's {}", partitioned, lim.size));
  }
  p.block_words = c.block_words;
  for (int o = 0; o < kOperands; ++o)
    if (keeps[o]) access_bits[o] = c.access_bits[o];
  for (int o = 0; o < kOperands; ++o)
    if (keeps[o]) p.pj[o] = {c.read_pj[o], c.write_pj[o], c.write_pj[o]};  // an update writes a word
  p.leak_pj_per_cycle = c.leak_pj_per_cycle;
  area = c.area_mm2;
  if (c.separate_ports) return LevelBandwidth{c.bandwidth_bits, c.bandwidth_bits, 0};
  return LevelBandwidth{0, 0, c.bandwidth_bits};
}

// A partition's size in bits, on a level built from a component: a data
// size (`100 KiB`), or a number of values when its tensors share one width.
int64_t partition_bits(const ConfigNode& p, const LevelPartition& part, const TensorBits& bits) {
  const std::string text = p.text("size");
  if (text.find_first_not_of("0123456789") != std::string::npos) return p.whole_bits("size", int64_t{1} << 50);
  int width = 0;
  for (int t = 0; t < kOperands; ++t) {
    if (!part.tensors[t]) continue;
    if (width != 0 && width != bits[t])
      p.fail("size", fmt::format("the partition's tensors differ in width ({} and {} bits): give its size as data, e.g. "
                                 "'100 KiB', not as a number of values",
                                 width, bits[t]));
    width = bits[t];
  }
  return p.integer_in("size", 1, int64_t{1} << 40) * width;
}

// A level's partitions: each names tensors the level keeps, no tensor in two,
// and together they take no more than the level's size.
// `bits` (a level built from a component): sizes in bits (partition_bits).
std::vector<LevelPartition> parse_partitions(const ConfigNode& level, const std::array<bool, kOperands>& keeps,
                                             int64_t size, const TensorBits* bits) {
  std::vector<LevelPartition> out;
  if (!level.has("partitions")) return out;
  std::array<bool, kOperands> taken{};
  int64_t total = 0;
  for (const ConfigNode& p : level.child("partitions").items()) {
    p.expect_map("a partition: {keeps: [...], size: values}");
    LevelPartition part;
    part.tensors = parse_keeps(p);
    if (part.tensors == std::array<bool, kOperands>{}) p.fail("keeps", "a partition holds at least one tensor");
    for (int t = 0; t < kOperands; ++t) {
      if (!part.tensors[t]) continue;
      if (!keeps[t])
        p.fail("keeps", fmt::format("the partition holds {}, but its level does not keep them (keeps)", kTensorKeys[t]));
      if (taken[t]) p.fail("keeps", fmt::format("{} are already in another partition of this level", kTensorKeys[t]));
      taken[t] = true;
    }
    part.size = bits ? partition_bits(p, part, *bits) : p.integer_in("size", 1, int64_t{1} << 50);
    p.reject_unknown_keys();
    total += part.size;
    if (size > 0 && total > size)
      p.fail("size", fmt::format("the level's partitions take {} values so far, more than its size of {}", total, size));
    out.push_back(part);
  }
  return out;
}

std::array<double, kLevelActions> parse_actions(const ConfigNode& node) {
  std::array<double, kLevelActions> pj{};
  for (int a = 0; a < kLevelActions; ++a) {
    pj[a] = node.number(kActionKeys[a]);
    if (pj[a] < 0) node.fail(kActionKeys[a], "expected an energy of 0 pJ or more");
  }
  node.reject_unknown_keys();
  return pj;
}

// One price for every tensor, or one per tensor the level keeps.
void parse_energy(const ConfigNode& level, const std::array<bool, kOperands>& keeps, LevelPrices& p) {
  const ConfigNode e = level.child("energy_pj");
  e.expect_map("energy per access: {read, write, update} or one such mapping per tensor");
  if (e.has("read") || e.has("write") || e.has("update")) {
    const auto all = parse_actions(e);
    for (auto& t : p.pj) t = all;
    return;
  }
  for (int o = 0; o < kOperands; ++o) {
    if (!keeps[o]) continue;
    if (!e.has(kTensorKeys[o])) e.fail(kTensorKeys[o], "the level keeps this tensor, so its energy per access is needed");
    p.pj[o] = parse_actions(e.child(kTensorKeys[o]));
  }
  e.reject_unknown_keys();
}

const Layer& find_layer(const ConfigNode& root, const Workload& w) {
  if (!root.has("layer")) {
    if (w.layers.empty()) root.fail("workload", "the workload has no layers");
    return w.layers.front();
  }
  const std::string name = root.text("layer");
  for (const Layer& l : w.layers)
    if (l.name == name) {
      if (!layer_uses_array(l.type)) root.fail("layer", fmt::format("layer '{}' is not a convolution or fully connected layer", name));
      return l;
    }
  root.fail("layer", fmt::format("no layer '{}' in the workload", name));
}

}  // namespace

LevelDesign load_level_design(const std::string& path, LevelDesignUse use) {
  return load_level_design(ConfigNode::load_file(path), use);
}

LevelDesign load_level_design(const ConfigNode& root, LevelDesignUse use) {
  root.expect_map("a level design");
  LevelDesign d;
  d.file = root.file();
  d.name = root.text("name", std::filesystem::path(d.file).stem().string());
  if (root.has("description")) root.text("description");  // for readers; marked as known
  const bool mapped = use == LevelDesignUse::Mapped;
  if (mapped || root.has("workload")) {
    const std::filesystem::path wl = std::filesystem::path(d.file).parent_path() / root.text("workload");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(wl, ec))
      root.fail("workload", "no workload file '" + wl.string() + "'; expected a trace relative to this file");
    const Workload w = load_workload(wl.string());
    const Layer& layer = find_layer(root, w);
    d.layer = layer.name;
    d.bounds = loop_bounds(layer, w.batch);
  }

  const std::vector<ConfigNode> levels = root.child("levels").items();
  if (levels.empty()) root.fail("levels", "expected at least one storage level");
  // Levels built from registered components take their prices from the
  // design's technology and energy table.
  std::optional<LevelTechnology> tech;
  const bool uses_components =
      std::any_of(levels.begin(), levels.end(), [](const ConfigNode& l) { return l.is_map() && l.has("component"); });
  if (uses_components || root.has("technology") || root.has("energy_table") || root.has("word_bits")) {
    for (const char* key : {"technology", "energy_table", "word_bits"})
      if (!root.has(key))
        root.fail(key, "a design whose levels name registered components needs its technology, energy_table and "
                       "word_bits (the bits of one value)");
    tech = parse_level_technology(root);
    d.clock_hz = tech->tech.clock_hz;
  }
  std::vector<int> output_bits;  // per level: the width it keeps outputs at (0: it does not, or no widths are given)
  for (const ConfigNode& l : levels) {
    l.expect_map("a storage level");
    StorageLevel s;
    s.name = l.text("name");
    s.keeps = parse_keeps(l);
    s.temporal = parse_loops(l, "temporal");
    s.spatial = parse_loops(l, "spatial");
    if (!mapped) s.temporal.clear(), s.spatial.clear();  // the search chooses them
    if (l.has("multicast")) {
      const std::string m = l.text("multicast");
      if (m != "per_value" && m != "per_dimension")
        l.fail("multicast", fmt::format("expected per_value or per_dimension, found '{}'", m));
      s.multicast_per_value = m == "per_value";
    }
    // The widths of the values this level holds or carries: the design's, or the level's own.
    if (l.has("word_bits") && !tech) l.fail("word_bits", "widths go with levels built from registered components (component:)");
    const TensorBits bits = !tech ? TensorBits{} : l.has("word_bits") ? parse_word_bits(l, "word_bits", tech->word_bits)
                                                                      : tech->word_bits;
    const bool component_storage = l.has("component") && s.keeps != std::array<bool, kOperands>{};
    LevelLimits lim;
    lim.size = l.integer("size", 1, 0);
    lim.partitions = parse_partitions(l, s.keeps, lim.size, component_storage ? &bits : nullptr);
    lim.spatial_dims = parse_dims(l, "spatial_dims");
    lim.temporal_dims = parse_dims(l, "temporal_dims");
    LevelPrices p;
    p.instances = l.integer_in("instances", 1, kMaxLevelFactor, 1);
    p.block_words.fill(l.integer_in("block_words", 1, 1 << 16, 1));
    p.cluster = l.integer_in("cluster", 1, kMaxLevelFactor, 1);
    if (p.instances % p.cluster != 0) l.fail("cluster", fmt::format("{} instances do not split into clusters of {}", p.instances, p.cluster));
    LevelNetwork net;
    double area = 0;  // one instance's, from its component
    std::array<int64_t, kOperands> access_bits{};
    if (l.has("pack") && !l.has("component"))
      l.fail("pack", "packing goes with levels built from registered components (component:), whose words have a width");
    const bool packs = l.has("component") && l.flag("pack", true);
    if (l.has("component") && s.keeps == std::array<bool, kOperands>{}) {  // a fan-out's network
      const ComponentNetwork n = component_network(l.child("component"), *tech);
      net = {true, n.pj_per_bit, {}, n.network, n.width_bits};
      for (int o = 0; o < kOperands; ++o) net.value_bits[o] = bits[o];
      area = n.area_mm2;
      d.bandwidth.push_back(LevelBandwidth{});
    } else if (l.has("component")) {
      d.bandwidth.push_back(from_component(l, *tech, bits, s.keeps, p, lim, area, access_bits));
    } else {
      if (l.has("energy_pj")) parse_energy(l, s.keeps, p);
      else if (s.keeps != std::array<bool, kOperands>{}) l.fail("energy_pj", "a level that keeps a tensor needs its energy per access");
      p.leak_pj_per_cycle = l.has("leak_pj_per_cycle") ? l.number("leak_pj_per_cycle") : 0.0;
      if (p.leak_pj_per_cycle < 0) l.fail("leak_pj_per_cycle", "expected a leakage of 0 pJ per cycle or more");
      d.bandwidth.push_back(parse_bandwidth(l));
    }
    l.reject_unknown_keys();
    d.nest.levels.push_back(std::move(s));
    d.prices.push_back(p);
    d.limits.push_back(lim);
    d.networks.push_back(net);
    d.word_bits.push_back(bits);
    d.packs.push_back(packs);
    d.access_bits.push_back(access_bits);
    d.value_bits.push_back({static_cast<double>(bits[0]), static_cast<double>(bits[1]), static_cast<double>(bits[2])});
    d.area_mm2.push_back(area);
    output_bits.push_back(s.keeps[static_cast<std::size_t>(Operand::Outputs)] ? bits[static_cast<std::size_t>(Operand::Outputs)] : 0);
  }
  // Partial sums are as wide as the widest outputs any level keeps; a level
  // keeping them narrower holds requantized, finished outputs only.
  const int psum_bits = *std::max_element(output_bits.begin(), output_bits.end());
  for (int b : output_bits) d.final_outputs_only.push_back(b > 0 && b < psum_bits);
  // Every tensor starts in the outermost level (DRAM): a level inside it that
  // keeps a tensor the outermost does not would have nothing to fill it from.
  for (int t = 0; t < kOperands; ++t)
    if (!d.nest.levels.front().keeps[t])
      levels.front().fail("keeps", fmt::format("the outermost level holds every tensor at the start and end of the layer, so "
                                               "it must keep weights, inputs and outputs ({} missing)",
                                               kTensorKeys[t]));
  const ConfigNode c = root.child("compute");
  c.expect_map("the compute units: {name, instances, energy_pj}");
  d.compute_name = c.text("name");
  d.compute_instances = c.integer_in("instances", 1, kMaxLevelFactor);
  if (c.has("mac")) {  // a registered MAC class, priced from the energy table
    if (!tech) c.fail("mac", "a MAC class needs the design's technology, energy_table and word_bits");
    if (c.has("energy_pj")) c.fail("energy_pj", "the compute's MAC class sets this; give the class or the energy, not both");
    d.energy_table = tech->table;
    ComponentCompute mac = mac_compute(c.child("mac"), *tech);
    d.compute_pj = mac.energy_pj;
    d.compute_area_mm2 = mac.area_mm2;
    d.mac = std::move(mac.mac);
    d.register_bit_pj = tech->table->energy_pj("register_file_per_bit", c.child("mac"));
  } else {
    d.compute_pj = c.number("energy_pj");
    if (d.compute_pj < 0) c.fail("energy_pj", "expected an energy of 0 pJ per compute or more");
  }
  c.reject_unknown_keys();
  if (root.has("vector")) {
    if (!tech) root.fail("vector", "a vector unit needs the design's technology, energy_table and word_bits");
    if (levels.size() < 2) root.fail("vector", "a vector unit sits beside an on-chip level; the design has only off-chip memory");
    const ConfigNode v = root.child("vector");
    v.expect_map("a registered vector unit: {class: VectorUnit, lanes: ..., bits: ...}");
    const std::string cls = v.text("class");
    d.energy_table = tech->table;
    d.vector = VectorSpec::Registry::instance().create(cls, v, BuildContext{tech->tech, *d.energy_table});
    if (!d.vector)
      v.fail("class", fmt::format("unknown class '{}' for a vector unit; registered classes are {}", cls,
                                  VectorSpec::Registry::instance().known_names()));
  }
  // How a run times the layers (sim/level_run.h): in closed form, every
  // transfer hidden behind computation, or stepped by the SystemC engine.
  const std::string time = root.text("time", "closed_form");
  if (time != "closed_form" && time != "simulated")
    root.fail("time", fmt::format("expected closed_form (the busiest level or the compute units set the time) or "
                                  "simulated (the SystemC engine steps the mapping), not '{}'", time));
  d.simulated_time = time == "simulated";
  root.reject_unknown_keys();
  // The chip's area is known when every level below off-chip memory, and the
  // compute units, are components; a fan-out without one (no network priced) has none.
  d.area_complete = c.has("mac");
  for (std::size_t i = 1; i < levels.size(); ++i)
    d.area_complete = d.area_complete && (levels[i].has("component") || d.nest.levels[i].keeps == std::array<bool, kOperands>{});

  // Each level fans out to the instances below it, and no further.
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const int64_t below = i + 1 < levels.size() ? d.prices[i + 1].instances : d.compute_instances;
    if (below % d.prices[i].instances != 0) {
      // Either figure may be the one to change: name where the other is set.
      const std::string where_below =
          i + 1 < levels.size() ? fmt::format("levels[{}].instances", i + 1) : std::string("compute.instances");
      levels[i].fail("instances", fmt::format("{} instances cannot share the {} below them ({}) evenly; each must "
                                              "divide the next",
                                              d.prices[i].instances, below, where_below));
    }
    d.limits[i].fanout = below / d.prices[i].instances;
    if (d.limits[i].fanout == 1 && d.networks[i].present)
      levels[i].fail("component", "only a level that fans out (fewer instances than the level below) has a network");
    if (d.limits[i].fanout == 1 && levels[i].has("multicast"))
      levels[i].fail("multicast", "only a level that fans out (fewer instances than the level below) has a network to multicast on");
    int64_t fan = 1;  // stops growing once past the fan-out, so it cannot overflow
    for (const LevelLoop& x : d.nest.levels[i].spatial)
      if (fan <= d.limits[i].fanout) fan *= x.factor;
    if (fan > below / d.prices[i].instances)
      levels[i].fail("spatial", fmt::format("the spatial factors use {} instances below each of these, but there are {}", fan,
                                            below / d.prices[i].instances));
  }
  if (!mapped) return d;
  try {
    check_level_nest(d.nest, d.bounds);
  } catch (const std::invalid_argument& e) {
    root.fail("levels", e.what());
  }
  if (const std::string broken = limits_broken(d.nest, d.limits, d.bounds); !broken.empty()) root.fail("levels", broken);
  if (const std::string broken = accumulation_broken(d, count_level_accesses(d.nest, d.bounds)); !broken.empty())
    root.fail("levels", broken);
  return d;
}

double LevelEnergy::total_pj() const {
  double t = leak_pj;
  for (double e : accesses_pj) t += e;
  for (double e : network_pj) t += e;
  return t;
}

uint64_t values_crossing(const LevelNest& nest, const LevelNestCounts& c, std::size_t level, Operand o) {
  const auto t = static_cast<std::size_t>(o);
  for (std::size_t k = level; k-- > 0;)
    if (nest.levels[k].keeps[t]) return c.level[k][o].reads + c.level[k][o].updates;
  return 0;  // nothing above keeps it (the outermost level keeps every tensor, so never for a loaded design)
}

// An instance's index counts through the fan-outs above it, the outermost as
// the most significant digit.
double cluster_sharing(const LevelDesign& d, const LevelNest& nest, std::size_t level) {
  const int64_t cluster = d.prices[level].cluster;
  if (cluster == 1) return 1;
  std::vector<int64_t> indices{0};
  for (std::size_t l = 0; l < level; ++l) {
    int64_t used = 1;
    for (const LevelLoop& x : nest.levels[l].spatial) used *= x.factor;
    const int64_t fanout = d.limits[l].fanout;
    std::vector<int64_t> next;
    for (int64_t i : indices)
      for (int64_t digit = 0; digit < used; ++digit) next.push_back(i * fanout + digit);
    indices.swap(next);
  }
  std::vector<int64_t> clusters;
  for (int64_t i : indices) clusters.push_back(i / cluster);
  std::sort(clusters.begin(), clusters.end());
  clusters.erase(std::unique(clusters.begin(), clusters.end()), clusters.end());
  return static_cast<double>(indices.size()) / static_cast<double>(clusters.size());
}

LevelEnergy price_level(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& c, std::size_t l,
                        uint64_t cycles, double shared) {
  LevelEnergy out;
  const LevelPrices& p = d.prices[l];
  for (int t = 0; t < kOperands; ++t) {
    const Operand o = static_cast<Operand>(t);
    const TensorAccesses& a = c.level[l][o];
    out.accesses_pj[t] = (a.reads * p.per_value(o, LevelAction::Read) + a.fills * p.per_value(o, LevelAction::Write) +
                          a.updates * p.per_value(o, LevelAction::Update)) / shared;
    out.drains_pj[t] = a.drains * p.per_value(o, LevelAction::Read) / shared;
  }
  out.leak_pj = p.leak_pj_per_cycle * static_cast<double>(cycles) * static_cast<double>(c.level[l].instances_used);
  if (l < d.networks.size() && d.networks[l].present)
    for (int t = 0; t < kOperands; ++t)
      out.network_pj[t] = static_cast<double>(values_crossing(nest, c, l, static_cast<Operand>(t))) *
                          d.networks[l].value_bits[t] * d.networks[l].pj_per_bit;
  return out;
}

std::vector<LevelEnergy> price_levels(const LevelDesign& d, const LevelNest& nest, const LevelNestCounts& c) {
  const uint64_t cycles = level_cycles_total(d, c);  // leakage lasts as long as the layer does
  std::vector<LevelEnergy> out(d.prices.size());
  for (std::size_t l = 0; l < out.size(); ++l) out[l] = price_level(d, nest, c, l, cycles, cluster_sharing(d, nest, l));
  return out;
}

}  // namespace qnnsim
