// A sweep's parameters in its results: constraints read the short names (and a
// spec's `name:`), while the CSV and the database name each column by its full
// key path and keep plain numbers as numbers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <sqlite3.h>

#include "core/quantity.h"
#include "sweep/results_db.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) out.push_back(cell);
  return out;
}

}  // namespace

TEST_CASE("sweep results name parameter columns by full path and keep numbers as numbers", "[sweep][cli]") {
  const auto dir = scratch_dir("sweep_columns");
  const std::string spec = (dir / "spec.yaml").string();
  // The constraint drops rows 16 with 8-bit weights: it reads `rows` and the named `wbits`.
  std::ofstream(spec) << "name: t\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/lenet5.yaml") << "]\n"
                      << "parameters:\n  - {path: pe_array.rows, values: [8, 16]}\n"
                         "  - {path: glb.size, values: [32 KiB]}\n"
                         "  - {path: 'layers[*].weights.bits', name: wbits, values: [4, 8]}\n"
                         "constraints: ['rows * wbits <= 64']\n";
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 2", dir / "out.txt", dir / "err.txt") == 0);
  REQUIRE(qnnsim_cli("results " + db + " --csv", dir / "csv.txt", dir / "err.txt") == 0);

  std::istringstream csv(read_file((dir / "csv.txt").string()));
  std::string line;
  REQUIRE(std::getline(csv, line));
  const std::vector<std::string> header = split(line);
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    REQUIRE(it != header.end());
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t rows = column("components.pe_array.rows"), size = column("components.glb.size"),
                    bits = column("layers[*].weights.bits");
  CHECK(std::find(header.begin(), header.end(), "rows") == header.end());
  std::set<std::pair<double, double>> seen;
  while (std::getline(csv, line)) {
    const auto cells = split(line);
    REQUIRE(cells.size() > bits);
    const auto r = parse_number(cells[rows]), b = parse_number(cells[bits]);
    REQUIRE(r);
    REQUIRE(b);
    CHECK(*r * *b <= 64);
    CHECK(cells[size] == "32 KiB");  // a value with a unit stays as written
    seen.insert({*r, *b});
  }
  CHECK(seen == std::set<std::pair<double, double>>{{8, 4}, {8, 8}, {16, 4}});

  // In the database: the short name, the full path, the text as written and the number.
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT name, path, value, typeof(number) FROM params", -1, &q, nullptr) == SQLITE_OK);
  std::map<std::string, std::pair<std::string, std::string>> kinds;
  while (sqlite3_step(q) == SQLITE_ROW) {
    const std::string name = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    kinds[name] = {reinterpret_cast<const char*>(sqlite3_column_text(q, 1)),
                   reinterpret_cast<const char*>(sqlite3_column_text(q, 3))};
  }
  sqlite3_finalize(q);
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT params FROM points ORDER BY point_index LIMIT 1", -1, &q, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(q) == SQLITE_ROW);
  const std::string params_json = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
  sqlite3_finalize(q);
  sqlite3_close(handle);
  CHECK(kinds.at("rows") == std::pair<std::string, std::string>{"components.pe_array.rows", "real"});
  CHECK(kinds.at("wbits") == std::pair<std::string, std::string>{"layers[*].weights.bits", "real"});
  CHECK(kinds.at("size") == std::pair<std::string, std::string>{"components.glb.size", "null"});
  CHECK(params_json == R"({"rows":8,"size":"32 KiB","wbits":4})");
  std::filesystem::remove_all(dir);
}

TEST_CASE("a results database from before full paths gains them and still reads", "[sweep]") {
  const auto dir = scratch_dir("sweep_old_params");
  const std::string db = (dir / "old.db").string();
  {
    // The params table as it was: short names and text only.
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
    REQUIRE(sqlite3_exec(handle,
                         "CREATE TABLE params(hash TEXT, name TEXT, value TEXT, PRIMARY KEY(hash, name));"
                         "INSERT INTO params VALUES('h', 'rows', '8');",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(handle);
  }
  ResultsDb results(db, false);
  PointRecord r;
  r.hash = "h2";
  r.sweep = "t";
  r.status = "failed";
  r.params = {{"rows", "components.pe_array.rows", "16"}};
  results.insert(r);
  const auto points = results.points();
  REQUIRE(points.size() == 1);
  REQUIRE(points[0].params.size() == 1);
  CHECK(points[0].params[0].path == "components.pe_array.rows");
  CHECK(param_number(points[0].params[0]) == 16.0);
  std::filesystem::remove_all(dir);
}
