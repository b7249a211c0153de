#pragma once
// The order in which the import visits an ONNX graph's nodes: producers before
// consumers, through every input of every node (including those the
// translation ignores, such as a Conv bias or a Reshape's shape), so that a
// cycle anywhere is found and named rather than imported.
#include <vector>

#include <onnx/onnx_pb.h>

namespace qnnsim::onnx_import {

// The nodes in a topological order, keeping the graph's own order where it is
// already one. Throws ImportError naming a node on a cycle, or a tensor
// that two nodes both produce.
std::vector<const onnx::NodeProto*> topological_order(const onnx::GraphProto& g);

}  // namespace qnnsim::onnx_import
