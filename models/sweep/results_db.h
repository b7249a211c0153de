#pragma once
// The SQLite file a sweep's results live in. One row per point in `points`,
// keyed by the point's content hash, with its parameters (`params`), per-layer
// figures (`layers`) and energy per component (`energy`). Every point is
// written in one transaction, so a sweep killed at any instant leaves whole
// points or none; a rerun skips the hashes already present.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sweep/accuracy_layers_db.h"
#include "sweep/sqlite_statement.h"

namespace qnnsim {

struct LayerRow {
  std::string name, type;
  int64_t macs = 0;
  int64_t cycles = 0;
  double latency_s = 0, energy_pj = 0, pe_utilization = 0, dram_bytes = 0;
};

// One swept parameter's value at a point.
struct ParamValue {
  std::string name;   // as constraints read it: the path's last key, or the spec's `name:`
  std::string path;   // its full key path in the arch or workload: the results' column
  std::string value;  // as the spec wrote it ("16", "64 KiB")
};

// The value as a number when the spec wrote a plain one ("16", "0.5", "1e3"),
// so results store and export it as a number; a value with a unit stays text.
std::optional<double> param_number(const ParamValue& p);

struct PointRecord {
  std::string hash, sweep;
  int64_t point_index = 0;
  std::vector<ParamValue> params;  // in spec order
  std::string status;  // ok or failed
  std::string error;
  std::string arch, workload;
  int64_t batch = 0;
  double energy_pj = 0, latency_s = 0, edp_pj_s = 0, area_mm2 = 0, throughput_gops = 0, gops_per_w = 0;
  double pe_utilization = 0, dram_bytes = 0;
  int64_t macs = 0, cycles = 0;
  double wall_s = 0;
  std::vector<LayerRow> layers;
  std::map<std::string, double> energy_by_component_pj;
  // What the run warned of (an in-memory chip's clipping ADCs, a level
  // design's layers not costed): figures a point's objectives do not show.
  std::vector<std::string> warnings;
  // With the spec's `accuracy:` section: top-1 through the design's numerics
  // on the fixed subset of images, and of its ADC conversions those that
  // clipped (absent on a design without ADCs).
  std::optional<double> accuracy, adc_clip_fraction;
  // Of every sum the evaluation's accumulators formed, those that wrapped or
  // saturated; and its figures per layer (accuracy_layers_db.h), which
  // points() does not read back (accuracy_layers() does).
  std::optional<double> overflow_fraction;
  std::vector<AccuracyLayerRow> accuracy_layers;
  // The spec's constraints on these results that the point fails, joined by
  // "; " (empty: none). Such a point stays in the file but off every front.
  std::string constraint_violations;
};

// Fills the figures, layers and energy of `r` from a run's JSON report.
void fill_from_report(PointRecord& r, const std::string& report_json);

class ResultsDb {
 public:
  // Opens (creating when asked) and brings the schema up; std::runtime_error naming the file on failure.
  ResultsDb(const std::string& path, bool create);
  ~ResultsDb();
  ResultsDb(const ResultsDb&) = delete;
  ResultsDb& operator=(const ResultsDb&) = delete;

  // Points (or failed points) in a results file, read without writing to it
  // (0 when it does not exist yet).
  static int64_t count_points(const std::string& path, bool failed_only = false);

  const std::string& path() const { return path_; }
  void note_sweep(const std::string& name, const std::string& spec_text);
  // Who ran the sweep this time (version, commit, command line, input hashes):
  // one set of rows per invocation, so a resumed sweep shows every binary that added points.
  void note_provenance(const std::string& sweep, const std::vector<std::pair<std::string, std::string>>& entries);
  std::set<std::string> hashes(bool failed_too) const;
  void insert(const PointRecord& r);
  // Copies every point of another results file not yet here (a Slurm task's shard); returns how many.
  int64_t merge_from(const std::string& other_path);
  // Records which of the constraints on results a stored point fails (empty: none).
  void set_constraint_violations(const std::string& hash, const std::string& violations);
  // Points (without layers) in index order, optionally only one sweep's.
  std::vector<PointRecord> points(const std::string& sweep = "") const;
  // The evaluation's figures per point and layer, in point order.
  std::vector<AccuracyLayerRow> accuracy_layers(const std::string& sweep = "") const;

 private:
  void exec(const std::string& sql) const;
  // The statement for `sql`, prepared on first use and kept for the next
  // point (preparing them was most of what writing a point cost), reset.
  Statement& prepared(const std::string& sql);
  std::string path_;
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>> prepared_;  // finalized before db_ closes
};

}  // namespace qnnsim
