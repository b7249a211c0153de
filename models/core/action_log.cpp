#include "core/action_log.h"

namespace qnnsim {

std::string ActionDesc::label() const {
  std::string out = group + "." + action;
  if (bits > 0) out += "." + std::to_string(bits) + "b";
  return out;
}

void ActionLog::set_layers(int layers) {
  layers_ = layers;
  counts_.assign(static_cast<std::size_t>(layers), std::vector<uint64_t>(actions_.size(), 0));
}

int ActionLog::declare(const std::string& group, const std::string& action, int bits) {
  for (std::size_t i = 0; i < actions_.size(); ++i)
    if (actions_[i].group == group && actions_[i].action == action && actions_[i].bits == bits)
      return static_cast<int>(i);
  actions_.push_back({group, action, bits});
  for (auto& row : counts_) row.push_back(0);
  return static_cast<int>(actions_.size() - 1);
}

void ActionLog::add_row(int layer, const std::vector<uint64_t>& counts) {
  std::vector<uint64_t>& row = counts_[static_cast<std::size_t>(layer)];
  for (std::size_t i = 0; i < counts.size(); ++i) row[i] += counts[i];
}

uint64_t ActionLog::count(int layer, int id) const {
  return counts_[static_cast<std::size_t>(layer)][static_cast<std::size_t>(id)];
}

uint64_t ActionLog::total(int id) const {
  uint64_t sum = 0;
  for (const auto& row : counts_) sum += row[static_cast<std::size_t>(id)];
  return sum;
}

}  // namespace qnnsim
