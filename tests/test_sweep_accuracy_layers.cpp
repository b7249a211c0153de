// A sweep's accuracy per layer and at the priced widths: each point's
// evaluation stores its per-layer ADC clip and accumulator overflow
// fractions (the `accuracy_layers` table, `results --accuracy-layers`) and
// the point's overflow fraction, equal to what `qnnsim eval --json` gives;
// its widths and weight schemes come from the point's priced trace when that
// is the model's import, or from the section's `bits:` and `weight_scheme:`.
// These read Debian's dataset-fashion-mnist on a few dozen images.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "core/config_error.h"
#include "sweep/results_db.h"
#include "sweep/sweep_plan.h"
#include "sweep/sweep_spec.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

// `qnnsim eval ARGS --json` on the first `images` test images, parsed.
nlohmann::json eval_json(const std::filesystem::path& dir, const std::string& args) {
  const auto json = dir / "eval.json";
  REQUIRE(qnnsim_cli("eval mnist_cnn_fashion " + args + " --quiet --json " + json.string(), dir / "eval_out.txt",
                     dir / "eval_err.txt") == 0);
  return nlohmann::json::parse(read_file(json.string()));
}

// The rows of one point, in layer order.
std::vector<AccuracyLayerRow> rows_of(const std::vector<AccuracyLayerRow>& all, const std::string& hash) {
  std::vector<AccuracyLayerRow> out;
  for (const AccuracyLayerRow& r : all)
    if (r.hash == hash) out.push_back(r);
  return out;
}

const PointRecord& point_with(const std::vector<PointRecord>& points, const std::string& name, const std::string& value) {
  for (const PointRecord& r : points)
    for (const ParamValue& v : r.params)
      if (v.name == name && v.value == value) return r;
  FAIL("no point sets " << name << "=" << value);
  throw std::logic_error("unreachable");
}

ConfigError spec_error(const std::string& path) {
  try {
    load_sweep_spec(path);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("the spec loaded: " << path);
  throw std::logic_error("unreachable");
}

// The shipped CNN imported as a trace (`qnnsim import`): its layers are the model's.
std::string import_cnn(const std::filesystem::path& dir) {
  const std::string trace = (dir / "cnn.yaml").string();
  REQUIRE(qnnsim_cli("import " + shipped("workloads/models/mnist_cnn_fashion.onnx") + " -o " + trace,
                     dir / "import_out.txt", dir / "import_err.txt") == 0);
  return trace;
}

}  // namespace

TEST_CASE("a sweep stores each layer's ADC clip fraction as eval gives it", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_clip");
  // 6-bit ADCs clip on some layers and not others.
  const std::string spec = write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/isaac.yaml") +
                                                        "\nworkloads: [" + shipped("workloads/mnist_cnn.yaml") +
                                                        "]\naccuracy: {model: mnist_cnn_fashion, images: 30, "
                                                        "calibration_images: 50, bits: 8/8}\n"
                                                        "parameters:\n  - {path: adc.bits, values: [6]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 1);
  REQUIRE(points[0].status == "ok");
  const auto rows = rows_of(results.accuracy_layers(), points[0].hash);

  const auto eval = eval_json(dir, "--arch isaac --adc-bits 6 --limit 30 --calibration-images 50");
  const auto& layers = eval.at("layers");
  REQUIRE(rows.size() == layers.size());
  bool some_clip = false, some_clean = false;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    INFO("layer " << layers[i].at("name").get<std::string>());
    CHECK(rows[i].name == layers[i].at("name").get<std::string>());
    CHECK(rows[i].weight_bits == layers[i].at("weight_bits").get<int64_t>());
    CHECK(rows[i].activation_bits == layers[i].at("activation_bits").get<int64_t>());
    CHECK(rows[i].weight_scheme == layers[i].at("weight_scheme").get<std::string>());
    REQUIRE(rows[i].adc_conversions);
    CHECK(*rows[i].adc_conversions == layers[i].at("adc_conversions").get<int64_t>());
    CHECK(*rows[i].adc_clipped == layers[i].at("adc_clipped").get<int64_t>());
    CHECK(*rows[i].adc_clip_fraction == layers[i].at("adc_clip_fraction").get<double>());
    CHECK(rows[i].overflow_fraction == layers[i].at("overflow_fraction").get<double>());
    some_clip = some_clip || *rows[i].adc_clip_fraction > 0;
    some_clean = some_clean || *rows[i].adc_clip_fraction == 0;
  }
  CHECK(some_clip);
  CHECK(some_clean);
  REQUIRE(points[0].overflow_fraction);
  CHECK(*points[0].overflow_fraction == eval.at("overflow_fraction").get<double>());

  // The long CSV, one row per point and layer, with the point's parameters.
  REQUIRE(qnnsim_cli("results " + db + " --accuracy-layers", dir / "layers.csv", dir / "err.txt") == 0);
  const auto csv = csv_rows(read_file((dir / "layers.csv").string()));
  REQUIRE(csv.size() == rows.size());
  for (std::size_t i = 0; i < csv.size(); ++i) {
    CHECK(csv[i].at("hash") == points[0].hash);
    CHECK(csv[i].at("ima.adc.bits") == "6");
    CHECK(csv[i].at("layer") == rows[i].name);
    CHECK(std::stoll(csv[i].at("adc_clipped")) == *rows[i].adc_clipped);
    CHECK(std::stod(csv[i].at("adc_clip_fraction")) == Approx(*rows[i].adc_clip_fraction));
  }
  // It is a table of its own: not mixed into --csv's.
  CHECK(qnnsim_cli("results " + db + " --accuracy-layers --csv", dir / "out.txt", dir / "err.txt") == 2);
}

TEST_CASE("a sweep's overflow fraction is eval's and constraints read it", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_overflow");
  // 16-bit codes: products up to 2^31, whose sums wrap the 32-bit accumulator
  // of the design's IntMAC, widened to take them.
  const std::string spec = write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") +
                                                        "\nworkloads: [" + shipped("workloads/mnist_cnn.yaml") +
                                                        "]\naccuracy: {model: mnist_cnn_fashion, images: 10, "
                                                        "calibration_images: 50}\n"
                                                        "set: {mac.weight_bits: 16, mac.input_bits: 16}\n"
                                                        "parameters:\n  - {path: accuracy.bits, values: ['8/8', "
                                                        "'16/16']}\n"
                                                        "constraints: ['overflow_fraction < 0.001']\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 2);
  const PointRecord& narrow = point_with(points, "bits", "8/8");
  const PointRecord& wide = point_with(points, "bits", "16/16");
  REQUIRE(narrow.overflow_fraction);
  REQUIRE(wide.overflow_fraction);
  CHECK(*narrow.overflow_fraction == 0);
  CHECK(narrow.constraint_violations.empty());
  CHECK(wide.constraint_violations == "overflow_fraction < 0.001");
  CHECK_FALSE(wide.adc_clip_fraction);  // no ADCs on a digital design

  const auto eval = eval_json(dir, "--bits 16/16 --limit 10 --calibration-images 50");
  CHECK(*wide.overflow_fraction == eval.at("overflow_fraction").get<double>());
  CHECK(*wide.overflow_fraction > 0.001);
  const auto rows = rows_of(results.accuracy_layers(), wide.hash);
  const auto& layers = eval.at("layers");
  REQUIRE(rows.size() == layers.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].sums == layers[i].at("sums").get<int64_t>());
    CHECK(rows[i].overflowed_sums == layers[i].at("overflowed_sums").get<int64_t>());
    CHECK(rows[i].overflow_fraction == layers[i].at("overflow_fraction").get<double>());
    CHECK_FALSE(rows[i].adc_conversions);
    CHECK(rows[i].mac_class == std::optional<std::string>("IntMAC"));
    CHECK(rows[i].accumulator_bits == std::optional<int64_t>(32));
  }

  REQUIRE(qnnsim_cli("results " + db + " --csv", dir / "csv.txt", dir / "err.txt") == 0);
  const auto csv = csv_rows(read_file((dir / "csv.txt").string()));
  REQUIRE(csv.size() == 2);
  for (const auto& row : csv)
    CHECK(std::stod(row.at("overflow_fraction")) ==
          Approx(row.at("accuracy.bits") == "16/16" ? *wide.overflow_fraction : 0.0));
}

TEST_CASE("a point is evaluated at the widths its priced trace gives", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_trace_widths");
  const std::string trace = import_cnn(dir);
  // The trace's weights swept: each point is priced and, by default (bits:
  // auto, the trace being the model's import), evaluated at those widths.
  const std::string spec = write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") +
                                                        "\nworkloads: [" + trace +
                                                        "]\naccuracy: {model: mnist_cnn_fashion, images: 30, "
                                                        "calibration_images: 50}\n"
                                                        "parameters:\n  - {path: 'layers[*].weights.bits', name: "
                                                        "wbits, values: [3, 8]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 2);
  for (const char* bits : {"3", "8"}) {
    const PointRecord& p = point_with(points, "wbits", bits);
    REQUIRE(p.status == "ok");
    const auto rows = rows_of(results.accuracy_layers(), p.hash);
    REQUIRE_FALSE(rows.empty());
    for (const AccuracyLayerRow& r : rows) CHECK(r.weight_bits == std::stoi(bits));
    // The same as eval at those widths for every layer.
    const auto eval = eval_json(dir, std::string("--bits ") + bits + "/8 --limit 30 --calibration-images 50");
    CHECK(*p.accuracy == eval.at("quantized_accuracy_fraction").get<double>());
  }
  CHECK(*point_with(points, "wbits", "3").accuracy < *point_with(points, "wbits", "8").accuracy);

  // One layer at its own width and scheme, as a mixed-precision trace has it.
  const std::string mixed = write(dir / "mixed.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") +
                                                          "\nworkloads: [" + trace +
                                                          "]\naccuracy: {model: mnist_cnn_fashion, images: 30, "
                                                          "calibration_images: 50, bits: trace}\n"
                                                          "set: {'layers[0].weights.bits': 2, 'layers[0].weights.scheme': ternary, "
                                                          "'layers[*].outputs.bits': 6}\n"
                                                          "parameters:\n  - {path: 'layers[*].inputs.bits', name: "
                                                          "abits, values: [6]}\n");
  const std::string mixed_db = (dir / "mixed.db").string();
  REQUIRE(qnnsim_cli("sweep " + mixed + " --db " + mixed_db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb mixed_results(mixed_db, false);
  const auto mp = mixed_results.points();
  REQUIRE(mp.size() == 1);
  REQUIRE(mp[0].status == "ok");
  const auto rows = rows_of(mixed_results.accuracy_layers(), mp[0].hash);
  REQUIRE(rows.size() >= 2);
  CHECK(rows[0].weight_scheme == "ternary");
  CHECK(rows[0].weight_bits == 2);
  CHECK(rows[1].weight_scheme == "uniform_symmetric");
  CHECK(rows[1].weight_bits == 8);
  for (const AccuracyLayerRow& r : rows) CHECK(r.activation_bits == 6);
  const auto eval = eval_json(dir, "--bits 8/6 --bits " + rows[0].name + "=2/6 --weight-scheme " + rows[0].name +
                                       "=ternary --limit 30 --calibration-images 50");
  CHECK(*mp[0].accuracy == eval.at("quantized_accuracy_fraction").get<double>());
}

TEST_CASE("widths from a trace that is not the model's import are refused at the key", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_trace_refused");
  const std::string head = "name: acc\narch: " + shipped("arch/systolic_ws.yaml") + "\nworkloads: [";
  // The hand-written trace names its layers otherwise than the import.
  ConfigError e = spec_error(write(dir / "named.yaml", head + shipped("workloads/lenet5.yaml") +
                                                           "]\naccuracy: {model: mnist_cnn_fashion, images: 10, "
                                                           "bits: trace}\nparameters:\n  - {path: pe_array.rows, "
                                                           "values: [16]}\n"));
  CHECK(e.key_path() == "accuracy.bits");
  CHECK(e.where().line == 4);
  CHECK_THAT(e.message(), Catch::Contains("not the model's own import"));

  // A layer of the model's name but another shape: the trace's file, line and key.
  const std::string trace = import_cnn(dir);
  const std::string text = read_file(trace);
  // The last layer, so that the trace itself stays whole: only the model disagrees.
  const std::string fc = "type: fc, C: 1728, M: 10";
  const auto m = text.find(fc);
  REQUIRE(m != std::string::npos);
  const std::string wrong =
      write(dir / "wrong.yaml", text.substr(0, m) + "type: fc, C: 1728, M: 11" + text.substr(m + fc.size()));
  e = spec_error(write(dir / "shape.yaml", head + wrong +
                                               "]\naccuracy: {model: mnist_cnn_fashion, images: 10}\n"
                                               "parameters:\n  - {path: pe_array.rows, values: [16]}\n"));
  CHECK(e.where().file == wrong);
  CHECK(e.key_path().find("].M") != std::string::npos);
  CHECK_THAT(e.message(), Catch::Contains("import"));

  // The trace gives each layer's scheme: a section's weight_scheme beside it is refused.
  e = spec_error(write(dir / "scheme.yaml", head + trace +
                                                "]\naccuracy: {model: mnist_cnn_fashion, images: 10, "
                                                "weight_scheme: ternary}\n"
                                                "parameters:\n  - {path: pe_array.rows, values: [16]}\n"));
  CHECK(e.key_path() == "accuracy.weight_scheme");
}

TEST_CASE("a sweep's accuracy runs weight schemes and sweeps them", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_weight_scheme");
  const std::string spec = write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") +
                                                        "\nworkloads: [" + shipped("workloads/mnist_cnn.yaml") +
                                                        "]\naccuracy: {model: mnist_cnn_fashion, images: 30, "
                                                        "calibration_images: 50}\n"
                                                        "parameters:\n  - zip:\n"
                                                        "      - {path: accuracy.weight_scheme, values: "
                                                        "[uniform_symmetric, ternary, binary]}\n"
                                                        "      - {path: accuracy.bits, values: ['8/8', '2/8', '1/8']}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 3);
  for (const auto& [scheme, bits] : std::vector<std::pair<std::string, std::string>>{
           {"uniform_symmetric", "8/8"}, {"ternary", "2/8"}, {"binary", "1/8"}}) {
    const PointRecord& p = point_with(points, "weight_scheme", scheme);
    REQUIRE(p.status == "ok");
    for (const AccuracyLayerRow& r : rows_of(results.accuracy_layers(), p.hash)) CHECK(r.weight_scheme == scheme);
    const auto eval = eval_json(dir, "--bits " + bits + " --weight-scheme " + scheme + " --limit 30 --calibration-images 50");
    CHECK(*p.accuracy == eval.at("quantized_accuracy_fraction").get<double>());
  }

  // An unknown scheme stops the sweep at the parameter's line.
  const ConfigError e = spec_error(write(dir / "bad.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") +
                                                               "\nworkloads: [" + shipped("workloads/mnist_cnn.yaml") +
                                                               "]\naccuracy: {model: mnist_cnn_fashion, images: 10}\n"
                                                               "parameters:\n  - {path: accuracy.weight_scheme, "
                                                               "values: [binary, trinary]}\n"));
  CHECK(e.where().line == 6);
  CHECK_THAT(e.message(), Catch::Contains("trinary"));
}

TEST_CASE("the new evaluation settings are in a point's hash with their defaults spelled out", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_hash");
  const auto hash_of = [&](const std::string& accuracy) {
    const auto plan = plan_sweep(write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/isaac.yaml") +
                                                              "\nworkloads: [" + shipped("workloads/mnist_cnn.yaml") +
                                                              "]\naccuracy: {model: mnist_cnn_fashion, images: 40" +
                                                              accuracy + "}\nparameters:\n  - {path: adc.bits, "
                                                              "values: [8]}\n"),
                                 {});
    REQUIRE(plan->runnable.size() == 1);
    return plan->hashes[plan->runnable[0]];
  };
  const std::string base = hash_of("");
  CHECK(hash_of(", bits: auto, weight_scheme: uniform_symmetric") == base);
  CHECK(hash_of(", bits: 8/8") != base);
  CHECK(hash_of(", bits: 2/8, weight_scheme: ternary") != hash_of(", bits: 2/8"));
}

TEST_CASE("a sweep's digital design holds each layer's sums in its MAC class's accumulator", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_mac_class");
  // The IntMAC's accumulator swept with the trace's (run refuses a layer
  // whose trace asks for a wider one than the class holds): at 12 bits the
  // 8-bit products' sums wrap, and the values are what that hardware holds.
  const std::string spec =
      write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") + "\nworkloads: [" +
                                   shipped("workloads/mnist_cnn.yaml") +
                                   "]\naccuracy: {model: mnist_cnn_fashion, images: 20, calibration_images: 50, "
                                   "bits: 8/8}\n"
                                   "parameters:\n  - zip:\n"
                                   "      - {path: mac.accumulator_bits, name: acc, values: [32, 12]}\n"
                                   "      - {path: precision.accumulator.bits, in: workload, values: [32, 12]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 2);
  const PointRecord& wide = point_with(points, "acc", "32");
  const PointRecord& narrow = point_with(points, "acc", "12");
  REQUIRE(wide.overflow_fraction);
  REQUIRE(narrow.overflow_fraction);
  CHECK(*wide.overflow_fraction == 0);
  CHECK(*narrow.overflow_fraction > 0);

  // `eval --arch` on the point's arch, written out: the same figures.
  std::string arch = read_file(shipped("arch/systolic_ws.yaml"));
  const std::string key = "accumulator_bits: 32";
  REQUIRE(arch.find(key) != std::string::npos);
  arch.replace(arch.find(key), key.size(), "accumulator_bits: 12");
  const std::string narrow_arch = write(dir / "narrow.yaml", arch);
  const auto eval = eval_json(dir, "--arch " + narrow_arch + " --bits 8/8 --limit 20 --calibration-images 50");
  CHECK(*narrow.accuracy == eval.at("quantized_accuracy_fraction").get<double>());
  CHECK(*narrow.overflow_fraction == eval.at("overflow_fraction").get<double>());
  const auto rows = rows_of(results.accuracy_layers(), narrow.hash);
  const auto& layers = eval.at("layers");
  REQUIRE(rows.size() == layers.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].mac_class == std::optional<std::string>("IntMAC"));
    CHECK(rows[i].mac_class == layers[i].at("mac_class").get<std::string>());
    CHECK(rows[i].accumulator_bits == std::optional<int64_t>(12));
    CHECK(rows[i].overflow == std::optional<std::string>("wrap"));
    CHECK(rows[i].overflowed_sums == layers[i].at("overflowed_sums").get<int64_t>());
  }
  // The per-layer CSV names them too.
  REQUIRE(qnnsim_cli("results " + db + " --accuracy-layers", dir / "layers.csv", dir / "err.txt") == 0);
  const auto csv = csv_rows(read_file((dir / "layers.csv").string()));
  REQUIRE(csv.size() == 2 * rows.size());
  for (const auto& row : csv) {
    CHECK(row.at("mac_class") == "IntMAC");
    CHECK(row.at("accumulator_bits") == (row.at("hash") == narrow.hash ? "12" : "32"));
    CHECK(row.at("overflow") == "wrap");
  }
}

TEST_CASE("a sweep point whose widths its MAC class cannot execute fails with eval's reason", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_mac_refuses");
  // systolic_ws's IntMAC takes 8-bit operands: the costs are priced at the
  // trace's 8 bits, but an evaluation at 16/16 asks what it cannot run.
  const std::string spec = write(dir / "spec.yaml", "name: acc\narch: " + shipped("arch/systolic_ws.yaml") +
                                                        "\nworkloads: [" + shipped("workloads/mnist_cnn.yaml") +
                                                        "]\naccuracy: {model: mnist_cnn_fashion, images: 10, "
                                                        "calibration_images: 50}\n"
                                                        "parameters:\n  - {path: accuracy.bits, values: ['8/8', "
                                                        "'16/16']}\n");
  const std::string db = (dir / "r.db").string();
  qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt");
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 2);
  CHECK(point_with(points, "bits", "8/8").status == "ok");
  const PointRecord& refused = point_with(points, "bits", "16/16");
  CHECK(refused.status != "ok");
  CHECK_THAT(refused.error, Catch::Contains("evaluation") && Catch::Contains("IntMAC") && Catch::Contains("16"));
  CHECK_THAT(refused.error, !Catch::Contains("--arch"));  // a point's arch, not the command's option
}

TEST_CASE("a results file whose accuracy_layers lack the MAC class gains the columns when opened", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_migrate");
  const std::string db = (dir / "old.db").string();
  // The table as the release before MAC classes wrote it, with one row.
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  REQUIRE(sqlite3_exec(handle,
                       "CREATE TABLE accuracy_layers(hash TEXT, layer_index INTEGER, name TEXT, weight_bits INTEGER, "
                       "weight_scheme TEXT, activation_bits INTEGER, sums INTEGER, overflowed_sums INTEGER, "
                       "overflow_fraction REAL, adc_conversions INTEGER, adc_clipped INTEGER, adc_clip_fraction REAL, "
                       "PRIMARY KEY(hash, layer_index));"
                       "INSERT INTO accuracy_layers(hash, layer_index, name, weight_bits, weight_scheme, "
                       "activation_bits, sums, overflowed_sums, overflow_fraction) "
                       "VALUES('abc', 0, 'conv1_Conv', 8, 'uniform_symmetric', 8, 100, 0, 0);",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  ResultsDb opened(db, true);  // writable: the columns are added
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  int columns = 0;
  REQUIRE(sqlite3_exec(
              handle,
              "SELECT name FROM pragma_table_info('accuracy_layers') WHERE name IN ('mac_class', 'accumulator_bits', "
              "'overflow', 'part')",
              [](void* n, int, char**, char**) {
                ++*static_cast<int*>(n);
                return 0;
              },
              &columns, nullptr) == SQLITE_OK);
  sqlite3_close(handle);
  CHECK(columns == 4);
}

TEST_CASE("a sweep evaluates each of a hybrid's layers on its part as eval --arch does", "[sweep][accuracy]") {
  const auto dir = scratch_dir("sweep_acc_layers_hybrid");
  // ISAAC's crossbars beside Eyeriss, the convolutions placed on Eyeriss by
  // type and the fc on the crossbars by the automatic rule: each layer's
  // values are its part's.
  std::ofstream(dir / "hybrid.yaml") << "name: h\nkind: hybrid\nparts:\n  crossbars: " << shipped("arch/isaac.yaml")
                                     << "\n  digital: " << shipped("arch/eyeriss_v1.yaml")
                                     << "\nplacement:\n  types: {conv: digital}\n";
  const std::string spec = write(dir / "spec.yaml", "name: acc\narch: hybrid.yaml\nworkloads: [" +
                                                        shipped("workloads/mnist_cnn.yaml") +
                                                        "]\noptions: {bits: [accumulator=16]}\n"
                                                        "accuracy: {model: mnist_cnn_fashion, images: 20, "
                                                        "calibration_images: 50, bits: 8/8}\n"
                                                        "parameters:\n  - {path: accuracy.seed, values: [1]}\n");
  const std::string db = (dir / "r.db").string();
  REQUIRE(qnnsim_cli("sweep " + spec + " --db " + db + " -j 1", dir / "out.txt", dir / "err.txt") == 0);
  const ResultsDb results(db, false);
  const auto points = results.points();
  REQUIRE(points.size() == 1);
  INFO(points[0].error);
  REQUIRE(points[0].status == "ok");
  const auto eval = eval_json(dir, "--arch " + (dir / "hybrid.yaml").string() + " --bits 8/8 --limit 20 "
                                   "--calibration-images 50");
  CHECK(*points[0].accuracy == eval.at("quantized_accuracy_fraction").get<double>());
  REQUIRE(points[0].adc_clip_fraction);
  CHECK(*points[0].adc_clip_fraction == eval.at("adc_clip_fraction").get<double>());
  const auto rows = rows_of(results.accuracy_layers(), points[0].hash);
  const auto& layers = eval.at("layers");
  REQUIRE(rows.size() == layers.size());
  REQUIRE(rows.size() == 3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].part == std::optional<std::string>(layers[i].at("part").get<std::string>()));
    CHECK(rows[i].overflowed_sums == layers[i].at("overflowed_sums").get<int64_t>());
  }
  // conv1 and conv2 on Eyeriss's 16-bit IntMAC; the fc on ISAAC's crossbars.
  CHECK(rows[0].part == std::optional<std::string>("digital"));
  CHECK(rows[0].mac_class == std::optional<std::string>("IntMAC"));
  CHECK(rows[0].accumulator_bits == std::optional<int64_t>(16));
  CHECK_FALSE(rows[0].adc_conversions);
  CHECK(rows[2].part == std::optional<std::string>("crossbars"));
  CHECK_FALSE(rows[2].mac_class);
  REQUIRE(rows[2].adc_conversions);
  CHECK(*rows[2].adc_conversions == layers[2].at("adc_conversions").get<int64_t>());
}
