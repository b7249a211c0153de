#pragma once
// Hot-path action counters. A component declares each kind of action once
// (group, action, operand width) and then only adds integers per layer; the
// energy model turns counts into pJ afterwards. Timing code never sees energy.
#include <cstdint>
#include <string>
#include <vector>

namespace qnnsim {

struct ActionDesc {
  std::string group;   // energy-breakdown bucket, e.g. "glb", "spad", "mac"
  std::string action;  // e.g. "read", "write", "mac"
  int bits = 0;        // operand width the per-action energy depends on (0: not width-dependent)
  std::string label() const;  // "spad.read.8b"
};

class ActionLog {
 public:
  explicit ActionLog(int layers = 0) : layers_(layers) {}
  void set_layers(int layers);

  // Not for the hot path: finds or creates the action's id.
  int declare(const std::string& group, const std::string& action, int bits);
  void add(int layer, int id, uint64_t n) { counts_[static_cast<std::size_t>(layer)][static_cast<std::size_t>(id)] += n; }

  // One layer's counts, by action id; and adding a whole row of counts to a
  // layer (a replayed tile's, controller/tile_replay.h).
  const std::vector<uint64_t>& row(int layer) const { return counts_[static_cast<std::size_t>(layer)]; }
  void add_row(int layer, const std::vector<uint64_t>& counts);

  const std::vector<ActionDesc>& actions() const { return actions_; }
  uint64_t count(int layer, int id) const;
  uint64_t total(int id) const;
  int layers() const { return layers_; }

 private:
  int layers_;
  std::vector<ActionDesc> actions_;
  std::vector<std::vector<uint64_t>> counts_;  // [layer][action id]
};

}  // namespace qnnsim
