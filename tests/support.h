#pragma once
// Helpers shared by the tests: a tiny architecture whose figures are easy to
// derive by hand, and loaders for YAML text and shipped files.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "arch/arch_spec.h"
#include "design/run_result.h"
#include "workload/workload.h"

namespace qnnsim::test {

// A 4x4 weight-stationary array at 1 GHz, a 64 KiB buffer of 4 x 64-bit banks,
// a 64-bit bus, and a 64 bit/ns DRAM with 10 ns latency. `replace` pairs
// substitute text in the YAML to make variants.
std::string tiny_arch_yaml();
// The same array made Eyeriss-style: a SpatialArray under row stationary with
// scratchpads of 24 weights, 12 inputs and 8 partial sums, a network per
// tensor (64, 16 and 32 bits), and a buffer of `buffer_size` with one tile slot.
std::string tiny_spatial_arch_yaml(const std::string& buffer_size);
// An in-memory chip: one tile, one IMA of one 8x8 crossbar of 2-bit cells
// (cell-physics energy), 1-bit DACs, one 4-bit ADC for the 8 columns at
// 1 GS/s, 10 ns reads; digital parts and I/O fast enough never to bind.
std::string tiny_imc_yaml();
std::unique_ptr<ArchSpec> arch_from_text(const std::string& yaml, const std::string& name = "tiny_arch.yaml");
// The error loading this arch text raises; a text that loads fails the test.
ConfigError arch_error(const std::string& yaml);
Workload workload_from_text(const std::string& yaml, const std::string& name = "tiny_workload.yaml");
std::string replace_all(std::string text, const std::string& from, const std::string& to);
std::string shipped(const std::string& relative);  // path of a shipped file

// A fresh directory for one test's files, unique to this process.
std::filesystem::path scratch_dir(const std::string& name);

// A file's whole text.
std::string read_file(const std::string& path);
// A CSV file's rows, each a map from column name to its (unquoted) field.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text);
// Runs the qnnsim binary with `args`, its output and errors to the files; returns its exit code.
int qnnsim_cli(const std::string& args, const std::filesystem::path& out, const std::filesystem::path& err);

// Every point of a sweep's results file as one line of text, sorted: all a
// row holds except when it ran and how long it took, for comparing two runs.
std::vector<std::string> sweep_rows(const std::string& db);

// Count of one action of one component in a layer (0 if never counted).
uint64_t action_count(const LayerResult& l, const std::string& component, const std::string& action);
// One action of one component in a layer, its energy and count; a layer
// without it throws (the test fails, naming the action).
const ActionResult& action(const LayerResult& l, const std::string& component, const std::string& name);

}  // namespace qnnsim::test
