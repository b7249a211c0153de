#pragma once
// The results file's `accuracy_layers` table: per point and evaluated layer
// (each Conv / Gemm of the `accuracy:` section's model), the widths and
// weight scheme that ran, the accumulator's sums and those that wrapped or
// saturated, on a digital design (or a hybrid's digital part) the MAC class
// that ran the layer and its accumulator, on a hybrid the part, and on a
// design with ADCs its conversions and those that
// clipped: the figures `qnnsim eval --json` gives per layer.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

struct sqlite3;

namespace qnnsim {

struct AccuracyLayerRow {
  std::string hash;  // the point's
  int64_t layer_index = 0;
  std::string name, weight_scheme;
  int64_t weight_bits = 0, activation_bits = 0;
  int64_t sums = 0, overflowed_sums = 0;
  double overflow_fraction = 0;
  std::optional<int64_t> adc_conversions, adc_clipped;  // absent on a design without ADCs
  std::optional<double> adc_clip_fraction;
  // On a digital design: its MAC class that ran the layer, and that class's
  // accumulator width and overflow ("wrap" or "saturate"). On a hybrid: the
  // part that ran it.
  std::optional<std::string> part, mac_class, overflow;
  std::optional<int64_t> accumulator_bits;
};

// The table's definition, run with the rest of the schema.
extern const char* const kAccuracyLayersSchema;

// Files written before the table named each layer's MAC class lack its
// columns: added, NULL in the old rows.
void add_accuracy_layer_columns(sqlite3* db);

// Rows from the `layers` array of a point's `accuracy` report (point_run.cpp).
std::vector<AccuracyLayerRow> accuracy_layers_from_report(const nlohmann::json& layers, const std::string& hash);

// Writes a point's rows; inside the caller's transaction.
void insert_accuracy_layers(sqlite3* db, const std::vector<AccuracyLayerRow>& rows);

// Every row, in point (sweep, index) and layer order; only one sweep's when named.
std::vector<AccuracyLayerRow> read_accuracy_layers(sqlite3* db, const std::string& sweep = "");

}  // namespace qnnsim
