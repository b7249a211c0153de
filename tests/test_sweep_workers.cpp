// Sweep points run in long-lived workers, many to a process, must give the
// results a process per point gives (--process-per-point, the way every
// point ran before): every row of every table, the stored parameters' JSON
// and the exported CSV, byte for byte. Only the times a run took or finished
// at may differ.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <sqlite3.h>

#include "support.h"

using namespace qnnsim::test;

namespace {

// Every row of the tables a sweep writes, each column as its text and its
// type, sorted: points finish in a different order with each run.
std::vector<std::string> table_rows(const std::string& db, const std::string& select) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, select.c_str(), -1, &q, nullptr) == SQLITE_OK);
  std::vector<std::string> rows;
  while (sqlite3_step(q) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(q); ++c) {
      const auto* text = sqlite3_column_text(q, c);
      row += std::to_string(sqlite3_column_type(q, c)) + ":" + (text ? reinterpret_cast<const char*>(text) : "") + "|";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(q);
  sqlite3_close(handle);
  std::sort(rows.begin(), rows.end());
  return rows;
}

// The CSV without its wall_s column (the one figure that is a run's own time).
std::string csv_without_wall(const std::string& csv) {
  std::istringstream in(csv);
  std::string out, line;
  std::size_t wall_column = std::string::npos;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream cut(line);
    for (std::string cell; std::getline(cut, cell, ',');) cells.push_back(cell);
    if (wall_column == std::string::npos)
      wall_column = static_cast<std::size_t>(std::find(cells.begin(), cells.end(), "wall_s") - cells.begin());
    if (wall_column < cells.size()) cells.erase(cells.begin() + static_cast<std::ptrdiff_t>(wall_column));
    for (const std::string& cell : cells) out += cell + ",";
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("points run in workers equal points run a process each, row for row and in the CSV", "[sweep][cli][workers]") {
  const auto dir = scratch_dir("sweep_workers");
  const std::string spec = (dir / "spec.yaml").string();
  // 30 points, their values written into the arch and into every layer of
  // the workload: 6 fail at the spec's line (a value of the wrong type) and
  // the 512 B buffers fail to map on every row count, so the error texts are
  // compared too; and a worker goes on after a point of its own failed. (A
  // 1 KiB buffer maps LeNet-5 on every row count: the mapper flattens the
  // reduction, im2col, where no split tile fits.)
  std::ofstream(spec) << "name: workers\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\nparameters:\n"
                      << "  - {path: pe_array.rows, values: [4, 8, 16, 32, many]}\n"
                      << "  - {path: glb.size, values: [512 B, 32 KiB, 256 KiB]}\n"
                      << "  - {path: 'layers[*].weights.bits', values: [4, 8]}\n";
  std::map<std::string, std::vector<std::string>> tables[2];
  std::string csv[2];
  for (int per_point = 0; per_point < 2; ++per_point) {
    const std::string db = (dir / (per_point ? "per_point.db" : "workers.db")).string();
    REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 2" + (per_point ? " --process-per-point" : ""),
                       dir / "out.txt", dir / "err.txt") == 0);
    tables[per_point]["points"] = table_rows(
        db, "SELECT hash, sweep, point_index, params, status, error, arch, workload, batch, energy_pj, latency_s, "
            "edp_pj_s, area_mm2, throughput_gops, gops_per_w, pe_utilization_fraction, macs, dram_bytes, cycles "
            "FROM points");
    for (const char* table : {"params", "layers", "energy"})
      tables[per_point][table] = table_rows(db, std::string("SELECT * FROM ") + table);
    tables[per_point]["sweeps"] = table_rows(db, "SELECT name, spec FROM sweeps");
    REQUIRE(qnnsim_cli("results " + db + " --csv", dir / "csv.txt", dir / "err.txt") == 0);
    csv[per_point] = csv_without_wall(read_file((dir / "csv.txt").string()));
  }
  REQUIRE(tables[0]["points"].size() == 30);
  int failed = 0, mapping = 0;
  for (const std::string& row : tables[1]["points"]) {
    failed += row.find("|3:failed|") != std::string::npos;
    mapping += row.find("cannot hold one tile") != std::string::npos;
  }
  CHECK(failed == 14);
  CHECK(mapping == 8);
  CHECK(tables[0]["layers"].size() == 7 * 16);  // LeNet-5's 7 layers for each point that ran
  for (const char* table : {"points", "params", "layers", "energy", "sweeps"}) {
    INFO(table);
    CHECK(tables[0][table] == tables[1][table]);
  }
  CHECK(csv[0] == csv[1]);
}
