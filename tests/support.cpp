#include "support.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>

#include <unistd.h>

#include "sweep/results_db.h"

namespace qnnsim::test {

std::string tiny_arch_yaml() {
  return R"(name: tiny
technology: {node: 45 nm, clock: 1 GHz, voltage: 0.9 V}
energy_table: horowitz_45nm
simulation: {quantum: 1 us}
dataflow: weight_stationary
components:
  dram: {class: DRAM, type: LPDDR4, channels: 1, width: 64 bit, data_rate: 1000 MT/s, latency: 10 ns}
  glb: {under: dram, class: SRAMBuffer, size: 64 KiB, width: 64 bit, banks: 4}
  noc: {under: glb, class: MulticastBus, width: 64 bit}
  pe_array:
    class: SystolicArray
    under: noc
    rows: 4
    cols: 4
    mac: {class: IntMAC, weight_bits: 8, input_bits: 8, accumulator_bits: 32}
    spad: {weights: 2, inputs: 1, psums: 1}
  vector_unit: {under: glb, class: VectorUnit, lanes: 4, bits: 16}
)";
}

std::string tiny_spatial_arch_yaml(const std::string& buffer_size) {
  std::string yaml = replace_all(tiny_arch_yaml(), "size: 64 KiB, width: 64 bit, banks: 4",
                                 "size: " + buffer_size + ", width: 64 bit, banks: 4, tile_slots: 1");
  yaml = replace_all(yaml, "dataflow: weight_stationary", "dataflow: row_stationary");
  yaml = replace_all(yaml, "class: SystolicArray", "class: SpatialArray");
  yaml = replace_all(yaml, "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                     "noc: {under: glb, class: MulticastBus, width: {weights: 64 bit, inputs: 16 bit, psums: 32 bit}}");
  return replace_all(yaml, "spad: {weights: 2, inputs: 1, psums: 1}", "spad: {weights: 24, inputs: 12, psums: 8}");
}

std::string tiny_imc_yaml() {
  return R"(name: tiny_imc
kind: in_memory
technology: {node: 32 nm, clock: 1 GHz}
execution: layer_pipelined
chip:
  tiles: 1
  router: {tiles_per_router: 1, link_width: 1024 bit, power: 1 mW, area: 0.01 mm2}
  io: {width: 1024 bit, data_rate: 1000 GT/s, power: 1 W, area: 1 mm2}
tile:
  imas: 1
  edram: {size: 64 KiB, width: 1024 bit, power: 1 mW, area: 0.1 mm2}
  bus: {width: 1024 bit, power: 1 mW, area: 0.1 mm2}
ima:
  crossbars: 1
  crossbar: {rows: 8, cols: 8, bits_per_cell: 2, read_time: 10 ns, r_on: 10 kOhm, r_off: 100 kOhm, v_read: 0.2 V,
             area: 0.001 mm2}
  dac: {bits: 1, power: 1 uW, area: 0.0001 mm2}
  sample_hold: {power: 1 uW, area: 0.0001 mm2}
  adc: {bits: 4, sample_rate: 1 GS/s, columns_per_adc: 8, energy_model: table, power: 2 mW, area: 0.001 mm2}
)";
}

std::unique_ptr<ArchSpec> arch_from_text(const std::string& yaml, const std::string& name) {
  return load_arch(ConfigNode::load_string(yaml, name));
}

ConfigError arch_error(const std::string& yaml) {
  try {
    arch_from_text(yaml);
  } catch (const ConfigError& e) {
    return e;
  }
  throw std::logic_error("expected a ConfigError, but the arch loaded");
}

Workload workload_from_text(const std::string& yaml, const std::string& name) {
  return load_workload(ConfigNode::load_string(yaml, name));
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  // A pattern that is not there would leave the test running on the unedited text.
  if (text.find(from) == std::string::npos) throw std::logic_error("replace_all: '" + from + "' is not in the text");
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("qnnsim_test_" + name + "_" + std::to_string(::getpid()));
  // Process ids are reused: a folder left by an earlier run under this id
  // would hand this test that run's files (a results database a sweep then
  // refuses to overwrite, say). It is emptied the first time this process
  // asks for it, and kept for the process's later calls.
  static std::set<std::string> fresh;
  if (fresh.insert(name).second) std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string shipped(const std::string& relative) { return (std::filesystem::path(data_dir()) / relative).string(); }

uint64_t action_count(const LayerResult& l, const std::string& component, const std::string& action) {
  uint64_t n = 0;
  for (const auto& a : l.actions)
    if (a.component == component && a.action == action) n += a.count;
  return n;
}

const ActionResult& action(const LayerResult& l, const std::string& component, const std::string& name) {
  for (const auto& a : l.actions)
    if (a.component == component && a.action == name) return a;
  throw std::runtime_error("the layer has no action " + component + "." + name);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  // RFC 4180: a quoted field may hold commas, doubled quotes and line breaks.
  std::vector<std::vector<std::string>> records(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      records.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      records.back().push_back(field);
      field.clear();
      records.emplace_back();
    } else {
      field += c;
    }
  }
  if (records.back().empty()) records.pop_back();
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != records[0].size())
      throw std::runtime_error("CSV row " + std::to_string(r) + " has " + std::to_string(records[r].size()) +
                               " fields, its header " + std::to_string(records[0].size()));
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < records[0].size(); ++c) row[records[0][c]] = records[r][c];
    rows.push_back(row);
  }
  return rows;
}

int qnnsim_cli(const std::string& args, const std::filesystem::path& out, const std::filesystem::path& err) {
  const std::string cmd = std::string(QNNSIM_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<std::string> sweep_rows(const std::string& db) {
  std::vector<std::string> out;
  for (const PointRecord& r : ResultsDb(db, false).points()) {
    std::string line = r.hash + " " + r.status + " " + r.error;
    for (double v : {r.energy_pj, r.latency_s, r.edp_pj_s, r.area_mm2, r.throughput_gops, r.pe_utilization, r.dram_bytes})
      line += " " + std::to_string(v);
    line += " " + std::to_string(r.cycles) + " " + std::to_string(r.macs);
    for (const ParamValue& v : r.params) line += " " + v.name + "=" + v.value;
    if (r.accuracy) line += " accuracy=" + std::to_string(*r.accuracy);
    if (r.adc_clip_fraction) line += " clip=" + std::to_string(*r.adc_clip_fraction);
    if (!r.constraint_violations.empty()) line += " violates " + r.constraint_violations;
    out.push_back(line);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace qnnsim::test
