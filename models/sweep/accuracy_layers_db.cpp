#include "sweep/accuracy_layers_db.h"

#include <nlohmann/json.hpp>

#include "sweep/sqlite_statement.h"

namespace qnnsim {

const char* const kAccuracyLayersSchema = R"(
CREATE TABLE IF NOT EXISTS accuracy_layers(hash TEXT, layer_index INTEGER, name TEXT, weight_bits INTEGER,
  weight_scheme TEXT, activation_bits INTEGER, sums INTEGER, overflowed_sums INTEGER, overflow_fraction REAL,
  adc_conversions INTEGER, adc_clipped INTEGER, adc_clip_fraction REAL, mac_class TEXT, accumulator_bits INTEGER,
  overflow TEXT, part TEXT, PRIMARY KEY(hash, layer_index));
)";

void add_accuracy_layer_columns(sqlite3* db) {
  add_missing_columns(db, "accuracy_layers",
                      {"mac_class TEXT", "accumulator_bits INTEGER", "overflow TEXT", "part TEXT"});
}

std::vector<AccuracyLayerRow> accuracy_layers_from_report(const nlohmann::json& layers, const std::string& hash) {
  std::vector<AccuracyLayerRow> out;
  for (const auto& l : layers) {
    AccuracyLayerRow r;
    r.hash = hash;
    r.layer_index = int64_t(out.size());
    r.name = l.at("name").get<std::string>();
    r.weight_bits = l.at("weight_bits").get<int64_t>();
    r.weight_scheme = l.at("weight_scheme").get<std::string>();
    r.activation_bits = l.at("activation_bits").get<int64_t>();
    r.sums = l.at("sums").get<int64_t>();
    r.overflowed_sums = l.at("overflowed_sums").get<int64_t>();
    r.overflow_fraction = l.at("overflow_fraction").get<double>();
    if (l.contains("adc_conversions")) {
      r.adc_conversions = l["adc_conversions"].get<int64_t>();
      r.adc_clipped = l.at("adc_clipped").get<int64_t>();
      r.adc_clip_fraction = l.at("adc_clip_fraction").get<double>();
    }
    if (l.contains("part")) r.part = l["part"].get<std::string>();
    if (l.contains("mac_class")) {
      r.mac_class = l["mac_class"].get<std::string>();
      r.accumulator_bits = l.at("accumulator_bits").get<int64_t>();
      r.overflow = l.at("overflow").get<std::string>();
    }
    out.push_back(r);
  }
  return out;
}

void insert_accuracy_layers(sqlite3* db, const std::vector<AccuracyLayerRow>& rows) {
  if (rows.empty()) return;
  Statement s(db, "INSERT INTO accuracy_layers(hash, layer_index, name, weight_bits, weight_scheme, activation_bits, "
                  "sums, overflowed_sums, overflow_fraction, adc_conversions, adc_clipped, adc_clip_fraction, mac_class, "
                  "accumulator_bits, overflow, part) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const AccuracyLayerRow& r : rows) {
    s.text(1, r.hash).integer(2, r.layer_index).text(3, r.name).integer(4, r.weight_bits).text(5, r.weight_scheme);
    s.integer(6, r.activation_bits).integer(7, r.sums).integer(8, r.overflowed_sums).real(9, r.overflow_fraction);
    r.adc_conversions ? s.integer(10, *r.adc_conversions) : s.null(10);
    r.adc_clipped ? s.integer(11, *r.adc_clipped) : s.null(11);
    r.adc_clip_fraction ? s.real(12, *r.adc_clip_fraction) : s.null(12);
    r.mac_class ? s.text(13, *r.mac_class) : s.null(13);
    r.accumulator_bits ? s.integer(14, *r.accumulator_bits) : s.null(14);
    r.overflow ? s.text(15, *r.overflow) : s.null(15);
    r.part ? s.text(16, *r.part) : s.null(16);
    s.run();
  }
}

std::vector<AccuracyLayerRow> read_accuracy_layers(sqlite3* db, const std::string& sweep) {
  Statement s(db, std::string("SELECT a.hash, a.layer_index, a.name, a.weight_bits, a.weight_scheme, a.activation_bits, "
                              "a.sums, a.overflowed_sums, a.overflow_fraction, a.adc_conversions, a.adc_clipped, "
                              "a.adc_clip_fraction, a.mac_class, a.accumulator_bits, a.overflow, a.part "
                              "FROM accuracy_layers a JOIN points p ON p.hash = a.hash") +
                      (sweep.empty() ? "" : " WHERE p.sweep = ?") +
                      " ORDER BY p.sweep, p.point_index, p.hash, a.layer_index");
  if (!sweep.empty()) s.text(1, sweep);
  std::vector<AccuracyLayerRow> out;
  while (s.step()) {
    AccuracyLayerRow r;
    r.hash = s.column_text(0);
    r.layer_index = s.column_int(1);
    r.name = s.column_text(2);
    r.weight_bits = s.column_int(3);
    r.weight_scheme = s.column_text(4);
    r.activation_bits = s.column_int(5);
    r.sums = s.column_int(6);
    r.overflowed_sums = s.column_int(7);
    r.overflow_fraction = s.column_real(8);
    if (!s.column_null(9)) r.adc_conversions = s.column_int(9);
    if (!s.column_null(10)) r.adc_clipped = s.column_int(10);
    if (!s.column_null(11)) r.adc_clip_fraction = s.column_real(11);
    if (!s.column_null(12)) r.mac_class = s.column_text(12);
    if (!s.column_null(13)) r.accumulator_bits = s.column_int(13);
    if (!s.column_null(14)) r.overflow = s.column_text(14);
    if (!s.column_null(15)) r.part = s.column_text(15);
    out.push_back(r);
  }
  return out;
}

}  // namespace qnnsim
