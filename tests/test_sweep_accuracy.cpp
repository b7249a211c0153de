// Sweeps that measure accuracy (a spec's `accuracy:` section): each point
// also runs `qnnsim eval`'s functional evaluation on its own arch, stores
// the top-1 accuracy and the ADC clip fraction beside its costs, hashes the
// evaluation's settings, and constraints on those results keep a point that
// fails them out of the front. These read Debian's dataset-fashion-mnist;
// each evaluates a few dozen images, so that a case takes a second or two.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "core/config_error.h"
#include "sweep/pareto.h"
#include "sweep/results_db.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_spec.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

// ISAAC pricing the CNN's trace, its accuracy measured on the shipped ONNX
// model of the same network. `accuracy` is the section's body, `rest` the
// parameters and anything after.
std::string write_spec(const std::filesystem::path& dir, const std::string& accuracy, const std::string& rest,
                       const std::string& file = "spec.yaml") {
  const std::string path = (dir / file).string();
  std::ofstream(path) << "name: acc\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                      << shipped("workloads/mnist_cnn.yaml") << "]\n"
                      << "accuracy: {model: mnist_cnn_fashion, " << accuracy << "}\n"
                      << rest;
  return path;
}

// The error loading a spec raises; a spec that loads fails the test.
ConfigError spec_error(const std::string& path) {
  try {
    load_sweep_spec(path);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("the spec loaded: " << path);
  throw std::logic_error("unreachable");
}

const PointRecord& point_with(const std::vector<PointRecord>& points, const std::string& name, const std::string& value) {
  for (const PointRecord& r : points)
    for (const ParamValue& v : r.params)
      if (v.name == name && v.value == value) return r;
  FAIL("no point sets " << name << "=" << value);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a sweep's accuracy and clip fraction are what qnnsim eval gives for the same settings",
          "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_eval");
  // 6-bit ADCs clip on conv2 and fc, and variation draws from the seed: both
  // figures depend on every setting reaching the evaluation.
  const std::string spec = write_spec(dir, "images: 40, calibration_images: 50, seed: 3",
                                      "parameters:\n  - {path: adc.bits, values: [6]}\n"
                                      "  - {path: accuracy.variation, values: [0.05]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 1);
  REQUIRE(points[0].status == "ok");
  REQUIRE(points[0].accuracy);
  REQUIRE(points[0].adc_clip_fraction);

  const auto json = dir / "eval.json";
  REQUIRE(qnnsim_cli("eval mnist_cnn_fashion --arch isaac --adc-bits 6 --variation 0.05 --seed 3 --limit 40 "
                     "--calibration-images 50 --quiet --json " + json.string(),
                     dir / "out.txt", dir / "err.txt") == 0);
  const auto eval = nlohmann::json::parse(read_file(json.string()));
  REQUIRE(eval.at("images") == 40);
  CHECK(*points[0].accuracy == eval.at("quantized_accuracy_fraction").get<double>());
  CHECK(*points[0].adc_clip_fraction == eval.at("adc_clip_fraction").get<double>());
  CHECK(*points[0].adc_clip_fraction > 0);

  // The CSV carries both figures.
  REQUIRE(qnnsim_cli("results " + db + " --csv", dir / "csv.txt", dir / "err.txt") == 0);
  const auto rows = csv_rows(read_file((dir / "csv.txt").string()));
  REQUIRE(rows.size() == 1);
  CHECK(std::stod(rows[0].at("accuracy_fraction")) == Approx(*points[0].accuracy));
  CHECK(std::stod(rows[0].at("adc_clip_fraction")) == Approx(*points[0].adc_clip_fraction));
}

TEST_CASE("a constraint on accuracy keeps a clipping design in the file but off the front", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_front");
  // Priced by the ADC's figure of merit, 4-bit ADCs are cheaper than 8-bit
  // ones: without the constraint the clipping design is on the front.
  const std::string spec = write_spec(dir, "images: 40, calibration_images: 50",
                                      "set: {adc.energy_model: fom, adc.power: ~}\n"
                                      "parameters:\n  - {path: adc.bits, values: [4, 8]}\n"
                                      "constraints: ['accuracy >= 0.5']\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 2", dir / "out.txt", dir / "err.txt") == 0);
  CHECK_THAT(read_file((dir / "out.txt").string()), Catch::Contains("1 ok points fail a constraint on their results"));
  std::vector<PointRecord> points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 2);
  const PointRecord& four = point_with(points, "bits", "4");
  const PointRecord& eight = point_with(points, "bits", "8");
  REQUIRE(four.status == "ok");
  REQUIRE(eight.status == "ok");
  CHECK(*four.accuracy < 0.5);
  CHECK(*four.adc_clip_fraction > 0.1);
  CHECK(*eight.accuracy > 0.5);
  CHECK(*eight.adc_clip_fraction == 0);
  CHECK(four.constraint_violations == "accuracy >= 0.5");
  CHECK(eight.constraint_violations.empty());
  CHECK(four.energy_pj < eight.energy_pj);

  const auto front = pareto_front(points, {"energy", "latency"});
  REQUIRE(front.size() == 1);
  CHECK(points[front[0]].hash == eight.hash);
  // The same points unjudged: the 4-bit design would lead the front.
  for (PointRecord& r : points) r.constraint_violations.clear();
  const auto unjudged = pareto_front(points, {"energy", "latency"});
  CHECK(points[unjudged.front()].hash == four.hash);

  // Accuracy as an objective, maximised; the listing says what it left off.
  REQUIRE(qnnsim_cli("results " + db + " --pareto energy,accuracy", dir / "front.txt", dir / "err.txt") == 0);
  const std::string listing = read_file((dir / "front.txt").string());
  CHECK_THAT(listing, Catch::Contains("1 of 2 ok points; 1 left off for failing a constraint on their results"));
  CHECK_THAT(listing, Catch::Contains(eight.hash.substr(0, 12)));
  CHECK_THAT(listing, !Catch::Contains(four.hash.substr(0, 12)));
}

TEST_CASE("a point's hash covers the evaluation's settings", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_hash");
  const std::string params = "parameters:\n  - {path: adc.bits, values: [8]}\n";
  const auto hash_of = [&](const std::string& accuracy, const std::string& rest) {
    const auto plan = plan_sweep(write_spec(dir, accuracy, rest), {});
    REQUIRE(plan->runnable.size() == 1);
    return plan->hashes[plan->runnable[0]];
  };
  const std::string base = hash_of("images: 40", params);
  CHECK(hash_of("images: 41", params) != base);
  CHECK(hash_of("images: 40, seed: 2", params) != base);
  CHECK(hash_of("images: 40, bits: 4/8", params) != base);
  // The same settings written otherwise (a default spelled out) are the same point.
  CHECK(hash_of("images: 40, seed: 1, bits: auto", params) == base);
  // Constraints judge a point; they do not change what it computes.
  CHECK(hash_of("images: 40", params + "constraints: ['accuracy >= 0.1']\n") == base);
  // Without the section the point is the cost-only point it always was.
  {
    const std::string plain = (dir / "plain.yaml").string();
    std::ofstream(plain) << "name: acc\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                         << shipped("workloads/mnist_cnn.yaml") << "]\n" << params;
    const auto plan = plan_sweep(plain, {});
    CHECK(plan->hashes[plan->runnable[0]] != base);
  }
  // A swept setting gives each value its own point.
  const auto plan = plan_sweep(write_spec(dir, "images: 40", "parameters:\n  - {path: accuracy.variation, values: [0, 0.1]}\n"), {});
  REQUIRE(plan->runnable.size() == 2);
  CHECK(plan->hashes[plan->runnable[0]] != plan->hashes[plan->runnable[1]]);
}

TEST_CASE("a bad accuracy section or constraint stops the sweep at its line", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_errors");
  const std::string params = "parameters:\n  - {path: adc.bits, values: [8]}\n";
  const std::string missing_model = (dir / "missing_model.yaml").string();
  std::ofstream(missing_model) << "name: acc\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                               << shipped("workloads/mnist_cnn.yaml") << "]\n"
                               << "accuracy: {model: no_such_model, images: 40}\n" << params;
  ConfigError e = spec_error(missing_model);
  CHECK(e.where().line == 4);
  CHECK(e.key_path() == "accuracy.model");
  CHECK_THAT(e.message(), Catch::Contains("does not exist"));

  e = spec_error(write_spec(dir, "images: 0", params));
  CHECK(e.key_path() == "accuracy.images");
  CHECK(e.where().line == 4);  // the spec's own line, not a copy's

  e = spec_error(write_spec(dir, "images: 40, bits: 8x8", params));
  CHECK(e.key_path() == "accuracy.bits");

  e = spec_error(write_spec(dir, "images: 40, varation: 0.1", params));
  CHECK_THAT(e.what(), Catch::Contains("varation"));

  e = spec_error(write_spec(dir, "images: 40", "parameters:\n  - {path: accuracy.variation, values: [0.1, -1]}\n"));
  CHECK(e.where().line == 6);
  CHECK_THAT(e.message(), Catch::Contains("value '-1'"));

  e = spec_error(write_spec(dir, "images: 40", "parameters:\n  - {path: accuracy.model, values: [lenet5_fashion]}\n"));
  CHECK_THAT(e.message(), Catch::Contains("fixed for a sweep"));

  e = spec_error(write_spec(dir, "images: 40", params + "constraints: ['accuracy >= 0.9 and acuracy < 1']\n"));
  CHECK_THAT(e.message(), Catch::Contains("'acuracy', which is no parameter"));

  // Without the section, a constraint on accuracy says what is missing.
  const std::string plain = (dir / "plain.yaml").string();
  std::ofstream(plain) << "name: acc\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                       << shipped("workloads/mnist_cnn.yaml") << "]\n" << params
                       << "constraints: ['adc_clip_fraction < 0.01']\nobjectives: [energy, accuracy]\n";
  e = spec_error(plain);
  CHECK(e.where().line == 6);
  CHECK_THAT(e.message(), Catch::Contains("add an `accuracy:"));
}

TEST_CASE("a results file from before accuracy gains its columns when opened", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_migrate");
  const std::string db = (dir / "old.db").string();
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle,
                       "CREATE TABLE points(hash TEXT PRIMARY KEY, sweep TEXT, point_index INTEGER, params TEXT, "
                       "status TEXT NOT NULL, error TEXT, arch TEXT, workload TEXT, batch INTEGER, energy_pj REAL, "
                       "latency_s REAL, edp_pj_s REAL, area_mm2 REAL, throughput_gops REAL, gops_per_w REAL, "
                       "pe_utilization_fraction REAL, macs INTEGER, dram_bytes REAL, cycles INTEGER, wall_s REAL, "
                       "finished_at TEXT);"
                       "INSERT INTO points(hash, sweep, point_index, params, status, energy_pj, latency_s) "
                       "VALUES('abc', 'old', 0, '{}', 'ok', 5, 2);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  const auto points = ResultsDb(db, true).points();
  REQUIRE(points.size() == 1);
  CHECK(points[0].energy_pj == 5);
  CHECK_FALSE(points[0].accuracy);
  CHECK_FALSE(points[0].adc_clip_fraction);
  CHECK(points[0].constraint_violations.empty());
  // An old point has no accuracy: it is not on an accuracy front, and not wrongly first.
  CHECK(pareto_front(points, {"energy", "accuracy"}).empty());
  CHECK(pareto_front(points, {"energy", "latency"}).size() == 1);
}

TEST_CASE("a sweep's accuracy refuses a QDQ model since its nodes fix the widths the sweep sets", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_qdq");
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: acc\narch: " << shipped("arch/isaac.yaml") << "\nworkloads: ["
                      << shipped("workloads/mnist_cnn.yaml") << "]\n"
                      << "accuracy: {model: " << shipped("workloads/models/dnn2fpga_qdq.onnx") << ", images: 20}\n"
                      << "parameters:\n  - {path: adc.bits, values: [8]}\n";
  const std::string db = (dir / "r.db").string();
  qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt");
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 1);
  CHECK(points[0].status != "ok");
  CHECK_FALSE(points[0].accuracy);
  CHECK_THAT(points[0].error, Catch::Contains("is a QDQ model"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a point whose evaluation overflowed its accumulator carries the warning into the results",
          "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_overflow");
  // 16-bit weight and activation codes: products up to 2^31, whose sums
  // leave the 32-bit accumulator of the design's IntMAC (widened to take
  // them); 8/8 sums fit it.
  const std::string spec = (dir / "spec.yaml").string();
  std::ofstream(spec) << "name: acc_overflow\narch: " << shipped("arch/systolic_ws.yaml") << "\nworkloads: ["
                      << shipped("workloads/mnist_cnn.yaml") << "]\n"
                      << "accuracy: {model: mnist_cnn_fashion, images: 10, calibration_images: 50}\n"
                      << "set: {mac.weight_bits: 16, mac.input_bits: 16}\n"
                      << "parameters:\n  - {path: accuracy.bits, values: ['8/8', '16/16']}\n";
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const auto points = ResultsDb(db, false).points();
  REQUIRE(points.size() == 2);
  const PointRecord& narrow = point_with(points, "bits", "8/8");
  const PointRecord& wide = point_with(points, "bits", "16/16");
  CHECK(narrow.warnings.empty());
  REQUIRE_FALSE(wide.warnings.empty());
  for (const std::string& w : wide.warnings)
    CHECK_THAT(w, Catch::StartsWith("accuracy: accumulator overflow: layer '") &&
                      Catch::Contains("32-bit accumulator") && Catch::Contains("wrapped"));

  // The CSV's warnings column carries them.
  REQUIRE(qnnsim_cli("results " + db + " --csv", dir / "csv.txt", dir / "err.txt") == 0);
  const auto rows = csv_rows(read_file((dir / "csv.txt").string()));
  REQUIRE(rows.size() == 2);
  int warned = 0;
  for (const auto& row : rows)
    if (row.at("warnings").find("accuracy: accumulator overflow") != std::string::npos) ++warned;
  CHECK(warned == 1);
  std::filesystem::remove_all(dir);
}
