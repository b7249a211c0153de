#include "sweep/results_export.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/csv_field.h"
#include "sweep/pareto.h"

namespace qnnsim {

namespace {

// A parameter's cell: a plain number as a number ("1e3" reads 1000), any
// other value as the spec wrote it; empty where the point's sweep lacks it.
std::string value_of(const PointRecord& r, const std::string& path) {
  for (const ParamValue& v : r.params)
    if (v.path == path) {
      const auto number = param_number(v);
      return number ? fmt::format("{}", *number) : csv_field(v.value);
    }
  return "";
}

// A figure that may be absent (accuracy without an `accuracy:` section, a clip
// fraction on a design without ADCs): an empty cell then.
std::string optional_cell(const std::optional<double>& v) { return v ? fmt::format("{:.9g}", *v) : ""; }

std::string params_text(const PointRecord& r) {
  std::string out;
  for (const ParamValue& v : r.params) out += (out.empty() ? "" : " ") + v.name + "=" + v.value;
  return out;
}

}  // namespace

void write_results_csv(const std::vector<PointRecord>& points, std::ostream& out) {
  // One column per parameter, named by its full key path: short names can
  // collide across sweeps in one database (`bits` of the ADC and of a layer).
  std::vector<std::string> paths;
  for (const PointRecord& r : points)
    for (const ParamValue& v : r.params)
      if (std::find(paths.begin(), paths.end(), v.path) == paths.end()) paths.push_back(v.path);
  out << "hash,sweep,point_index,arch,workload,batch";
  for (const std::string& p : paths) out << "," << csv_field(p);
  out << ",status,energy_pj,latency_s,edp_pj_s,area_mm2,throughput_gops,gops_per_w,pe_utilization_fraction,macs,dram_bytes,cycles,"
         "accuracy_fraction,adc_clip_fraction,overflow_fraction,wall_s,error,constraint_violations,warnings\n";
  for (const PointRecord& r : points) {
    out << r.hash << "," << csv_field(r.sweep) << "," << r.point_index << "," << csv_field(r.arch) << ","
        << csv_field(r.workload) << "," << r.batch;
    for (const std::string& p : paths) out << "," << value_of(r, p);
    out << "," << r.status;
    if (r.status == "ok")
      out << fmt::format(",{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{},{:.9g},{}", r.energy_pj, r.latency_s, r.edp_pj_s,
                         r.area_mm2, r.throughput_gops, r.gops_per_w, r.pe_utilization, r.macs, r.dram_bytes, r.cycles);
    else
      out << ",,,,,,,,,,";
    out << "," << optional_cell(r.accuracy) << "," << optional_cell(r.adc_clip_fraction) << ","
        << optional_cell(r.overflow_fraction);
    out << fmt::format(",{:.4f},", r.wall_s) << csv_field(r.error) << "," << csv_field(r.constraint_violations) << ","
        << csv_field(fmt::format("{}", fmt::join(r.warnings, "; "))) << "\n";
  }
}

void write_accuracy_layers_csv(const std::vector<PointRecord>& points, const std::vector<AccuracyLayerRow>& layers,
                               std::ostream& out) {
  // The point's identity and parameters on every row, so that a data frame
  // groups and filters the rows without a join.
  std::map<std::string, const PointRecord*> point_of;
  for (const PointRecord& r : points) point_of.emplace(r.hash, &r);
  std::vector<std::string> paths;
  for (const PointRecord& r : points)
    for (const ParamValue& v : r.params)
      if (std::find(paths.begin(), paths.end(), v.path) == paths.end()) paths.push_back(v.path);
  out << "hash,sweep,point_index,arch,workload";
  for (const std::string& p : paths) out << "," << csv_field(p);
  out << ",layer_index,layer,weight_bits,weight_scheme,activation_bits,sums,overflowed_sums,overflow_fraction,"
         "adc_conversions,adc_clipped,adc_clip_fraction,mac_class,accumulator_bits,overflow,part\n";
  const auto optional_count = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string(); };
  for (const AccuracyLayerRow& l : layers) {
    const auto found = point_of.find(l.hash);
    if (found == point_of.end()) continue;  // another sweep's point
    const PointRecord& r = *found->second;
    out << r.hash << "," << csv_field(r.sweep) << "," << r.point_index << "," << csv_field(r.arch) << ","
        << csv_field(r.workload);
    for (const std::string& p : paths) out << "," << value_of(r, p);
    out << fmt::format(",{},{},{},{},{},{},{},{:.9g},", l.layer_index, csv_field(l.name), l.weight_bits,
                       csv_field(l.weight_scheme), l.activation_bits, l.sums, l.overflowed_sums, l.overflow_fraction)
        << optional_count(l.adc_conversions) << "," << optional_count(l.adc_clipped) << ","
        << optional_cell(l.adc_clip_fraction) << "," << csv_field(l.mac_class.value_or("")) << ","
        << optional_count(l.accumulator_bits) << "," << csv_field(l.overflow.value_or("")) << ","
        << csv_field(l.part.value_or("")) << "\n";
  }
}

constexpr std::size_t kWarningsShown = 3;

void print_pareto(const std::vector<PointRecord>& points, const std::vector<std::string>& objectives, std::ostream& out) {
  std::map<std::string, std::vector<PointRecord>> by_workload;
  for (const PointRecord& r : points) by_workload[r.workload].push_back(r);
  for (const auto& [workload, group] : by_workload) {
    const auto front = pareto_front(group, objectives);
    int64_t ok = 0, violating = 0, unmeasured = 0;
    for (const PointRecord& r : group) {
      ok += r.status == "ok";
      violating += r.status == "ok" && !r.constraint_violations.empty();
      unmeasured += r.status == "ok" && r.constraint_violations.empty() && !r.accuracy &&
                    std::find(objectives.begin(), objectives.end(), "accuracy") != objectives.end();
    }
    out << fmt::format("Pareto front of {} over {} ({} of {} ok points", workload.empty() ? "(no workload)" : workload,
                       fmt::join(objectives, ", "), front.size(), ok);
    if (violating > 0) out << fmt::format("; {} left off for failing a constraint on their results", violating);
    if (unmeasured > 0) out << fmt::format("; {} left off without a measured accuracy", unmeasured);
    out << "):\n";
    out << fmt::format("  {:<12}", "hash");
    for (const std::string& o : objectives) out << fmt::format(" {:>14}", o + " [" + objective_unit(o) + "]");
    out << "  parameters\n";
    std::size_t warned = 0;
    for (std::size_t i : front) {
      out << fmt::format("{} {:<12}", group[i].warnings.empty() ? " " : "!", group[i].hash.substr(0, 12));
      for (const std::string& o : objectives) out << fmt::format(" {:>14.5g}", objective_value(group[i], o));
      // What the evaluation measured, when it is not an objective here: the
      // figures that say whether the design computes what it should.
      if (group[i].accuracy && std::find(objectives.begin(), objectives.end(), "accuracy") == objectives.end())
        out << fmt::format("  accuracy={:.4f}", *group[i].accuracy);
      if (group[i].adc_clip_fraction) out << fmt::format("  clip={:.4g}", *group[i].adc_clip_fraction);
      if (group[i].overflow_fraction && *group[i].overflow_fraction > 0)
        out << fmt::format("  overflow={:.4g}", *group[i].overflow_fraction);
      out << "  " << params_text(group[i]) << "\n";
      // The first few, so that a front of many warned points stays readable; `--csv` has them all.
      const std::vector<std::string>& w = group[i].warnings;
      for (std::size_t k = 0; k < std::min<std::size_t>(w.size(), kWarningsShown); ++k) out << "      ! " << w[k] << "\n";
      if (w.size() > kWarningsShown) out << fmt::format("      ! and {} more (results --csv lists them)\n", w.size() - kWarningsShown);
      warned += !group[i].warnings.empty();
    }
    if (warned > 0)
      out << fmt::format("  {} of these points (marked !) carry warnings from their runs: their figures may not be "
                         "what the design delivers\n",
                         warned);
  }
}

void print_overview(const std::vector<PointRecord>& points, std::ostream& out) {
  std::map<std::string, std::map<std::string, int64_t>> counts;
  for (const PointRecord& r : points) ++counts[r.sweep][r.status];
  for (const auto& [sweep, by_status] : counts) {
    const int64_t ok = by_status.count("ok") ? by_status.at("ok") : 0;
    const int64_t failed = by_status.count("failed") ? by_status.at("failed") : 0;
    out << fmt::format("sweep {}: {} points, {} ok, {} failed\n", sweep, ok + failed, ok, failed);
  }
  if (counts.empty()) out << "no points\n";
  out << "--csv prints every point; --pareto energy,latency prints the trade-off front\n";
}

}  // namespace qnnsim
