#pragma once
// How a buffer shares itself between tensors. `keeps:` says which tensors it
// holds (the others pass through it). Its capacity is shared by the kept
// tensors or split into partitions that each hold some of them: Eyeriss v1
// keeps ifmaps and partial sums in 100 KB and filters in 8 KB of its 108 KB
// (Chen et al., JSSC 2017), so a tile fits only if each tensor fits its own
// part, not merely the sum.
//
// YAML, beside the buffer's `size:`:  keeps: [weights, inputs, outputs]
//                                     partitions: {inputs+outputs: 100 KiB, weights: 8 KiB}
#include <array>
#include <string>
#include <vector>

#include "core/config_node.h"

namespace qnnsim {

struct BufferPartition {
  std::array<bool, 3> holds{};  // by tensor: weights, inputs, outputs (partial sums)
  double bits = 0;
  std::string key;   // where it is set, for errors: "components.glb.partitions.weights"
  std::string name;  // as written: "inputs+outputs"
};

// The tensors a buffer keeps, from its `keeps:` list (weights, inputs,
// outputs or psums); all three when the key is absent.
std::array<bool, 3> parse_kept_tensors(const ConfigNode& node);

class BufferPartitions {
 public:
  // One partition of `capacity_bits` holding every kept tensor, or those
  // under `partitions` of `node`; they must cover each kept tensor (by index:
  // weights, inputs, outputs) once, no other, and add up to at most the capacity.
  static BufferPartitions parse(const ConfigNode& node, double capacity_bits, const std::array<bool, 3>& kept);

  const std::vector<BufferPartition>& parts() const { return parts_; }
  // The first partition that bits of each tensor (weights, inputs, outputs)
  // overflow; null when they fit. The one rule of what fits, and it formats
  // nothing: the mapper asks it of every candidate tile, most of which
  // overflow at large batches, and formatting a message for each took 90% of
  // a batch-64 search.
  const BufferPartition* overflowing_partition(const std::array<double, 3>& bits) const;
  bool fits(const std::array<double, 3>& bits) const { return overflowing_partition(bits) == nullptr; }
  // Empty when they fit, else which partition overflows and by how much.
  std::string overflow(const std::array<double, 3>& bits) const;

 private:
  std::vector<BufferPartition> parts_;
};

}  // namespace qnnsim
