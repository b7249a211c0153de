#include "energy/energy_table.h"

#include <algorithm>
#include <cmath>
#include <mutex>

#include "core/yaml_guard.h"

namespace qnnsim {

double interpolate_log_log(const std::vector<std::pair<double, double>>& pts, double x) {
  if (pts.size() == 1) return pts[0].second * x / pts[0].first;
  std::size_t hi = 1;
  while (hi + 1 < pts.size() && x > pts[hi].first) ++hi;
  const auto& [x0, y0] = pts[hi - 1];
  const auto& [x1, y1] = pts[hi];
  const double slope = std::log(y1 / y0) / std::log(x1 / x0);
  return y0 * std::pow(x / x0, slope);
}

EnergyTable::Section EnergyTable::parse_section(const ConfigNode& node, Dimension d) {
  Section out;
  for (const auto& key : node.keys()) {
    const ConfigNode item = node.child(key);
    Entry e;
    if (item.is_scalar()) {
      e.scalar = node.positive_quantity(key, d);
    } else if (item.is_sequence()) {
      for (const auto& point : item.items()) {
        const auto pair = point.items();
        if (pair.size() != 2) point.fail_here("expected a point [x, value], e.g. [8, 0.2 pJ]");
        std::string why;
        const std::string xs = pair[0].as_text();
        const auto x = parse_number(xs);
        if (!x || *x <= 0) pair[0].fail_here("expected a finite number greater than zero for x, found '" + xs + "'");
        const std::string ys = pair[1].as_text();
        const auto y = parse_quantity(ys, d, why);
        if (!y || *y <= 0)
          pair[1].fail_here(std::string("expected ") + dimension_name(d) + " > 0, found '" + ys + "'" +
                            (why.empty() ? "" : " (" + why + ")"));
        e.curve.emplace_back(*x, *y);
      }
      std::sort(e.curve.begin(), e.curve.end());
      if (e.curve.empty()) item.fail_here("a curve needs at least one point");
      for (std::size_t i = 1; i < e.curve.size(); ++i)
        if (e.curve[i].first == e.curve[i - 1].first)
          item.fail_here("two points of the curve have the same x (" + std::to_string(e.curve[i].first) + ")");
    } else {
      for (const auto& k : item.keys()) e.keyed[k] = item.positive_quantity(k, d);
    }
    out[key] = e;
  }
  return out;
}

EnergyTable EnergyTable::load(const std::string& path) {
  // Keyed by the text, not only the path: an edited file is parsed again.
  static std::mutex guard;
  static std::map<std::string, std::pair<std::string, EnergyTable>> parsed;  // path -> (text, table)
  const std::string text = read_config_text(path);
  const std::lock_guard<std::mutex> lock(guard);
  const auto found = parsed.find(path);
  if (found != parsed.end() && found->second.first == text) return found->second.second;
  EnergyTable t = parse(text, path);  // a bad table throws each time, as it would uncached
  parsed.insert_or_assign(path, std::make_pair(text, t));
  return t;
}

EnergyTable EnergyTable::parse(const std::string& text, const std::string& path) {
  const ConfigNode root = ConfigNode::load_string(text, path);
  EnergyTable t;
  t.file_ = path;
  t.name_ = root.text("name");
  t.node_m_ = root.positive_quantity("node", Dimension::Length);
  t.voltage_v_ = root.positive_quantity("voltage", Dimension::Voltage);
  root.text("source", "");
  t.energy_ = parse_section(root.child("energy"), Dimension::Energy);
  if (root.has("area")) t.area_ = parse_section(root.child("area"), Dimension::Area);
  root.reject_unknown_keys();
  return t;
}

const EnergyTable::Entry& EnergyTable::find(const Section& s, const std::string& section,
                                            const std::string& entry, const ConfigNode& user) const {
  const auto it = s.find(entry);
  if (it == s.end())
    user.fail_here("energy table '" + file_ + "' has no " + section + " entry '" + entry +
                   "', which this component needs");
  return it->second;
}

double EnergyTable::scalar(const Section& s, const std::string& section, const std::string& entry,
                           const ConfigNode& user) const {
  const Entry& e = find(s, section, entry, user);
  if (e.scalar < 0) user.fail_here(section + " table entry '" + entry + "' in '" + file_ + "' must be a single value");
  return e.scalar;
}

double EnergyTable::curve(const Section& s, const std::string& section, const std::string& entry, double x,
                          const ConfigNode& user) const {
  const Entry& e = find(s, section, entry, user);
  if (e.curve.empty())
    user.fail_here(section + " table entry '" + entry + "' in '" + file_ + "' must be a list of [x, value] points");
  return interpolate_log_log(e.curve, x);
}

// Entries are stored in SI units (J, m^2); the accessors return pJ and um^2.
double EnergyTable::energy_pj(const std::string& entry, const ConfigNode& user) const {
  return scalar(energy_, "energy", entry, user) * 1e12;
}

double EnergyTable::energy_curve_pj(const std::string& entry, double x, const ConfigNode& user) const {
  return curve(energy_, "energy", entry, x, user) * 1e12;
}

double EnergyTable::area_um2(const std::string& entry, const ConfigNode& user) const {
  return scalar(area_, "area", entry, user) * 1e12;
}

double EnergyTable::area_curve_um2(const std::string& entry, double x, const ConfigNode& user) const {
  return curve(area_, "area", entry, x, user) * 1e12;
}

double EnergyTable::energy_keyed_pj(const std::string& entry, const std::string& key, const ConfigNode& user,
                                    const std::string& user_key) const {
  const Entry& e = find(energy_, "energy", entry, user);
  const auto it = e.keyed.find(key);
  if (it == e.keyed.end()) {
    std::string known;
    for (const auto& [k, v] : e.keyed) known += (known.empty() ? "" : ", ") + k;
    user.fail(user_key, "'" + key + "' has no entry under '" + entry + "' in energy table '" + file_ +
                            "'; known: " + known);
  }
  return it->second * 1e12;
}

}  // namespace qnnsim
