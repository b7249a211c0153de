#include "numerics/evaluate.h"

#include <chrono>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "design/design_family.h"
#include "hybrid/hybrid_placement.h"
#include "mac/mac_spec.h"
#include "numerics/codebook_activations.h"
#include "numerics/crossbar_design.h"
#include "numerics/digital_mac.h"
#include "numerics/eval_error.h"
#include "numerics/float_run.h"
#include "numerics/image_input.h"
#include "numerics/overflow_warning.h"
#include "numerics/qdq_plan.h"
#include "numerics/quantized_trace.h"
#include "numerics/trace_plan.h"

namespace qnnsim::numerics {

namespace {

// Wall-clock and processor seconds of one phase.
struct Stopwatch {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();

  void stop(double* wall_s, double* cpu_s) const {
    *wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
    *cpu_s = double(std::clock() - cpu) / CLOCKS_PER_SEC;
  }
};

void check_device(const DeviceOptions& d, bool in_memory) {
  const auto fraction = [](const char* what, double v) {
    if (!(v >= 0 && v <= 1)) throw EvalError(std::string(what) + " " + std::to_string(v) + ": expected a fraction, 0 to 1");
  };
  const auto non_negative = [](const char* what, double v) {
    if (!(v >= 0 && v < 1e6)) throw EvalError(std::string(what) + " " + std::to_string(v) + ": expected 0 or more");
  };
  non_negative("--variation", d.variation);
  non_negative("--read-noise", d.read_noise);
  non_negative("--adc-offset", d.adc_offset);
  fraction("--stuck-at-0", d.stuck_at_0);
  fraction("--stuck-at-1", d.stuck_at_1);
  if (d.stuck_at_0 + d.stuck_at_1 > 1) throw EvalError("--stuck-at-0 and --stuck-at-1 add up to more than 1");
  if (d.on_off_ratio != 0 && !(d.on_off_ratio > 1))
    throw EvalError("--on-off-ratio " + std::to_string(d.on_off_ratio) + ": expected more than 1 (or 0: infinite)");
  if (!in_memory && !d.ideal())
    throw EvalError("device options (--variation, --on-off-ratio, --stuck-at-0/1, --read-noise, --adc-offset) need "
                    "--arch with an in-memory design");
}

// Runs body(i, thread) for i in 0..n-1 over `jobs` threads, each a contiguous block.
void parallel_for(int64_t n, int jobs, const std::function<void(int64_t, int)>& body) {
  jobs = int(std::max<int64_t>(1, std::min<int64_t>(jobs, n)));
  if (jobs == 1) {
    for (int64_t i = 0; i < n; ++i) body(i, 0);
    return;
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t)
    threads.emplace_back([&, t] {
      for (int64_t i = n * t / jobs; i < n * (t + 1) / jobs; ++i) body(i, t);
    });
  for (std::thread& t : threads) t.join();
}

}  // namespace

EvalResult evaluate(const EvalOptions& given) {
  EvalOptions o = given;
  check_quant_options(o.quant);
  if (!o.trace.empty() && !o.quant.layer_bits.empty())
    throw EvalError("--bits LAYER=W/A: with --trace every width comes from the trace");
  if (o.jobs < 1 || o.jobs > 256) throw EvalError("--jobs " + std::to_string(o.jobs) + ": expected 1 to 256");
  if (o.adc_bits != 0 && (o.adc_bits < 1 || o.adc_bits > 16))
    throw EvalError("--adc-bits " + std::to_string(o.adc_bits) + ": expected 1 to 16");
  if ((o.design || o.digital || o.hybrid) && !o.arch.empty())
    throw EvalError("give a design by --arch or as read, not both");
  if (int(o.design.has_value()) + int(o.digital.has_value()) + int(o.hybrid.has_value()) > 1)
    throw EvalError("a design's numerics are of crossbars, of MAC classes or of a hybrid's parts, one of them");
  std::string arch_file = o.arch_name;
  // A digital design's MAC classes (--arch's, or as read): each layer's accumulator.
  std::optional<DigitalMac> digital = o.digital;
  // A hybrid's parts: each layer on the part `run` places it on.
  std::optional<HybridNumerics> hybrid = o.hybrid;
  if (!o.arch.empty()) {
    arch_file = arch_file_of(o.arch);
    const ConfigNode root = ConfigNode::load_file(arch_file);
    const DesignFamily* family = find_design_family(root);
    if (is_hybrid_design(root))
      hybrid = hybrid_numerics_of(root, o.adc_bits, "--arch " + arch_file);
    else if (family && family->computes_in_crossbars())
      o.quant.crossbar = crossbar_design_of(root, o.adc_bits, "--arch " + arch_file);
    else
      digital = digital_mac_of(root, "--arch " + arch_file);
  }
  if (o.design) o.quant.crossbar = o.design;
  if (hybrid && hybrid->crossbar) o.quant.crossbar = hybrid->crossbar;
  if (o.adc_bits != 0 && !o.quant.crossbar) throw EvalError("--adc-bits needs --arch with an in-memory design");
  check_device(o.quant.device, o.quant.crossbar.has_value());
  // How errors name the design: the option that gave it, or the file read.
  const std::string design_where = o.arch.empty() ? arch_file : "--arch " + arch_file;
  // The design's accumulator replaces --accumulator's and a trace's: the
  // values are what that hardware holds.
  if ((digital || (hybrid && !hybrid->digital.empty())) && !o.accumulator_options_given.empty())
    throw EvalError(o.accumulator_options_given + " with --arch " + arch_file +
                    ": the design's MAC class gives the accumulator's width and overflow");
  // The first unit's until each layer's own is known, once the widths are (below).
  if (digital) o.quant.accumulator = digital->units.front().accumulator;
  if (digital && digital->float_accumulator()) o.quant.float_accumulator = *digital->float_accumulator();
  // Codebook activations' entries are the integers the multipliers take
  // (codebook_activations.h): as wide as the narrowest input of the design's
  // classes that take codebook inputs (a class that refuses them, such as an
  // XnorMAC beside an IntMAC, runs no codebook layer), at most 16 bits.
  int narrowest_input = 0;
  const auto narrow_to = [&narrowest_input](const DigitalMac& d) {
    for (const DigitalUnit& u : d.units) {
      LayerPrecision probe;
      probe.weights = {u.mac->weight_bits(), Scheme::UniformSymmetric, 1.0};
      probe.inputs = {1, Scheme::Codebook, 1.0};
      probe.accumulator = {u.accumulator.bits, Scheme::UniformSymmetric, 1.0};
      if (u.mac->floating_point() || !u.mac->precision_problem(probe).empty()) continue;
      const int width = std::min(u.mac->input_bits(), kMaxCodebookEntryBits);
      narrowest_input = narrowest_input ? std::min(narrowest_input, width) : width;
    }
  };
  if (digital) narrow_to(*digital);
  if (hybrid)
    for (const auto& part : hybrid->digital) narrow_to(part.second);
  if (narrowest_input) o.quant.activation_entry_bits = narrowest_input;
  if (o.limit < 0) throw EvalError("--limit: expected 0 (all) or a positive number of images");
  const Network net = load_network(o.model);
  const Dataset test = load_dataset(o.data, Split::test, o.limit);
  const TensorShape& in = net.shapes[net.input];
  if (in.C != 1 || in.H != test.rows || in.W != test.cols)
    throw EvalError(o.model + ": the network takes " + std::to_string(in.C) + "x" + std::to_string(in.H) + "x" +
                    std::to_string(in.W) + " inputs, the data set '" + o.data + "' has 1x" + std::to_string(test.rows) +
                    "x" + std::to_string(test.cols) + " images");
  if (net.shapes[net.output].size() != 10)
    throw EvalError(o.model + ": the network has " + std::to_string(net.shapes[net.output].size()) +
                    " outputs, the data set has 10 classes");

  EvalResult r;
  r.network = net.name;
  r.data = o.data;
  r.data_folder = test.folder;
  r.images = test.count;
  r.arch_file = arch_file;
  r.crossbar = o.quant.crossbar;

  Stopwatch watch;
  QuantPlan plan;
  if (o.trace.empty() && net.qdq()) {
    // A QDQ model carries its own quantization: nothing to calibrate.
    if (!o.quant_options_given.empty())
      throw EvalError(o.quant_options_given + ": " + o.model + " is a QDQ model; its QuantizeLinear / "
                      "DequantizeLinear nodes give every width, scale and zero point");
    const QdqPlan qp = qdq_plan(net, o.model);
    o.quant.symmetric_activations = qp.trace.symmetric_activations;
    o.quant.per_channel_weights = qp.trace.per_channel_weights;
    plan = qp.trace.plan;
    r.qdq_model = true;
  } else if (o.trace.empty()) {
    const Dataset train = load_dataset(o.data, Split::train, o.quant.calibration.images);
    plan = calibrate_plan(net, o.quant, train);
    r.calibration_images = train.count;
  } else {
    const TracePlan tp = trace_plan(net, load_workload(o.trace));
    if (!digital) {
      o.quant.accumulator.bits = tp.accumulator_bits;
      // A layer whose accumulator differs from the first's keeps its own
      // (a digital part of a hybrid gives its class's instead, below).
      for (const auto& [name, bits] : tp.layer_accumulator_bits)
        if (bits != tp.accumulator_bits)
          o.quant.layer_numerics[name] = {AccumulatorSpec{bits, o.quant.accumulator.overflow},
                                          o.quant.codebook_entry_bits, o.quant.float_accumulator};
    }
    o.quant.symmetric_activations = tp.symmetric_activations;
    o.quant.per_channel_weights = tp.per_channel_weights;
    plan = tp.plan;
    r.trace_file = o.trace;
    // A trace's codebook entries must reach the design's multipliers whole.
    for (std::size_t t = 0; t < plan.act.size() && narrowest_input; ++t)
      if (plan.act[t].codebook() && plan.act[t].entries.back() >= (int64_t{1} << narrowest_input))
        throw EvalError(fmt::format("{}: a codebook activation's entry {} needs more than the {}-bit inputs of {}'s "
                                    "narrowest integer MAC class; expected entries below {}",
                                    o.trace, plan.act[t].entries.back(), narrowest_input, design_where,
                                    int64_t{1} << narrowest_input));
  }
  // Each Conv / Gemm on the first of the design's MAC classes that executes
  // it, at the layer's widths and schemes: its accumulator holds the sums,
  // and codebook entries reach its multiplier at its weight width
  // (mac/int_mac.cpp). On a hybrid, each on the part `run` places it on:
  // the crossbar part's through its crossbar numerics, a digital part's on
  // its classes as above.
  std::map<std::string, std::string> mac_class_of, part_of, float_source_of;  // by layer name
  // The layer of op i on the first of `d`'s classes that executes it.
  const auto run_on_class = [&](std::size_t i, const DigitalMac& d) {
    const NetOp& op = net.ops[i];
    const LayerBits& bits = plan.layer_bits[i];
    const Scheme scheme = plan.weight_format(i).scheme;
    const ActQuant& input = plan.act[op.in[0]];
    const auto precision_of = [&](int accumulator_bits) {
      return layer_precision(bits, scheme, o.quant.symmetric_activations, input, accumulator_bits);
    };
    std::string why;
    const int k = d.unit_for(precision_of, &why);
    if (k >= 0) {
      const DigitalUnit& u = d.units[std::size_t(k)];
      o.quant.layer_numerics[op.name] = {u.accumulator, u.mac->weight_bits(),
                                         u.float_accumulator.value_or(o.quant.float_accumulator)};
      mac_class_of[op.name] = u.mac->class_name();
      if (u.float_accumulator)
        float_source_of[op.name] =
            design_where + "'s FloatMAC" + (part_of.count(op.name) ? " (part '" + part_of[op.name] + "')" : "");
      return;
    }
    const LayerPrecision p = precision_of(d.units.front().accumulator.bits);
    FloatFormat ignored;
    // A float layer on integer classes: say what the class takes instead.
    const std::string expected =
        float_format_of(scheme, bits.weights, &ignored) && !d.float_accumulator()
            ? "; expected integer weights and inputs (uniform, binary, ternary, power_of_two, log_radix4 or codebook "
              "weights), or a design whose PEs hold a FloatMAC"
            : "";
    const std::string part = part_of.count(op.name) ? ", part '" + part_of[op.name] + "'" : "";
    throw EvalError(fmt::format("{}{}: layer '{}' at {}/{} bits, weights {}, inputs {}: {}{}", design_where, part,
                                op.name, p.weights.bits, p.inputs.bits, scheme_name(p.weights.scheme),
                                scheme_name(p.inputs.scheme), why, expected));
  };
  r.arch_mac = digital.has_value();
  r.hybrid = hybrid.has_value();
  for (std::size_t i = 0; i < net.ops.size() && (digital || hybrid); ++i) {
    const NetOp& op = net.ops[i];
    if (op.kind != OpKind::conv) continue;
    if (digital) {
      run_on_class(i, *digital);
      continue;
    }
    // Placed at the layer's widths and schemes, with an accumulator every
    // class holds: a digital part's class then holds the sums in its own, as
    // on a digital design.
    const LayerPrecision p = layer_precision(plan.layer_bits[i], plan.weight_format(i).scheme,
                                             o.quant.symmetric_activations, plan.act[op.in[0]], 1);
    std::size_t part = 0;
    try {
      part = place_layer(*hybrid->spec, placed_layer(op, p));
    } catch (const CannotRun& e) {
      throw EvalError(design_where + ": " + e.what());
    }
    part_of[op.name] = hybrid->part_name(part);
    if (hybrid->crossbar && part == hybrid->crossbar_part) continue;  // the crossbar numerics
    o.quant.digital_layers.insert(op.name);
    const auto d = hybrid->digital.find(part);
    if (d == hybrid->digital.end())
      throw EvalError(fmt::format("{}: layer '{}' runs on part '{}', whose layers run on no MAC class eval can model",
                                  design_where, op.name, hybrid->part_name(part)));
    run_on_class(i, d->second);
  }
  const QuantizedNetwork qnet(net, o.quant, std::move(plan));
  r.accumulator_bits = o.quant.accumulator.bits;
  r.overflow = o.quant.accumulator.overflow;
  r.symmetric_activations = o.quant.symmetric_activations;
  r.per_channel_weights = o.quant.per_channel_weights;
  if (const ActQuant& iq = qnet.tensor_quant(net.input); iq.format) r.input_format = float_format_name(*iq.format);
  for (const QuantLayer& l : qnet.layers())
    if (const ActQuant& a = qnet.tensor_quant(net.ops[l.op].out); a.binary || a.ternary || a.log || a.codebook()) {
      r.coded_activations = a.binary ? "binary" : a.ternary ? "ternary" : a.log ? "power_of_two" : "codebook";
      // Calibrated: the width chosen above; from a trace: what its widest entry needs.
      r.codebook_entry_bits = o.trace.empty() || !a.codebook()
                                  ? o.quant.activation_entry_bits
                                  : std::max(r.codebook_entry_bits, signed_bits_needed(0, a.entries.back()) - 1);
      r.coded_image_bits = qnet.tensor_quant(net.input).bits;
    }
  // The schemes of the tensors the layers write and read, but the image's
  // (which stays uniform under the coded schemes) and the logits.
  std::set<int> image_tensors = {net.input};
  for (const NetOp& op : net.ops)
    if (passes_codes(op.kind) && image_tensors.count(op.in[0])) image_tensors.insert(op.out);
  std::set<std::string> stored_schemes;
  for (const QuantLayer& l : qnet.layers())
    for (const int t : {net.ops[l.op].in[0], net.ops[l.op].out})
      if (!image_tensors.count(t) && t != net.output) stored_schemes.insert(activation_scheme_text(qnet.tensor_quant(t)));
  if (stored_schemes.size() > 1) r.mixed_activations.assign(stored_schemes.begin(), stored_schemes.end());
  for (const QuantLayer& l : qnet.layers())
    if (l.fp) {
      r.float_accumulator = float_format_name(l.fp->accumulator());
      const auto source = float_source_of.find(net.ops[l.op].name);
      r.float_accumulator_source = source != float_source_of.end() ? source->second
                                                                   : "eval's default; a FloatMAC design's --arch "
                                                                     "gives its own";
    }
  watch.stop(&r.calibration_s, &r.calibration_cpu_s);

  // Each image's choice lands in its own slot, and each thread counts in its
  // own totals, so the figures do not depend on the number of threads.
  std::vector<int> float_choice(test.count), quant_choice(test.count);
  watch = Stopwatch();
  parallel_for(test.count, o.jobs,
               [&](int64_t i, int) { float_choice[i] = argmax(run_float(net, image_values(test, i))[net.output]); });
  watch.stop(&r.float_s, &r.float_cpu_s);

  std::vector<OverflowCounts> per_thread(o.jobs);
  watch = Stopwatch();
  parallel_for(test.count, o.jobs, [&](int64_t i, int t) {
    quant_choice[i] = argmax(qnet.run(image_values(test, i), &per_thread[t], uint64_t(i)));
  });
  watch.stop(&r.quant_s, &r.quant_cpu_s);
  OverflowCounts counts;
  for (const OverflowCounts& c : per_thread) counts.add(c);
  for (int64_t i = 0; i < test.count; ++i) {
    r.float_correct += float_choice[i] == test.labels[i];
    r.quant_correct += quant_choice[i] == test.labels[i];
    r.agree += quant_choice[i] == float_choice[i];
  }

  for (std::size_t k = 0; k < qnet.layers().size(); ++k) {
    const QuantLayer& l = qnet.layers()[k];
    const NetOp& op = net.ops[l.op];
    LayerResult lr;
    lr.name = op.name;
    lr.onnx = op.onnx;
    lr.bits = l.bits;
    lr.weight_scheme = l.scheme;
    lr.accumulator_bits = l.accumulator.bits;
    lr.overflow = l.accumulator.overflow;
    if (const auto it = mac_class_of.find(op.name); it != mac_class_of.end()) lr.mac_class = it->second;
    if (const auto it = part_of.find(op.name); it != part_of.end()) lr.part = it->second;
    if (l.fp) lr.float_format = float_format_name(l.fp->operands());
    lr.macs = int64_t(op.conv.M) * op.conv.K() * op.conv.P();
    lr.outputs = k < counts.outputs.size() ? counts.outputs[k] : 0;
    lr.overflowed = k < counts.overflowed.size() ? counts.overflowed[k] : 0;
    lr.exact_min = k < counts.exact_min.size() ? counts.exact_min[k] : 0;
    lr.exact_max = k < counts.exact_max.size() ? counts.exact_max[k] : 0;
    if (l.crossbar) lr.stored_code_bits = l.crossbar->weight_bits(), lr.columns_per_weight = l.crossbar->columns_per_weight();
    if (l.xnor_sram) lr.stored_code_bits = 1, lr.columns_per_weight = 1;  // one +1/-1 cell a weight
    if (k < counts.adc.size()) lr.conversions = counts.adc[k].conversions, lr.clipped = counts.adc[k].clipped;
    r.layers.push_back(lr);
  }
  r.warnings = overflow_warnings(r);
  return r;
}

}  // namespace qnnsim::numerics
