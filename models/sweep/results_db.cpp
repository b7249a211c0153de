#include "sweep/results_db.h"

#include <sqlite3.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/quantity.h"
#include "sweep/accuracy_layers_db.h"
#include "sweep/sqlite_statement.h"

namespace qnnsim {

namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS sweeps(name TEXT PRIMARY KEY, spec TEXT, created_at TEXT);
CREATE TABLE IF NOT EXISTS points(hash TEXT PRIMARY KEY, sweep TEXT, point_index INTEGER, params TEXT,
  status TEXT NOT NULL, error TEXT, arch TEXT, workload TEXT, batch INTEGER,
  energy_pj REAL, latency_s REAL, edp_pj_s REAL, area_mm2 REAL, throughput_gops REAL, gops_per_w REAL,
  pe_utilization_fraction REAL, macs INTEGER, dram_bytes REAL, cycles INTEGER, wall_s REAL, finished_at TEXT,
  accuracy_fraction REAL, adc_clip_fraction REAL, constraint_violations TEXT, overflow_fraction REAL);
CREATE TABLE IF NOT EXISTS params(hash TEXT, name TEXT, value TEXT, path TEXT, number REAL, PRIMARY KEY(hash, name));
CREATE TABLE IF NOT EXISTS layers(hash TEXT, layer_index INTEGER, name TEXT, type TEXT, macs INTEGER,
  cycles INTEGER, latency_s REAL, energy_pj REAL, pe_utilization_fraction REAL, dram_bytes REAL, PRIMARY KEY(hash, layer_index));
CREATE TABLE IF NOT EXISTS energy(hash TEXT, component TEXT, energy_pj REAL, PRIMARY KEY(hash, component));
CREATE TABLE IF NOT EXISTS warnings(hash TEXT, warning_index INTEGER, warning TEXT, PRIMARY KEY(hash, warning_index));
CREATE TABLE IF NOT EXISTS provenance(sweep TEXT, started_at TEXT, key TEXT, value TEXT);
)";

constexpr const char* kPointColumns =
    "hash, sweep, point_index, params, status, error, arch, workload, batch, energy_pj, latency_s, edp_pj_s, area_mm2, "
    "throughput_gops, gops_per_w, pe_utilization_fraction, macs, dram_bytes, cycles, wall_s, finished_at, "
    "accuracy_fraction, adc_clip_fraction, constraint_violations, overflow_fraction";

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// Older databases keep each parameter under its short name only: add the full
// path and the number (NULL in old rows, which then read the name as the path).
void add_param_columns(sqlite3* db) { add_missing_columns(db, "params", {"path TEXT", "number REAL"}); }

// Files from before sweeps measured accuracy lack its columns: added, NULL
// in the old rows (which ran no evaluation).
void add_accuracy_columns(sqlite3* db) {
  add_missing_columns(db, "points",
                      {"accuracy_fraction REAL", "adc_clip_fraction REAL", "constraint_violations TEXT",
                       "overflow_fraction REAL"});
}

// A new file becomes WAL here. SQLite needs the whole file to convert it and
// does not run the busy handler for `journal_mode` (the busy timeout does not
// apply), so a sweep opening the file while another converts it would fail at
// once. WAL stays with the file: once any process has converted it, reading
// the mode takes no lock. Otherwise retry, with jitter, within the budget.
void use_wal(sqlite3* db, std::chrono::milliseconds budget) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  std::minstd_rand jitter(static_cast<unsigned>(std::random_device{}()));
  for (bool converting = false;; converting = true) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db, converting ? "PRAGMA journal_mode=WAL" : "PRAGMA journal_mode", -1, &s, nullptr);
    std::string mode;
    if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(s, 0);
      mode = t ? reinterpret_cast<const char*>(t) : "";
      rc = SQLITE_OK;
    }
    sqlite3_finalize(s);
    if (mode == "wal") return;
    // A file that cannot be WAL (in memory, or a file system without shared
    // memory) keeps its mode, as SQLite answers; a commit is then still atomic.
    if (rc == SQLITE_OK && converting) return;
    const bool busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
    if (!busy && rc != SQLITE_OK) throw std::runtime_error(db_error(db));
    if (!busy) continue;
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error(db_error(db, "cannot switch it to WAL: another process held it for the whole wait"));
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + jitter() % 20));
  }
}

double number_or_zero(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : 0.0;
}

}  // namespace

std::optional<double> param_number(const ParamValue& p) { return parse_number(p.value); }

void fill_from_report(PointRecord& r, const std::string& report_json) {
  const auto j = nlohmann::json::parse(report_json);
  const auto& s = j.at("summary");
  r.arch = j.value("arch", "");
  r.workload = j.value("workload", "");
  r.batch = j.value("batch", int64_t{1});
  r.energy_pj = number_or_zero(s, "energy_pj");
  r.latency_s = number_or_zero(s, "latency_s");
  r.edp_pj_s = r.energy_pj * r.latency_s;
  r.area_mm2 = number_or_zero(s, "area_mm2");
  r.throughput_gops = number_or_zero(s, "throughput_gops");
  r.gops_per_w = number_or_zero(s, "gops_per_w");
  r.pe_utilization = number_or_zero(s, "pe_utilization_fraction");
  r.dram_bytes = number_or_zero(s, "dram_bytes");
  r.macs = static_cast<int64_t>(number_or_zero(s, "macs"));
  r.cycles = static_cast<int64_t>(number_or_zero(s, "cycles"));
  if (j.contains("energy_breakdown_pj"))
    for (const auto& [component, pj] : j["energy_breakdown_pj"].items()) r.energy_by_component_pj[component] = pj.get<double>();
  // Design families report their warnings in their own sections, the
  // evaluation of an `accuracy:` section in its own.
  for (const char* section : {"in_memory", "level_design", "dataflow", "hybrid", "accuracy"})
    if (j.contains(section) && j[section].contains("warnings"))
      for (const auto& w : j[section]["warnings"]) r.warnings.push_back(w.get<std::string>());
  if (j.contains("accuracy")) {
    const auto& a = j["accuracy"];
    r.accuracy = a.at("accuracy_fraction").get<double>();
    if (a.contains("adc_clip_fraction")) r.adc_clip_fraction = a["adc_clip_fraction"].get<double>();
    if (a.contains("overflow_fraction")) r.overflow_fraction = a["overflow_fraction"].get<double>();
    if (a.contains("layers")) r.accuracy_layers = accuracy_layers_from_report(a["layers"], "");
  }
  for (const auto& l : j.at("layers")) {
    LayerRow row;
    row.name = l.value("name", "");
    row.type = l.value("type", "");
    row.macs = static_cast<int64_t>(number_or_zero(l, "macs"));
    row.cycles = static_cast<int64_t>(number_or_zero(l, "cycles"));
    row.latency_s = number_or_zero(l, "latency_s");
    row.energy_pj = number_or_zero(l, "energy_pj");
    row.pe_utilization = number_or_zero(l, "pe_utilization_fraction");
    row.dram_bytes = number_or_zero(l, "dram_bytes");
    r.layers.push_back(row);
  }
}

ResultsDb::ResultsDb(const std::string& path, bool create) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open results database '" + path + "': " + why);
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    // WAL: a commit survives the process being killed, and readers (progress
    // of Slurm shards, `results`) never block the writer.
    use_wal(db_, std::chrono::seconds(10));
    exec("PRAGMA synchronous=NORMAL;");
    // The schema is written under the write lock from the start: a deferred
    // transaction that read first could not wait for it.
    exec("BEGIN IMMEDIATE");
    try {
      exec(kSchema);
      exec(kAccuracyLayersSchema);
      add_param_columns(db_);
      add_accuracy_columns(db_);
      add_accuracy_layer_columns(db_);
      exec("COMMIT");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
    // Databases from before one unit per quantity kept energy in J: refuse
    // to mix them, rather than add pJ beside J in one column.
    Statement old(db_, "SELECT 1 FROM pragma_table_info('points') WHERE name = 'energy_j'");
    if (old.step())
      throw std::runtime_error("it was written by an older qnnsim, which stored energy in J (energy_j); the results "
                               "are in pJ now (energy_pj): give a new --db and rerun the sweep");
  } catch (const std::runtime_error& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("'" + path + "' is not a usable results database: " + e.what());
  }
}

int64_t ResultsDb::count_points(const std::string& path, bool failed_only) {
  sqlite3* db = nullptr;
  int64_t n = 0;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt* s = nullptr;
    const char* sql = failed_only ? "SELECT COUNT(*) FROM points WHERE status = 'failed'" : "SELECT COUNT(*) FROM points";
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return n;
}

ResultsDb::~ResultsDb() {
  prepared_.clear();  // SQLite will not close a connection with statements left
  sqlite3_close(db_);
}

Statement& ResultsDb::prepared(const std::string& sql) {
  std::unique_ptr<Statement>& s = prepared_[sql];
  if (!s) s = std::make_unique<Statement>(db_, sql);
  s->reset();
  return *s;
}

void ResultsDb::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = db_error(db_, err);
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

void ResultsDb::note_sweep(const std::string& name, const std::string& spec_text) {
  Statement(db_, "INSERT OR IGNORE INTO sweeps(name, spec, created_at) VALUES(?, ?, ?)")
      .text(1, name).text(2, spec_text).text(3, now_utc()).run();
}

void ResultsDb::note_provenance(const std::string& sweep, const std::vector<std::pair<std::string, std::string>>& entries) {
  const std::string at = now_utc();
  for (const auto& [k, v] : entries)
    Statement(db_, "INSERT INTO provenance(sweep, started_at, key, value) VALUES(?, ?, ?, ?)")
        .text(1, sweep).text(2, at).text(3, k).text(4, v).run();
}

std::set<std::string> ResultsDb::hashes(bool failed_too) const {
  Statement s(db_, failed_too ? "SELECT hash FROM points" : "SELECT hash FROM points WHERE status = 'ok'");
  std::set<std::string> out;
  while (s.step()) out.insert(s.column_text(0));
  return out;
}

void ResultsDb::insert(const PointRecord& r) {
  exec("BEGIN IMMEDIATE");
  try {
    // A failed point run again replaces its row; nothing else is ever written twice.
    for (const char* table : {"params", "layers", "energy", "warnings", "accuracy_layers"})
      prepared(std::string("DELETE FROM ") + table + " WHERE hash = ?").text(1, r.hash).run();
    nlohmann::ordered_json params = nlohmann::ordered_json::object();
    for (const ParamValue& v : r.params) {
      const auto number = param_number(v);
      // Whole numbers as integers, so the JSON reads `"rows": 16`, not 16.0.
      if (number && std::trunc(*number) == *number && std::abs(*number) < 9e15) params[v.name] = static_cast<int64_t>(*number);
      else if (number) params[v.name] = *number;
      else params[v.name] = v.value;
    }
    Statement& p = prepared(std::string("INSERT OR REPLACE INTO points(") + kPointColumns +
                            ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    p.text(1, r.hash).text(2, r.sweep).integer(3, r.point_index).text(4, params.dump()).text(5, r.status);
    r.error.empty() ? p.null(6) : p.text(6, r.error);
    p.text(7, r.arch).text(8, r.workload).integer(9, r.batch);
    if (r.status == "ok") {
      p.real(10, r.energy_pj).real(11, r.latency_s).real(12, r.edp_pj_s).real(13, r.area_mm2).real(14, r.throughput_gops);
      p.real(15, r.gops_per_w).real(16, r.pe_utilization).integer(17, r.macs).real(18, r.dram_bytes).integer(19, r.cycles);
    } else {
      for (int i = 10; i <= 19; ++i) p.null(i);
    }
    p.real(20, r.wall_s).text(21, now_utc());
    r.accuracy && r.status == "ok" ? p.real(22, *r.accuracy) : p.null(22);
    r.adc_clip_fraction && r.status == "ok" ? p.real(23, *r.adc_clip_fraction) : p.null(23);
    r.constraint_violations.empty() ? p.null(24) : p.text(24, r.constraint_violations);
    r.overflow_fraction && r.status == "ok" ? p.real(25, *r.overflow_fraction) : p.null(25);
    p.run();
    Statement& param = prepared("INSERT INTO params(hash, name, value, path, number) VALUES(?, ?, ?, ?, ?)");
    for (const ParamValue& v : r.params) {
      param.text(1, r.hash).text(2, v.name).text(3, v.value).text(4, v.path);
      const auto number = param_number(v);
      number ? param.real(5, *number) : param.null(5);
      param.run();
    }
    Statement& layer = prepared("INSERT INTO layers VALUES(?,?,?,?,?,?,?,?,?,?)");
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
      const LayerRow& l = r.layers[i];
      layer.text(1, r.hash).integer(2, static_cast<int64_t>(i)).text(3, l.name).text(4, l.type).integer(5, l.macs);
      layer.integer(6, l.cycles).real(7, l.latency_s).real(8, l.energy_pj).real(9, l.pe_utilization).real(10, l.dram_bytes).run();
    }
    Statement& energy = prepared("INSERT INTO energy VALUES(?, ?, ?)");
    for (const auto& [component, j] : r.energy_by_component_pj) energy.text(1, r.hash).text(2, component).real(3, j).run();
    Statement& warning = prepared("INSERT INTO warnings VALUES(?, ?, ?)");
    for (std::size_t i = 0; i < r.warnings.size(); ++i)
      warning.text(1, r.hash).integer(2, static_cast<int64_t>(i)).text(3, r.warnings[i]).run();
    if (r.status == "ok") {
      std::vector<AccuracyLayerRow> rows = r.accuracy_layers;
      for (AccuracyLayerRow& row : rows) row.hash = r.hash;
      insert_accuracy_layers(db_, rows);
    }
    exec("COMMIT");
  } catch (...) {
    // On a full disk SQLite may already have rolled back; a second ROLLBACK
    // then fails with "no transaction is active", which would hide the cause.
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

int64_t ResultsDb::merge_from(const std::string& other_path) {
  Statement(db_, "ATTACH DATABASE ? AS shard").text(1, other_path).run();
  int64_t added = 0;
  try {
    exec("BEGIN IMMEDIATE");
    // Only points not here yet, and their rows: a merge run twice adds nothing.
    exec("CREATE TEMP TABLE fresh AS SELECT hash FROM shard.points WHERE hash NOT IN (SELECT hash FROM main.points)");
    {
      Statement count(db_, "SELECT COUNT(*) FROM fresh");
      count.step();
      added = count.column_int(0);
    }
    exec(std::string("INSERT INTO main.points(") + kPointColumns + ") SELECT " + kPointColumns +
         " FROM shard.points WHERE hash IN fresh");
    exec("INSERT OR IGNORE INTO main.sweeps SELECT * FROM shard.sweeps");
    for (const char* table : {"params", "layers", "energy", "warnings", "accuracy_layers"})
      // In the shard's insertion order: a point's parameters are read back in spec order.
      exec(std::string("INSERT OR REPLACE INTO main.") + table + " SELECT * FROM shard." + table +
           " WHERE hash IN fresh ORDER BY rowid");
    exec("DROP TABLE temp.fresh");
    exec("COMMIT");
  } catch (...) {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db_, "DETACH DATABASE shard", nullptr, nullptr, nullptr);
    throw;
  }
  exec("DETACH DATABASE shard");
  return added;
}

void ResultsDb::set_constraint_violations(const std::string& hash, const std::string& violations) {
  Statement s(db_, "UPDATE points SET constraint_violations = ? WHERE hash = ?");
  violations.empty() ? s.null(1) : s.text(1, violations);
  s.text(2, hash).run();
}

std::vector<PointRecord> ResultsDb::points(const std::string& sweep) const {
  Statement s(db_, std::string("SELECT ") + kPointColumns + " FROM points" + (sweep.empty() ? "" : " WHERE sweep = ?") +
                       " ORDER BY sweep, point_index, hash");
  if (!sweep.empty()) s.text(1, sweep);
  // Each point's parameters in spec order (the table's insertion order).
  std::map<std::string, std::vector<ParamValue>> params_of;
  {
    Statement p(db_, "SELECT hash, name, value, path FROM params ORDER BY rowid");
    while (p.step()) {
      const std::string name = p.column_text(1), path = p.column_text(3);
      params_of[p.column_text(0)].push_back(ParamValue{name, path.empty() ? name : path, p.column_text(2)});
    }
  }
  std::map<std::string, std::vector<std::string>> warnings_of;
  {
    Statement w(db_, "SELECT hash, warning FROM warnings ORDER BY hash, warning_index");
    while (w.step()) warnings_of[w.column_text(0)].push_back(w.column_text(1));
  }
  std::vector<PointRecord> out;
  while (s.step()) {
    PointRecord r;
    r.hash = s.column_text(0);
    r.sweep = s.column_text(1);
    r.point_index = s.column_int(2);
    const auto found = params_of.find(r.hash);
    if (found != params_of.end()) r.params = found->second;
    r.status = s.column_text(4);
    r.error = s.column_text(5);
    r.arch = s.column_text(6);
    r.workload = s.column_text(7);
    r.batch = s.column_int(8);
    r.energy_pj = s.column_real(9);
    r.latency_s = s.column_real(10);
    r.edp_pj_s = s.column_real(11);
    r.area_mm2 = s.column_real(12);
    r.throughput_gops = s.column_real(13);
    r.gops_per_w = s.column_real(14);
    r.pe_utilization = s.column_real(15);
    r.macs = s.column_int(16);
    r.dram_bytes = s.column_real(17);
    r.cycles = s.column_int(18);
    r.wall_s = s.column_real(19);
    if (!s.column_null(21)) r.accuracy = s.column_real(21);
    if (!s.column_null(22)) r.adc_clip_fraction = s.column_real(22);
    r.constraint_violations = s.column_text(23);
    if (!s.column_null(24)) r.overflow_fraction = s.column_real(24);
    if (const auto w = warnings_of.find(r.hash); w != warnings_of.end()) r.warnings = w->second;
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<AccuracyLayerRow> ResultsDb::accuracy_layers(const std::string& sweep) const {
  return read_accuracy_layers(db_, sweep);
}

}  // namespace qnnsim
