// The timeline has a track per unit of hardware the model books separately:
// each network of a bus with one per tensor, each in-memory tile group, each
// tile's eDRAM, each router and the chip I/O. Runs go through the binary, as a
// user runs them, and the tracks are held to the run's own JSON report.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "support.h"
#include "workload/workload.h"

using namespace qnnsim;
using namespace qnnsim::test;

namespace {

struct Traced {
  nlohmann::json report, trace;
  std::map<int, std::string> tracks;  // tid -> track name
};

Traced run_traced(const std::string& name, const std::string& args) {
  const auto dir = scratch_dir("trace_units_" + name);
  const std::string json = (dir / "r.json").string(), trace = (dir / "t.json").string();
  REQUIRE(qnnsim_cli("run " + args + " --quiet --json " + json + " --trace " + trace, dir / "out", dir / "err") == 0);
  Traced t{nlohmann::json::parse(read_file(json)), nlohmann::json::parse(read_file(trace)), {}};
  for (const auto& e : t.trace["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "thread_name") t.tracks[e["tid"].get<int>()] = e["args"]["name"];
  std::filesystem::remove_all(dir);
  return t;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

uint64_t action_count(const nlohmann::json& layer, const std::string& action) {
  for (const auto& a : layer["actions"])
    if (a["action"] == action) return a["count"].get<uint64_t>();
  return 0;
}

}  // namespace

TEST_CASE("a bus with a network per tensor has a track per network, carrying the bits the run counts", "[trace][cli]") {
  const Traced t = run_traced("eyeriss", "eyeriss_v1 lenet5 --bits weights=16 --bits inputs=16 --bits outputs=16 "
                                         "--bits accumulator=16");
  std::set<std::string> names;
  for (const auto& [tid, name] : t.tracks) names.insert(name);
  for (const char* net : {"noc weights", "noc inputs", "noc psums"}) CHECK(names.count(net) == 1);
  CHECK(names.count("noc") == 0);  // no pooled track beside the networks

  std::map<int, std::map<std::string, double>> bits;  // layer -> network -> bits
  for (const auto& e : t.trace["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] != "transaction") continue;
    const std::string& track = t.tracks.at(e["tid"].get<int>());
    if (!starts_with(track, "noc ")) continue;
    const std::string net = track.substr(4, track.find(" (") == std::string::npos ? std::string::npos : track.find(" (") - 4);
    bits[e["args"]["layer"].get<int>()][net] += e["args"]["bytes"].get<double>() * 8;
  }
  const auto& layers = t.report["layers"];
  bool conv_seen = false;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    INFO(layers[i]["name"].get<std::string>());
    double sum = 0;
    for (const auto& [net, b] : bits[static_cast<int>(i)]) sum += b;
    CHECK(sum == Approx(static_cast<double>(action_count(layers[i], "noc.sent_bits"))));
    if (layers[i]["type"] == "conv") {
      // A convolution sends weights, inputs and partial sums, each over its own network.
      conv_seen = true;
      for (const char* net : {"weights", "inputs", "psums"}) CHECK(bits[static_cast<int>(i)][net] > 0);
    }
  }
  CHECK(conv_seen);
}

TEST_CASE("an in-memory chip has a track per tile group, tile eDRAM, router and the chip I/O", "[trace][cli]") {
  const Traced t = run_traced("isaac", "isaac lenet5");
  const Workload w = load_workload(shipped("workloads/lenet5.yaml"));
  const double clock_hz = t.trace["otherData"]["clock_hz"];
  std::map<int, std::string> stage_track;  // layer -> its tile group's track
  std::map<int, double> row_cycles, row_bytes, router_bytes;
  std::map<int, std::map<std::string, double>> stalls;
  std::map<int, std::set<long>> edram_tiles;
  bool io = false;
  for (const auto& e : t.trace["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] == "layer") continue;
    const int layer = e["args"]["layer"];
    const std::string& track = t.tracks.at(e["tid"].get<int>());
    const double cycles = e["dur"].get<double>() * 1e-6 * clock_hz;
    if (e["cat"] == "stall") {
      stalls[layer][e["args"]["cause"]] += cycles;
      continue;
    }
    if (e["name"] == "row") {
      stage_track[layer] = track;
      row_cycles[layer] += cycles;
      row_bytes[layer] += e["args"]["bytes"].get<double>();
    } else if (starts_with(track, "router ")) {
      router_bytes[layer] += e["args"]["bytes"].get<double>();
    } else if (starts_with(track, "tile ") && track.find(" eDRAM") != std::string::npos) {
      edram_tiles[layer].insert(std::stol(track.substr(5)));
    } else if (starts_with(track, "chip I/O")) {
      io = true;
    }
  }
  CHECK(io);
  const auto& layers = t.report["layers"];
  REQUIRE(layers.size() == w.layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const int key = static_cast<int>(i);
    const Layer& l = w.layers[i];
    INFO(l.name << " on " << stage_track[key]);
    // The stage's track names its tiles and its layer; its eDRAM reads stay on those tiles.
    REQUIRE(stage_track.count(key) == 1);
    const std::string& track = stage_track[key];
    CHECK(track.size() > l.name.size());
    CHECK(track.substr(track.size() - l.name.size()) == l.name);
    const std::size_t digits = track.find_first_of("0123456789");
    const long first = std::stol(track.substr(digits));
    const std::size_t dash = track.find('-');
    const long last = dash != std::string::npos && dash < track.find(':') ? std::stol(track.substr(dash + 1)) : first;
    for (long tile : edram_tiles[key]) {
      CHECK(tile >= first);
      CHECK(tile <= last);
    }
    CHECK(row_cycles[key] == Approx(layers[i]["compute_cycles"].get<double>()).margin(1));
    for (const char* cause : {"input", "output", "memory"})
      CHECK(stalls[key][cause] == Approx(layers[i]["stall_cycles"][cause].get<double>()).margin(1));
    // Every output row leaves through the layer's router: the layer's outputs, once.
    const double out_bytes = static_cast<double>(l.output_count() * l.precision.outputs.bits) / 8 * w.batch;
    CHECK(row_bytes[key] == Approx(out_bytes));
    CHECK(router_bytes[key] == Approx(out_bytes));
  }
}

TEST_CASE("a dataflow design has a track per engine and per stream port, the ports carrying the network's I/O",
          "[trace][cli]") {
  const Traced t = run_traced("finn", "finn_cnv finn_cnv --batch 2");
  const Workload w = load_workload(shipped("workloads/finn_cnv.yaml"));
  std::map<int, std::set<std::string>> row_tracks;
  double in_bytes = 0, out_bytes = 0;
  for (const auto& e : t.trace["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] != "transaction") continue;
    const std::string& track = t.tracks.at(e["tid"].get<int>());
    if (e["name"] == "row") row_tracks[e["args"]["layer"].get<int>()].insert(track);
    if (track == "stream port in") in_bytes += e["args"]["bytes"].get<double>();
    if (track == "stream port out") out_bytes += e["args"]["bytes"].get<double>();
  }
  REQUIRE(row_tracks.size() == w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    CHECK(row_tracks[static_cast<int>(i)] == std::set<std::string>{"engine " + w.layers[i].name});
  const Layer& first = w.layers.front();
  const Layer& last = w.layers.back();
  CHECK(in_bytes == Approx(static_cast<double>(w.input.C * w.input.H * w.input.W * first.precision.inputs.bits) / 8 * 2));
  CHECK(out_bytes == Approx(static_cast<double>(last.output_count() * last.precision.outputs.bits) / 8 * 2));
}
