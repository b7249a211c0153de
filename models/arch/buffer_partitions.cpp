#include "arch/buffer_partitions.h"

#include <fmt/format.h>

namespace qnnsim {

namespace {

constexpr const char* kTensorNames[] = {"weights", "inputs", "outputs"};

int tensor_index(const std::string& name) {
  for (int t = 0; t < 3; ++t)
    if (name == kTensorNames[t]) return t;
  if (name == "psums") return 2;  // partial sums live where the outputs do
  return -1;
}

// Bits of the tensors `part` holds, from bits of each tensor.
double bits_held(const BufferPartition& part, const std::array<double, 3>& bits) {
  double need = 0;
  for (std::size_t t = 0; t < 3; ++t)
    if (part.holds[t]) need += bits[t];
  return need;
}

}  // namespace

std::array<bool, 3> parse_kept_tensors(const ConfigNode& node) {
  if (!node.has("keeps")) return {true, true, true};
  std::array<bool, 3> kept{};
  const ConfigNode list = node.child("keeps");
  for (const ConfigNode& item : list.items()) {
    const std::string name = item.as_text();
    const int t = tensor_index(name);
    if (t < 0) item.fail_here("'" + name + "' is not a tensor; a buffer keeps weights, inputs and outputs (or psums)");
    if (kept[static_cast<std::size_t>(t)]) item.fail_here(std::string(kTensorNames[t]) + " listed twice");
    kept[static_cast<std::size_t>(t)] = true;
  }
  if (!kept[0] && !kept[1] && !kept[2]) list.fail_here("a buffer that keeps no tensor is not a storage level; list at least one");
  return kept;
}

BufferPartitions BufferPartitions::parse(const ConfigNode& node, double capacity_bits, const std::array<bool, 3>& kept) {
  BufferPartitions p;
  const auto given = node.optional_child("partitions");
  if (!given) {
    p.parts_.push_back({kept, capacity_bits, node.key_path("size"), "all kept tensors"});
    return p;
  }
  given->expect_map("partitions of the buffer by tensor, like {inputs+outputs: 100 KiB, weights: 8 KiB}");
  double total = 0;
  for (const std::string& name : given->keys()) {
    BufferPartition part;
    part.name = name;
    part.key = given->key_path(name);
    std::size_t start = 0;
    while (start <= name.size()) {
      const std::size_t plus = name.find('+', start);
      const std::string tensor = name.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
      const int t = tensor_index(tensor);
      if (t < 0)
        given->fail(name, "'" + tensor + "' is not a tensor; a partition is named by the tensors it holds, joined "
                                         "by '+': weights, inputs, outputs (or psums)");
      for (const BufferPartition& other : p.parts_)
        if (other.holds[static_cast<std::size_t>(t)])
          given->fail(name, fmt::format("{} are already held by partition '{}'; each tensor has one partition",
                                        kTensorNames[t], other.name));
      if (part.holds[static_cast<std::size_t>(t)]) given->fail(name, fmt::format("{} named twice", kTensorNames[t]));
      if (!kept[static_cast<std::size_t>(t)])
        given->fail(name, fmt::format("the buffer does not keep the {} (see its `keeps:`), so no partition holds them",
                                      kTensorNames[t]));
      part.holds[static_cast<std::size_t>(t)] = true;
      if (plus == std::string::npos) break;
      start = plus + 1;
    }
    part.bits = static_cast<double>(given->whole_bits(name, int64_t{1} << 40));
    total += part.bits;
    if (total > capacity_bits)
      given->fail(name, fmt::format("the partitions add up to {:.0f} bits, more than the buffer's size of {:.0f} bits",
                                    total, capacity_bits));
    p.parts_.push_back(part);
  }
  for (int t = 0; t < 3; ++t) {
    if (!kept[static_cast<std::size_t>(t)]) continue;
    bool held = false;
    for (const BufferPartition& part : p.parts_) held = held || part.holds[static_cast<std::size_t>(t)];
    if (!held)
      given->fail_here(fmt::format("no partition holds the {}; name every tensor the buffer keeps in exactly one "
                                   "partition", kTensorNames[t]));
  }
  return p;
}

const BufferPartition* BufferPartitions::overflowing_partition(const std::array<double, 3>& bits) const {
  for (const BufferPartition& part : parts_)
    if (bits_held(part, bits) > part.bits) return &part;
  return nullptr;
}

std::string BufferPartitions::overflow(const std::array<double, 3>& bits) const {
  const BufferPartition* part = overflowing_partition(bits);
  if (part == nullptr) return "";
  const double need = bits_held(*part, bits);
  return parts_.size() == 1 ? fmt::format("it needs {:.0f} bits, the buffer holds {:.0f}", need, part->bits)
                            : fmt::format("its {} need {:.0f} bits, their partition ({}) holds {:.0f}", part->name,
                                          need, part->key, part->bits);
}


}  // namespace qnnsim
