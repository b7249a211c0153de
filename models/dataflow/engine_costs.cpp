#include "dataflow/engine_costs.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

namespace qnnsim {

namespace {

// Horowitz's smallest published SRAM (configs/energy/horowitz_45nm.yaml).
constexpr double kSmallestSramKiB = 8;

struct Pricer {
  const DataflowArch& a;
  const ConfigNode& node;
  // One access of `bits` to an SRAM of `capacity_bits`.
  double sram_pj(double bits, double capacity_bits) const {
    const double kib = std::max(capacity_bits / 8192.0, kSmallestSramKiB);
    return a.table->energy_curve_pj("sram_read_64bit", kib, node) * bits / 64.0;
  }
  double register_pj(double bits) const { return a.table->energy_pj("register_file_per_bit", node) * bits; }
  double add_pj(int bits) const { return a.table->energy_curve_pj("int_add", std::max(bits, 1), node); }
};

struct Tally {
  std::vector<ActionResult>& out;
  void add(const char* component, const std::string& action, uint64_t count, double pj_each) {
    if (count == 0) return;
    out.push_back({component, action, count, static_cast<double>(count) * pj_each});
  }
};

uint64_t u(int64_t v) { return static_cast<uint64_t>(v); }

}  // namespace

int64_t line_buffer_rows(const Layer& l) {
  if ((l.type != LayerType::Conv && l.type != LayerType::DWConv) || l.R * l.S == 1) return 0;
  return (l.R - 1) * l.dilation + 1 + l.stride;
}

double line_buffer_bits(const Layer& l) {
  return static_cast<double>(line_buffer_rows(l) * l.W * l.C * l.precision.inputs.bits);
}

double fifo_bits(const DataflowArch& a, const Layer& l) {
  const int64_t rows = l.type == LayerType::FC ? 1 : l.P;
  return static_cast<double>(a.fifo_rows * l.output_count() / rows * l.precision.outputs.bits);
}

std::vector<std::vector<ActionResult>> count_engine_actions(const DataflowArch& a, const Workload& w,
                                                            const std::vector<Engine>& engines) {
  const Pricer price{a, *a.node};
  const uint64_t batch = u(w.batch);
  std::map<std::string, int64_t> consumers;
  for (std::size_t i = 0; i < w.layers.size(); ++i)
    for (const auto& name : producers_of(w, i)) ++consumers[name];
  const double io_pj = a.table->energy_keyed_pj("dram_per_bit", a.dram_type, *a.node, "io");

  std::vector<std::vector<ActionResult>> all(w.layers.size());
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const Engine& e = engines[i];
    Tally t{all[i]};
    const int ibits = l.precision.inputs.bits, obits = l.precision.outputs.bits;
    if (e.kind == EngineKind::MatrixVector) {
      const ActionDesc mac = e.mac->action(l.precision);
      t.add("mac", mac.action, batch * u(l.macs()), e.mac->energy_pj(mac));
      // Codebook weights and inputs arrive as indices: each MAC looks its
      // operand's entry up in a table of registers beside it, an entry of the
      // MAC's width, as the PE arrays charge it (pe_array/scratchpad_array.h).
      // The memories and buffers above move the indices, at their width.
      if (l.precision.weights.scheme == Scheme::Codebook)
        t.add("codebook_table", "weights.lookup", batch * u(l.macs()), price.register_pj(e.mac->weight_bits()));
      if (l.precision.inputs.scheme == Scheme::Codebook)
        t.add("codebook_table", "inputs.lookup", batch * u(l.macs()), price.register_pj(e.mac->input_bits()));
      const uint64_t steps = batch * u(e.steps_per_image());
      const double bank_bits = static_cast<double>(l.weight_count() * l.precision.weights.bits) / static_cast<double>(e.pe);
      t.add("weight_memory", "read", steps * u(e.pe), price.sram_pj(static_cast<double>(e.simd * l.precision.weights.bits), bank_bits));
      const double word = static_cast<double>(e.simd * ibits);
      // The PEs share one SIMD-wide input word, except in a depthwise engine,
      // where each PE works on its own channel and reads its own word; its
      // windows then hold every channel's R x S values.
      const bool depthwise = l.type == LayerType::DWConv;
      t.add("input_buffer", "read", steps, price.register_pj(depthwise ? word * static_cast<double>(e.pe) : word));
      const int64_t window_values = depthwise ? e.out_channels * e.reduction : e.groups * e.reduction;
      const uint64_t window_words = batch * u(e.positions * (window_values / e.simd));
      t.add("input_buffer", "write", window_words, price.register_pj(word));
      if (line_buffer_rows(l) > 0) {
        const uint64_t values = batch * u(l.input_count());
        t.add("line_buffer", "write", (values + u(e.simd) - 1) / u(e.simd), price.sram_pj(word, line_buffer_bits(l)));
        t.add("line_buffer", "read", window_words, price.sram_pj(word, line_buffer_bits(l)));
      }
      // Outputs narrower than the accumulator leave through the thresholds.
      // The loader bounds batch x outputs, not the 2^bits thresholds on top.
      if (obits < l.precision.accumulator.bits && obits <= 16) {
        uint64_t compares = 0;
        if (__builtin_mul_overflow(batch * u(l.output_count()), (uint64_t{1} << obits) - 1, &compares))
          throw ConfigError(l.where, "layers." + l.name,
                            fmt::format("its {}-bit outputs need 2^{} - 1 threshold compares each, more than 2^64 "
                                        "over the batch of {}; run a smaller batch", obits, obits, w.batch));
        t.add("threshold", "compare", compares, price.add_pj(l.precision.accumulator.bits));
      }
    } else {
      t.add(e.kind == EngineKind::Add ? "add" : "pool", e.kind == EngineKind::Add ? "op" : "compare",
            batch * u(l.vector_ops()), price.add_pj(ibits));
    }
    const double out_bits = static_cast<double>(batch * u(l.output_count()) * u(obits));
    const int64_t readers = consumers.count(l.name) ? consumers[l.name] : 0;
    t.add("fifo", "write_bit", static_cast<uint64_t>(out_bits), price.register_pj(1));
    t.add("fifo", "read_bit", static_cast<uint64_t>(out_bits) * u(std::max<int64_t>(readers, 1)), price.register_pj(1));
    uint64_t io_bits = 0;
    for (const auto& name : producers_of(w, i))
      if (name == "input") io_bits += batch * u(w.input.volume()) * u(ibits);
    if (readers == 0) io_bits += static_cast<uint64_t>(out_bits);
    t.add("io", "bit", io_bits, io_pj);
  }
  return all;
}

std::map<std::string, double> dataflow_area_mm2(const DataflowArch& a, const Workload& w,
                                                const std::vector<Engine>& engines) {
  const ConfigNode& node = *a.node;
  const double bit_um2 = a.table->area_um2("sram_bit", node);
  std::map<std::string, double> area;
  area["weight_memory"] = a.weight_memory_bits * bit_um2 * 1e-6;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const Layer& l = w.layers[i];
    const Engine& e = engines[i];
    if (e.kind == EngineKind::MatrixVector) {
      // A class's area is for one unit, which takes rate.macs products a cycle (an
      // XnorMAC `width` of them): a lane is that share.
      const MacRate r = e.mac->rate(l.precision);
      area["mac"] += static_cast<double>(e.lanes()) * e.mac->area_um2() / std::max(1, r.macs) * 1e-6;
    }
    area["line_buffer"] += line_buffer_bits(l) * bit_um2 * 1e-6;
    area["fifo"] += fifo_bits(a, l) * bit_um2 * 1e-6;
  }
  return area;
}

}  // namespace qnnsim
