#include "importer/timeloop_import.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <array>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "core/config_node.h"

namespace qnnsim {

namespace {

struct Component {
  std::string name;  // without its instance range
  int64_t instances = 1;
  std::string cls;
  bool compute = false;
  int64_t block_words = 1;
  int64_t cluster = 1;
  ConfigNode node;
  int64_t size_words = 0;  // 0: unbounded (no depth given, as DRAM)
};

// "PE[0..167]" -> 168 instances of "PE"; "DRAM" -> 1 of "DRAM".
std::pair<std::string, int64_t> name_and_count(const ConfigNode& where, const std::string& name) {
  const std::size_t open = name.find('[');
  if (open == std::string::npos) return {name, 1};
  long long lo = 0, hi = 0;
  char tail = 0;
  if (std::sscanf(name.c_str() + open, "[%lld..%lld%c", &lo, &hi, &tail) != 3 || tail != ']' || hi < lo || lo < 0)
    where.fail("name", fmt::format("expected a name with an instance range such as 'PE[0..167]', found '{}'", name));
  return {name.substr(0, open), hi - lo + 1};
}

bool is_compute_class(const std::string& c) { return c == "compute" || c.find("mac") != std::string::npos; }
bool is_storage_class(const std::string& c) {
  for (const char* k : {"DRAM", "SRAM", "regfile", "smartbuffer", "storage", "register", "buffer"})
    if (c.find(k) != std::string::npos) return true;
  return false;
}

int64_t attribute(const ConfigNode& attrs, std::initializer_list<const char*> keys, int64_t fallback) {
  for (const char* k : keys)
    if (attrs.has(k)) return attrs.integer(k, 1);
  return fallback;
}

void walk(const ConfigNode& node, int64_t instances, std::vector<Component>& out) {
  if (node.has("local"))
    for (const ConfigNode& item : node.child("local").items()) {
      Component c{"", 1, "", false, 1, 1, item};
      auto [name, count] = name_and_count(item, item.text("name"));
      c.name = name;
      c.instances = instances * count;
      c.cls = item.text("class");
      c.compute = is_compute_class(c.cls);
      if (!c.compute && !is_storage_class(c.cls))
        item.fail("class", fmt::format("class '{}' is neither a storage level (DRAM, SRAM, regfile, smartbuffer_*, storage, "
                                       "dummy_storage) nor a compute unit (intmac, mac, compute)", c.cls));
      if (item.has("attributes")) {
        const ConfigNode a = item.child("attributes");
        const int64_t word = attribute(a, {"datawidth", "word-bits", "word_bits"}, 0);
        const int64_t width = attribute(a, {"width", "memory_width"}, 0);
        // A cluster of instances shares one access of the full width (Timeloop's cluster_size).
        c.cluster = attribute(a, {"cluster_size", "cluster-size"}, 1);
        const int64_t per_instance = word > 0 && width >= word * c.cluster ? width / (word * c.cluster) : 1;
        c.block_words = attribute(a, {"block-size", "block_size"}, per_instance);
        // Timeloop's capacity: depth rows of `width` bits, each row width ÷
        // word-bits words (Eyeriss' shared_glb: 16384 x 64 bit of 16-bit words).
        const int64_t depth = attribute(a, {"depth", "memory_depth"}, 0);
        if (depth > 0) c.size_words = depth * (word > 0 && width >= word ? width / word : 1);
      }
      out.push_back(c);
    }
  if (node.has("subtree"))
    for (const ConfigNode& child : node.child("subtree").items()) {
      walk(child, instances * name_and_count(child, child.text("name")).second, out);
    }
}

// Energy per action of each component, by its name without path or range.
std::map<std::string, std::map<std::string, double>> read_ert(const ConfigNode& root) {
  std::map<std::string, std::map<std::string, double>> ert;
  for (const ConfigNode& table : root.child("ERT").child("tables").items()) {
    // "system_top_level.PE[0..167].ifmap_spad" -> "ifmap_spad": ranges out, then the last part.
    std::string name;
    int depth = 0;
    for (char ch : table.text("name")) {
      if (ch == '[') ++depth;
      if (depth == 0) name += ch;
      if (ch == ']') --depth;
    }
    name = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
    for (const ConfigNode& action : table.child("actions").items()) ert[name][action.text("name")] = action.number("energy");
  }
  return ert;
}

constexpr const char* kDims = "NMCPQRS";  // Timeloop's conv dimensions (qnnsim adds G = 1)

// "C1 M8 R1 ..." in the order of `permutation` (innermost first) -> "[M8, ...]" outermost first.
std::string loops(const ConfigNode& entry) {
  std::map<char, long long> factor;
  std::istringstream in(entry.text("factors"));
  std::string tok;
  while (in >> tok) {
    long long f = 0;
    char extra = 0;
    if (tok.size() < 2 || !std::strchr(kDims, tok[0]) || std::sscanf(tok.c_str() + 1, "%lld%c", &f, &extra) != 1 || f < 1)
      entry.fail("factors", fmt::format("expected factors such as 'C1 M8 R3', found '{}'", tok));
    factor[tok[0]] = f;
  }
  std::string order = entry.has("permutation") ? entry.text("permutation") : std::string(kDims);
  for (char d : order)
    if (!std::strchr(kDims, d)) entry.fail("permutation", fmt::format("unknown dimension '{}' (expected {})", d, kDims));
  for (const auto& [d, f] : factor)  // dimensions the permutation leaves out iterate outermost
    if (order.find(d) == std::string::npos) order += d;
  std::vector<std::string> out;
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (factor.count(*it) && factor[*it] > 1) out.push_back(fmt::format("{}{}", *it, factor[*it]));
  std::string s = "[";
  for (std::size_t i = 0; i < out.size(); ++i) s += (i ? ", " : "") + out[i];
  return s + "]";
}

std::string keeps(const ConfigNode& entry) {
  std::vector<std::string> kept;
  if (entry.has("keep"))
    for (const ConfigNode& t : entry.child("keep").items()) {
      const std::string name = t.as_text();
      if (name == "Weights") kept.push_back("weights");
      else if (name == "Inputs") kept.push_back("inputs");
      else if (name == "Outputs") kept.push_back("outputs");
      else t.fail_here(fmt::format("expected Weights, Inputs or Outputs (a conv2D problem's data spaces), found '{}'", name));
    }
  std::string s = "[";
  for (std::size_t i = 0; i < kept.size(); ++i) s += (i ? ", " : "") + kept[i];
  return s + "]";
}

struct MappingOf {
  std::string keeps, temporal, spatial;
  bool has_keeps = false;
};

std::string workload_text(const ConfigNode& problem, int64_t bits, std::vector<std::string>& notes) {
  if (problem.has("shape") && problem.child("shape").has("name")) {
    const std::string shape = problem.child("shape").text("name");
    if (shape != "conv2D" && shape != "CNN-Layer" && shape != "CNN_Layer")
      problem.child("shape").fail("name", fmt::format("only convolution problems (conv2D) import; found '{}'", shape));
  }
  const ConfigNode in = problem.child("instance");
  const auto get = [&](const char* k, int64_t fallback) { return in.has(k) ? in.integer(k, 0) : fallback; };
  const int64_t N = get("N", 1), M = get("M", 1), C = get("C", 1), P = get("P", 1), Q = get("Q", 1), R = get("R", 1),
                S = get("S", 1);
  const int64_t hs = get("Hstride", 1), ws = get("Wstride", 1), hd = get("Hdilation", 1), wd = get("Wdilation", 1);
  const int64_t hp = get("Hpad", 0), wp = get("Wpad", 0);
  if (hs != ws) in.fail("Wstride", "qnnsim layers have one stride; Hstride and Wstride differ");
  if (hd != wd) in.fail("Wdilation", "qnnsim layers have one dilation; Hdilation and Wdilation differ");
  if (hp != wp) in.fail("Wpad", "qnnsim layers have one padding; Hpad and Wpad differ");
  // Timeloop sizes the input from the projection; qnnsim from the image and its padding.
  const int64_t H = get("H", (P - 1) * hs + (R - 1) * hd + 1 - 2 * hp), W = get("W", (Q - 1) * ws + (S - 1) * wd + 1 - 2 * wp);
  if ((H + 2 * hp - hd * (R - 1) - 1) / hs + 1 != P || (W + 2 * wp - wd * (S - 1) - 1) / ws + 1 != Q)
    in.fail("P", fmt::format("an input of {}x{} with padding {} and stride {} does not give P {} and Q {}", H, W, hp, hs, P, Q));
  if (hp > 0) notes.push_back(fmt::format("padding {} is not fetched in qnnsim (Timeloop counts it as data)", hp));
  return fmt::format(
      "# Imported from a Timeloop problem by qnnsim import-arch.\nnetwork: timeloop_problem\nbatch: {}\n"
      "precision:\n  weights: {{bits: {b}, scheme: uniform_symmetric}}\n  inputs: {{bits: {b}, scheme: uniform_asymmetric}}\n"
      "  outputs: {{bits: {b}, scheme: uniform_asymmetric}}\n  accumulator: {{bits: {b}, scheme: uniform_symmetric}}\n"
      "input: {{C: {}, H: {}, W: {}}}\nlayers:\n  - {{name: layer, type: conv, C: {}, H: {}, W: {}, M: {}, R: {}, S: {}, "
      "stride: {}, padding: {}, dilation: {}}}\n",
      N, C, H, W, C, H, W, M, R, S, hs, hp, hd, fmt::arg("b", bits));
}

}  // namespace

ImportedDesign import_timeloop(const TimeloopFiles& files, const std::string& workload_file) {
  ImportedDesign out;
  const ConfigNode arch_root = ConfigNode::load_file(files.arch);
  std::vector<Component> parts;
  walk(arch_root.child("architecture"), 1, parts);
  const auto compute = std::find_if(parts.begin(), parts.end(), [](const Component& c) { return c.compute; });
  if (compute == parts.end()) arch_root.fail("architecture", "no compute unit (a class such as intmac) in the architecture");
  if (compute + 1 != parts.end())
    (compute + 1)->node.fail_here("qnnsim's level analysis puts the compute units innermost; this component is below them");

  const ConfigNode ert_root = ConfigNode::load_file(files.ert);
  const auto ert = read_ert(ert_root);
  const ConfigNode map_root = ConfigNode::load_file(files.mapping);
  std::map<std::string, MappingOf> mapping;
  for (const ConfigNode& e : map_root.child("mapping").items()) {
    const std::string target = e.text("target"), type = e.text("type");
    const bool known = std::any_of(parts.begin(), parts.end(), [&](const Component& c) { return c.name == target && !c.compute; });
    if (!known) e.fail("target", fmt::format("no storage level '{}' in {}", target, files.arch));
    if (type == "datatype" || type == "bypass") {
      mapping[target].keeps = keeps(e);
      mapping[target].has_keeps = true;
    } else if (type == "temporal") {
      mapping[target].temporal = loops(e);
    } else if (type == "spatial") {
      mapping[target].spatial = loops(e);
    } else {
      e.fail("type", fmt::format("expected datatype, temporal or spatial, found '{}'", type));
    }
  }

  const ConfigNode problem_root = ConfigNode::load_file(files.problem);
  std::string text = fmt::format("# Imported from Timeloop by qnnsim import-arch: {}, {}, {}.\nworkload: {}\nlevels:\n",
                                 files.arch, files.ert, files.mapping, workload_file);
  int64_t bits = 16;
  for (auto c = parts.begin(); c != compute; ++c) {
    const MappingOf& m = mapping[c->name];
    const bool dummy = c->cls == "dummy_storage";
    if (!m.has_keeps && !dummy)
      map_root.fail("mapping", fmt::format("no datatype entry (keep/bypass) for level '{}'", c->name));
    if (c == parts.begin() && c->node.has("attributes")) bits = attribute(c->node.child("attributes"), {"datawidth", "word-bits"}, 16);
    text += fmt::format("  - name: {}\n    instances: {}\n    keeps: {}\n", c->name, c->instances, m.has_keeps ? m.keeps : "[]");
    if (!dummy && m.keeps != "[]") {
      const auto price = ert.find(c->name);
      if (price == ert.end()) ert_root.fail("ERT", fmt::format("no energy table for level '{}'", c->name));
      const auto pj = [&](const char* action) {
        const auto a = price->second.find(action);
        if (a == price->second.end()) ert_root.fail("ERT", fmt::format("level '{}' has no '{}' action", c->name, action));
        return a->second;
      };
      text += fmt::format("    block_words: {}\n    energy_pj: {{read: {}, write: {}, update: {}}}\n", c->block_words, pj("read"),
                          pj("write"), pj("update"));
      if (c->size_words > 0) text += fmt::format("    size: {}   # Timeloop's depth x width / word bits\n", c->size_words);
      if (c->cluster > 1) text += fmt::format("    cluster: {}\n", c->cluster);
      if (price->second.count("leak")) text += fmt::format("    leak_pj_per_cycle: {}\n", price->second.at("leak"));
    }
    if (!m.temporal.empty() && m.temporal != "[]") text += fmt::format("    temporal: {}\n", m.temporal);
    if (!m.spatial.empty() && m.spatial != "[]") {
      text += fmt::format("    spatial: {}\n    multicast: per_dimension   # Timeloop's default network\n", m.spatial);
    }
  }
  const auto mac = ert.find(compute->name);
  if (mac == ert.end() || !mac->second.count("compute"))
    ert_root.fail("ERT", fmt::format("no 'compute' action for the compute unit '{}'", compute->name));
  text += fmt::format("compute: {{name: {}, instances: {}, energy_pj: {}}}\n", compute->name, compute->instances,
                      mac->second.at("compute"));
  out.design_yaml = text;
  out.workload_yaml = workload_text(problem_root.child("problem"), bits, out.notes);
  out.notes.push_back("networks multicast per dimension, as Timeloop's default network does");
  return out;
}

}  // namespace qnnsim
