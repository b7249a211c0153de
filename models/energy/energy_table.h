#pragma once
// A technology table of per-action energies and per-unit areas, loaded from
// configs/energy/*.yaml, where every number cites its source. Entries are a
// scalar ("0.1 pJ"), a keyed set ({LPDDR4: 8 pJ}) or a curve of [x, value]
// points interpolated log-log (energy and area scale as power laws in width,
// operand product or capacity between published points).
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/config_node.h"

namespace qnnsim {

class EnergyTable {
 public:
  // Parses the file, or copies the table this process last parsed from the
  // same path and the same text: a sweep's worker loads one table for every
  // point, and parsing it took about a tenth of a small point's time.
  static EnergyTable load(const std::string& path);

  const std::string& name() const { return name_; }
  const std::string& file() const { return file_; }
  double node_m() const { return node_m_; }
  double voltage_v() const { return voltage_v_; }

  // Energies in pJ, areas in um^2. A missing entry is a ConfigError that names
  // the table file and the entry, raised on behalf of the component at `user`.
  double energy_pj(const std::string& entry, const ConfigNode& user) const;
  double energy_curve_pj(const std::string& entry, double x, const ConfigNode& user) const;
  double energy_keyed_pj(const std::string& entry, const std::string& key, const ConfigNode& user,
                         const std::string& user_key) const;
  double area_um2(const std::string& entry, const ConfigNode& user) const;
  double area_curve_um2(const std::string& entry, double x, const ConfigNode& user) const;

 private:
  struct Entry {
    double scalar = -1;
    std::vector<std::pair<double, double>> curve;  // sorted by x
    std::map<std::string, double> keyed;
  };
  using Section = std::map<std::string, Entry>;

  static EnergyTable parse(const std::string& text, const std::string& path);
  static Section parse_section(const ConfigNode& node, Dimension d);
  const Entry& find(const Section& s, const std::string& section, const std::string& entry,
                    const ConfigNode& user) const;
  double scalar(const Section& s, const std::string& section, const std::string& entry, const ConfigNode& user) const;
  double curve(const Section& s, const std::string& section, const std::string& entry, double x,
               const ConfigNode& user) const;

  std::string name_;
  std::string file_;
  double node_m_ = 0, voltage_v_ = 0;
  Section energy_;
  Section area_;
};

// Log-log interpolation through sorted points, extrapolating with the end segments.
double interpolate_log_log(const std::vector<std::pair<double, double>>& points, double x);

}  // namespace qnnsim
