#include "cli/import_command.h"

#include <iostream>
#include <sstream>

#include "cli/output_files.h"
#include "core/config_error.h"
#include "core/config_node.h"
#include "core/output_file.h"
#include "importer/onnx_import.h"
#include "numerics/eval_error.h"
#include "numerics/qdq_trace.h"
#include "workload/workload.h"

namespace qnnsim::cli {

namespace {

constexpr int kExitBadInput = 2;

// "1,3,224,224" -> {1, 3, 224, 224}; empty on a malformed list.
std::vector<int64_t> parse_shape(const std::string& text) {
  std::vector<int64_t> dims;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(part, &used);
    } catch (const std::exception&) {
      return {};
    }
    if (used != part.size() || v < 1) return {};
    dims.push_back(v);
  }
  return dims;
}

}  // namespace

CLI::App* add_import_command(CLI::App& app, ImportArgs& args) {
  CLI::App* cmd = app.add_subcommand("import", "Translate an ONNX model into a workload trace");
  cmd->add_option("MODEL", args.model, "the ONNX model (.onnx)")->required();
  writes_file(cmd->add_option("-o,--output", args.out, "where to write the trace YAML"))->required();
  cmd->add_option("--input-shape", args.input_shape, "the network input as C,H,W or N,C,H,W (N: the batch); N,T,F (tokens, features) for a rank-3 input");
  return cmd;
}

int run_import(const ImportArgs& args) {
  ImportOptions o;
  o.model_path = args.model;
  if (!args.input_shape.empty()) {
    o.input_shape = parse_shape(args.input_shape);
    if (o.input_shape.size() != 3 && o.input_shape.size() != 4) {
      std::cerr << "error: --input-shape '" << args.input_shape << "': expected C,H,W, N,C,H,W or N,T,F of positive integers\n";
      return kExitBadInput;
    }
  }
  // The output's temporary file first: an unwritable path fails before the import.
  OutputFile out(args.out);
  ImportedTrace t;
  try {
    t = import_onnx(o);
    // A QDQ model's scales and zero points go into the trace too, where the
    // functional path can read the whole network; elsewhere the widths alone.
    if (t.qdq && !o.input_shape.empty()) {
      t.notes.push_back("widths only, no scales: a QDQ model's scales are read at its own input shape (without "
                        "--input-shape)");
    } else if (t.qdq) {
      std::string why;
      try {
        const numerics::GivenQuantization given = numerics::qdq_quantization(args.model);
        o.layer_precision = given.layer_precision;
        o.precision_note = given.note;
      } catch (const numerics::EvalError& e) {
        why = e.what();
      }
      if (why.empty()) {
        t = import_onnx(o);
        t.notes.push_back("scales and zero points from the model's QuantizeLinear / DequantizeLinear nodes");
      } else {
        t.notes.push_back("widths only, no scales: " + why);
      }
    }
  } catch (const ImportError& e) {
    std::cerr << "error: " << args.model << ": " << e.what() << "\n";
    return kExitBadInput;
  }
  // The trace must load as any hand-written one does. When it does not, the
  // model has something the translation cannot express (a reshape that is
  // not a flatten, say): say so, naming the layer the loader objected to.
  Workload w;
  try {
    w = load_workload(ConfigNode::load_string(t.yaml, args.out));
  } catch (const ConfigError& e) {
    std::cerr << "error: " << args.model << ": the translated trace does not hold together: " << e.message()
              << " (at key '" << e.key_path() << "')\n";
    return kExitBadInput;
  }
  out.commit(t.yaml);
  int64_t macs = 0;
  for (const Layer& l : w.layers) macs += l.macs();
  std::cout << "imported " << t.layers << " layers (" << macs << " MACs per image) into " << args.out << "\n";
  for (const std::string& n : t.notes) std::cout << "note: " << n << "\n";
  return 0;
}

}  // namespace qnnsim::cli
