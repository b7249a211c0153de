// qnnsim import-arch: a Timeloop v0.4 design, ERT and mapping (written here
// in Timeloop's format, for the simple weight-stationary example design) give
// the same level counts as the hand-written level design the Timeloop
// validation ships; mistakes in the Timeloop files name their file and key.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support.h"

using namespace qnnsim::test;

namespace {

const char* kArch = R"(architecture:
  version: '0.4'
  subtree:
    - name: system_top_level
      local:
        - name: DRAM[1..1]
          class: DRAM
          attributes: {width: 64, datawidth: 16}
        - name: shared_glb[1..1]
          class: smartbuffer_SRAM
          attributes: {depth: 16384, width: 64, datawidth: 16}
        - name: inter_PE_spatial[1..1]
          class: dummy_storage
        - name: pe_spad[1..256]
          class: smartbuffer_SRAM
          attributes: {depth: 192, width: 16, datawidth: 16}
        - name: weight_reg[1..256]
          class: storage
          attributes: {depth: 1, width: 16, datawidth: 16}
        - name: input_activation_reg[1..256]
          class: storage
          attributes: {depth: 1, width: 16, datawidth: 16}
        - name: output_activation_reg[1..256]
          class: storage
          attributes: {depth: 1, width: 16, datawidth: 16}
        - name: mac[1..256]
          class: intmac
problem:
  version: '0.4'
  shape: {name: conv2D}
  instance: {C: 3, M: 32, R: 3, S: 3, N: 1, P: 112, Q: 112, H: 224, W: 224, Hstride: 2, Wstride: 2, Hpad: 1, Wpad: 1}
)";

std::string table(const char* name, double read, double write, double update, double leak) {
  return std::string("    - name: system_top_level.") + name + "\n      actions:\n" +
         "        - {name: read, energy: " + std::to_string(read) + "}\n" +
         "        - {name: write, energy: " + std::to_string(write) + "}\n" +
         "        - {name: update, energy: " + std::to_string(update) + "}\n" +
         "        - {name: leak, energy: " + std::to_string(leak) + "}\n";
}

std::string ert() {
  return std::string("ERT:\n  version: '0.4'\n  tables:\n") + table("DRAM[1..1]", 512, 512, 512, 0) +
         table("shared_glb[1..1]", 32.377775, 26.156875, 26.156875, 0.005353) +
         table("pe_spad[1..256]", 0.680237, 1.582678, 1.582678, 0.001165) + table("weight_reg[1..256]", 0.144, 0, 0, 0) +
         table("input_activation_reg[1..256]", 0.144, 0, 0, 0) + table("output_activation_reg[1..256]", 0.144, 0, 0, 0) +
         "    - name: system_top_level.mac[1..256]\n      actions:\n        - {name: compute, energy: 0.315}\n";
}

// Permutations are innermost first, as Timeloop writes them.
const char* kMap = R"(mapping:
  - {target: output_activation_reg, type: datatype, keep: [Outputs], bypass: [Weights, Inputs]}
  - {target: input_activation_reg, type: datatype, keep: [Inputs], bypass: [Weights, Outputs]}
  - {target: weight_reg, type: datatype, keep: [Weights], bypass: [Inputs, Outputs]}
  - {target: pe_spad, type: datatype, keep: [Weights], bypass: [Inputs, Outputs]}
  - {target: inter_PE_spatial, type: datatype, keep: [], bypass: [Weights, Inputs, Outputs]}
  - {target: shared_glb, type: datatype, keep: [Weights, Inputs, Outputs], bypass: []}
  - {target: DRAM, type: datatype, keep: [Weights, Inputs, Outputs], bypass: []}
  - {target: weight_reg, type: temporal, factors: C1 M1 R1 S1 N1 P28 Q4, permutation: QPCMRSN}
  - {target: pe_spad, type: temporal, factors: C1 M1 R3 S1 N1 P2 Q2, permutation: PQRCMSN}
  - {target: inter_PE_spatial, type: spatial, factors: C3 M4 R1 S1 N1 P1 Q1, permutation: CMRSNPQ}
  - {target: shared_glb, type: temporal, factors: C1 M8 R1 S3 N1 P2 Q1, permutation: MPSCRNQ}
  - {target: DRAM, type: temporal, factors: C1 M1 R1 S1 N1 P1 Q14, permutation: QCMRSNP}
)";

struct Files {
  std::filesystem::path dir, arch, ert, map;
};

Files write_timeloop(const std::string& arch, const std::string& map) {
  Files f;
  f.dir = scratch_dir("timeloop_import");
  f.arch = f.dir / "arch.yaml";
  f.ert = f.dir / "ERT.yaml";
  f.map = f.dir / "map.yaml";
  std::ofstream(f.arch) << arch;
  std::ofstream(f.ert) << ert();
  std::ofstream(f.map) << map;
  return f;
}

std::string import_args(const Files& f) {
  return "import-arch --arch " + f.arch.string() + " --ert " + f.ert.string() + " --map " + f.map.string() + " -o " +
         (f.dir / "design.yaml").string();
}

nlohmann::json levels_json(const std::string& design, const std::filesystem::path& dir, const std::string& tag) {
  const auto json = dir / (tag + ".json");
  REQUIRE(qnnsim_cli("levels " + design + " --json " + json.string(), dir / "out.txt", dir / "err.txt") == 0);
  return nlohmann::json::parse(read_file(json.string()));
}

}  // namespace

TEST_CASE("a Timeloop design imports as the level design written by hand from it", "[levels][validation]") {
  const Files f = write_timeloop(kArch, kMap);
  REQUIRE(qnnsim_cli(import_args(f), f.dir / "out.txt", f.dir / "err.txt") == 0);
  CHECK_THAT(read_file((f.dir / "out.txt").string()), Catch::Contains("imported 7 storage levels and a 256-unit mac array"));
  // Each level's capacity comes from Timeloop's depth x width / word bits, as
  // the hand-written design's sizes do (the global buffer's 16384 x 64 bit
  // of 16-bit words; the 192-entry register file).
  const std::string imported = read_file((f.dir / "design.yaml").string());
  CHECK_THAT(imported, Catch::Contains("size: 65536") && Catch::Contains("size: 192"));
  const nlohmann::json got = levels_json((f.dir / "design.yaml").string(), f.dir, "imported");
  const nlohmann::json want =
      levels_json(shipped("configs/validation/timeloop/simple_weight_stationary.yaml"), f.dir, "shipped");
  CHECK(got["cycles"] == want["cycles"]);
  CHECK(got["computes"] == want["computes"]);
  REQUIRE(got["levels"].size() == want["levels"].size());
  for (std::size_t l = 0; l < want["levels"].size(); ++l) {
    INFO("level " << want["levels"][l]["name"]);
    CHECK(got["levels"][l]["name"] == want["levels"][l]["name"]);
    CHECK(got["levels"][l].value("tensors", nlohmann::json::object()) ==
          want["levels"][l].value("tensors", nlohmann::json::object()));
    CHECK(got["levels"][l]["energy_pj"].get<double>() == Approx(want["levels"][l]["energy_pj"].get<double>()).epsilon(1e-6));
  }
}

TEST_CASE("mistakes in Timeloop files are errors naming the file, line and key", "[levels][validation]") {
  const auto error_of = [](const std::string& arch, const std::string& map) {
    const Files f = write_timeloop(arch, map);
    CHECK(qnnsim_cli(import_args(f), f.dir / "out.txt", f.dir / "err.txt") == 2);
    return read_file((f.dir / "err.txt").string());
  };
  CHECK_THAT(error_of(kArch, replace_all(kMap, "target: DRAM, type: temporal", "target: DRAMS, type: temporal")),
             Catch::Contains("map.yaml:13:") && Catch::Contains("no storage level 'DRAMS'"));
  CHECK_THAT(error_of(kArch, replace_all(kMap, "P1 Q14", "P1 Q13")),
             Catch::Contains("the factors of Q multiply to 104, but the layer's Q is 112"));
  CHECK_THAT(error_of(replace_all(kArch, "class: intmac", "class: systolic_thing"), kMap),
             Catch::Contains("arch.yaml:") && Catch::Contains("class 'systolic_thing' is neither a storage level"));
  CHECK_THAT(error_of(replace_all(kArch, "Wstride: 2", "Wstride: 1"), kMap),
             Catch::Contains("Hstride and Wstride differ"));
  CHECK_THAT(error_of(kArch, replace_all(kMap, "factors: C3 M4", "factors: C3 X4")),
             Catch::Contains("expected factors such as 'C1 M8 R3', found 'X4'"));
}
