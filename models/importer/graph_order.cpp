#include "importer/graph_order.h"

#include <unordered_map>

#include "importer/onnx_graph.h"
#include "importer/onnx_import.h"

namespace qnnsim::onnx_import {

std::vector<const onnx::NodeProto*> topological_order(const onnx::GraphProto& g) {
  const int n = g.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i)
    for (const std::string& out : g.node(i).output()) {
      if (out.empty()) continue;
      if (!producer.emplace(out, i).second)
        throw ImportError("tensor '" + out + "' is produced by both " + Graph::describe(g.node(producer.at(out))) +
                          " and " + Graph::describe(g.node(i)) + "; ONNX allows one producer per tensor");
    }

  // Depth-first, iteratively (a hostile graph may be deep): a node reached
  // again while still open closes a cycle through it.
  enum class Mark { New, Open, Done };
  std::vector<Mark> mark(static_cast<std::size_t>(n), Mark::New);
  std::vector<const onnx::NodeProto*> order;
  order.reserve(static_cast<std::size_t>(n));
  struct Frame {
    int node, next_input;
  };
  std::vector<Frame> stack;
  for (int root = 0; root < n; ++root) {
    if (mark[static_cast<std::size_t>(root)] != Mark::New) continue;
    stack.push_back({root, 0});
    mark[static_cast<std::size_t>(root)] = Mark::Open;
    while (!stack.empty()) {
      Frame& f = stack.back();
      const onnx::NodeProto& node = g.node(f.node);
      if (f.next_input == node.input_size()) {
        mark[static_cast<std::size_t>(f.node)] = Mark::Done;
        order.push_back(&node);
        stack.pop_back();
        continue;
      }
      const auto it = producer.find(node.input(f.next_input++));
      if (it == producer.end()) continue;  // a graph input, an initializer, or an absent optional input
      const auto m = mark[static_cast<std::size_t>(it->second)];
      if (m == Mark::Open)
        throw ImportError("the graph has a cycle: " + Graph::describe(node) + " reads '" + node.input(f.next_input - 1) +
                          "' from " + Graph::describe(g.node(it->second)) + ", which depends on " +
                          Graph::describe(node) + "'s own output; an ONNX graph must be acyclic");
      if (m == Mark::New) {
        mark[static_cast<std::size_t>(it->second)] = Mark::Open;
        stack.push_back({it->second, 0});
      }
    }
  }
  return order;
}

}  // namespace qnnsim::onnx_import
