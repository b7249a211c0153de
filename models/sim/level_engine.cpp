#include "sim/level_engine.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <tlm_utils/simple_initiator_socket.h>

#include "schedule/level_walk.h"
#include "sim/level_buffering.h"
#include "sim/level_modules.h"

namespace qnnsim {

namespace {

using sc_core::sc_time;

// How many blocks ahead a level fetches at most (level_buffering.h): past a
// few dozen, more room changes no stall a step's transfers could cause.
constexpr uint64_t kAhead = 64;

// Whether a step's counts of one kind have anything for a level (the
// outermost level's first step only gives its block).
bool moves_anything(const LevelAccesses& a) {
  for (const TensorAccesses& t : a.tensor)
    if (t.reads || t.fills || t.updates || t.drains || t.block) return true;
  return false;
}

// For each level and tensor, the next level out that keeps the tensor, where
// the level keeps it and is fed from above (-1 otherwise).
std::vector<std::vector<int>> parent_keepers(const LevelNest& nest) {
  std::vector<std::vector<int>> parents(nest.levels.size(), std::vector<int>(kOperands, -1));
  for (int t = 0; t < kOperands; ++t) {
    int above = -1;
    for (std::size_t l = 0; l < nest.levels.size(); ++l)
      if (nest.levels[l].keeps[static_cast<std::size_t>(t)]) {
        parents[l][static_cast<std::size_t>(t)] = above;
        above = static_cast<int>(l);
      }
  }
  return parents;
}

// Steps every layer's mapping through the levels and the compute units,
// layer after layer, and keeps each layer's span.
class LevelSequencer : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(LevelSequencer);
  std::vector<std::unique_ptr<tlm_utils::simple_initiator_socket<LevelSequencer>>> levels;
  tlm_utils::simple_initiator_socket<LevelSequencer> compute;

  LevelSequencer(sc_core::sc_module_name name, const std::vector<LevelLayerToSimulate>& layers, std::size_t depth)
      : sc_core::sc_module(name), compute("compute"), layers_(layers), spans_(layers.size()), steps_(layers.size(), 0),
        shape_(layers.size()), stalls_(layers.size()) {
    for (std::size_t l = 0; l < depth; ++l)
      levels.push_back(std::make_unique<tlm_utils::simple_initiator_socket<LevelSequencer>>(fmt::format("level{}", l).c_str()));
    payload_.set_extension(&transfer_);
    payload_.set_data_length(0);
    SC_THREAD(run);
  }
  ~LevelSequencer() override { payload_.clear_extension(&transfer_); }

  const std::pair<sc_time, sc_time>& span(std::size_t layer) const { return spans_[layer]; }
  uint64_t steps(std::size_t layer) const { return steps_[layer]; }
  // How long the compute units of a layer waited on each level.
  const std::vector<sc_time>& stalls(std::size_t layer) const { return stalls_[layer]; }
  // instances_used and computes_used of each layer's nest, as its steps carry them.
  const LevelNestCounts& shape(std::size_t layer) const { return shape_[layer]; }

 private:
  // Sends `counts` to a target no earlier than `at`; returns when it is done.
  sc_time send(tlm_utils::simple_initiator_socket<LevelSequencer>& socket, const LevelNestCounts& counts,
               const sc_time& at) {
    transfer_.counts = &counts;
    const sc_time now = sc_core::sc_time_stamp();
    sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;
    socket->b_transport(payload_, delay);
    if (payload_.get_response_status() != tlm::TLM_OK_RESPONSE)
      throw std::logic_error("a level engine target refused a transfer without its extension");
    return now + delay;
  }

  // When the last of the levels a step's counts of one kind reach is done,
  // and which level that is (-1: none took longer than `at`). They reach the
  // levels that move a value, and every fan-out's network (what crosses it
  // is the keeper above's).
  // `at(l)`: when level l may start.
  template <class At>
  std::pair<sc_time, int> send_to_levels(const LevelNestCounts& counts, const At& at, const LevelDesign& d) {
    std::pair<sc_time, int> done{sc_core::SC_ZERO_TIME, -1};
    for (std::size_t l = 0; l < levels.size(); ++l)
      if (moves_anything(counts.level[l]) || d.networks[l].present) {
        const sc_time start = at(l);
        const sc_time t = send(*levels[l], counts, start);
        if (t > start && t > done.first) done = {t, static_cast<int>(l)};
      }
    return done;
  }
  std::pair<sc_time, int> send_to_levels(const LevelNestCounts& counts, const sc_time& at, const LevelDesign& d) {
    return send_to_levels(counts, [&](std::size_t) { return at; }, d);
  }

  void run() {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const LevelLayerToSimulate& layer = layers_[i];
      transfer_.layer = static_cast<int>(i);
      transfer_.design = layer.design;
      stalls_[i].assign(levels.size(), sc_core::SC_ZERO_TIME);
      const sc_time start = sc_core::sc_time_stamp();
      sc_time computed = start;  // the step before done computing
      const std::size_t n = layer.nest.levels.size();
      const std::vector<std::vector<int>> parents = parent_keepers(layer.nest);
      // Per level and tensor: how many blocks it has taken, and when the last
      // kAhead of them were done with, by block modulo kAhead.
      const std::vector<uint64_t> depth = level_buffering_depth(*layer.design, layer.nest, layer.bounds, kAhead);
      std::vector<std::array<uint64_t, kOperands>> blocks(n, std::array<uint64_t, kOperands>{});
      std::vector<std::array<std::vector<sc_time>, kOperands>> done_with(n);
      for (auto& tensors : done_with)
        for (auto& ring : tensors) ring.assign(kAhead, start);
      std::vector<sc_time> room(n, start), arrived(n, start), left(n, start);
      std::vector<bool> receives(n, false), sends_up(n, false);
      std::pair<sc_time, int> end{start, -1};  // the last partial sums sent up
      const auto later = [](std::pair<sc_time, int>& a, const std::pair<sc_time, int>& b) {
        if (b.first > a.first) a = b;
      };
      // Partial sums go up from the inside out: a level sends its own up
      // once the ones its children sent it this step have arrived.
      const auto send_up = [&](const LevelStep& step) {
        std::fill(sends_up.begin(), sends_up.end(), false);
        for (const int c : step.sent_up) sends_up[static_cast<std::size_t>(c)] = true;
        for (std::size_t c = n; c-- > 0;) {
          if (!sends_up[c]) continue;
          sc_time after = computed;
          for (std::size_t k = c + 1; k < n; ++k)
            if (sends_up[k] && parents[k][static_cast<std::size_t>(Operand::Outputs)] == static_cast<int>(c))
              after = std::max(after, left[k]);
          const auto done = send_to_levels(step.out[c], after, *layer.design);
          left[c] = std::max(after, done.first);
          later(end, done);
        }
      };
      walk_level_nest(layer.nest, layer.bounds, [&](const LevelStep& step) {
        if (shape_[i].level.empty()) {
          shape_[i] = step.compute;
          shape_[i].cycles = shape_[i].computes = 0;
        }
        if (step.last) {  // the final partial sums go up once everything is computed
          send_up(step);
          return;
        }
        ++steps_[i];
        // A level takes a new block once it has room: it holds depth[l]
        // blocks (two at least), so the block that many back must be done
        // with: computed on, and for partial sums, sent up.
        replaced_.clear();
        for (std::size_t l = 0; l < n; ++l) {
          room[l] = start;
          for (int t = 0; t < kOperands; ++t) {
            if (!step.changed[l][t]) continue;
            const uint64_t j = blocks[l][t]++;
            if (j > 0) replaced_.push_back({l, static_cast<std::size_t>(t), j - 1});
            if (j >= depth[l]) room[l] = std::max(room[l], done_with[l][t][(j - depth[l]) % kAhead]);
          }
        }
        // Blocks come in from the outside in: a level passes on a block once
        // the one it takes from its own parent this step has arrived.
        std::fill(receives.begin(), receives.end(), false);
        for (const int r : step.received) receives[static_cast<std::size_t>(r)] = true;
        std::pair<sc_time, int> filled{computed, -1};
        for (std::size_t r = 0; r < n; ++r) {
          if (!receives[r]) continue;
          sc_time after = room[r];
          for (const int p : parents[r])
            if (p >= 0 && receives[static_cast<std::size_t>(p)]) after = std::max(after, arrived[static_cast<std::size_t>(p)]);
          const auto done = send_to_levels(step.in[r], after, *layer.design);
          arrived[r] = std::max(after, done.first);
          later(filled, done);
        }
        // The blocks this step replaces leave once the step before has computed them.
        send_up(step);
        for (const auto& [l, t, j] : replaced_) {
          const bool sums_left = t == static_cast<std::size_t>(Operand::Outputs) && sends_up[l];
          done_with[l][t][j % kAhead] = sums_left ? left[l] : computed;
        }
        // The units wait for the last block in, then for the ports their operands come through.
        if (filled.first > computed) stalls_[i][filled.second] += filled.first - computed;
        const sc_time begin = std::max(computed, filled.first);
        const sc_time burst = send(compute, step.compute, begin);
        const auto read = send_to_levels(step.compute, begin, *layer.design);
        if (read.second >= 0 && read.first > burst) stalls_[i][read.second] += read.first - burst;
        computed = std::max(burst, read.first);
        later(end, {computed, -1});
      });
      if (end.second >= 0) stalls_[i][end.second] += end.first - computed;  // the units done, the sums still going up
      wait(end.first - sc_core::sc_time_stamp());
      spans_[i] = {start, end.first};
    }
  }

  const std::vector<LevelLayerToSimulate>& layers_;
  std::vector<std::pair<sc_time, sc_time>> spans_;
  std::vector<uint64_t> steps_;
  std::vector<LevelNestCounts> shape_;
  std::vector<std::vector<sc_time>> stalls_;
  tlm::tlm_generic_payload payload_;
  LevelTransfer transfer_;
  struct Replaced {
    std::size_t level, tensor;
    uint64_t block;  // the block of `tensor` at `level` a step replaces, counted from the layer's first
  };
  std::vector<Replaced> replaced_;  // this step's, kept to save allocating them a step
};

// A SystemC name from a design's: letters, digits and underscores (SystemC
// warns on others), after what the module is ("level2", "compute"), so no
// two modules share one whatever the design names them.
std::string module_name(const std::string& what, const std::string& name) {
  std::string s = what + "_";
  for (const char c : name) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return s;
}

}  // namespace

std::vector<LevelSimulation> simulate_level_layers(const std::vector<LevelLayerToSimulate>& layers) {
  std::vector<LevelSimulation> out(layers.size());
  if (layers.empty()) return out;
  const LevelDesign& first = *layers.front().design;
  const std::size_t depth = first.nest.levels.size();
  for (const LevelLayerToSimulate& l : layers) {
    if (l.design == nullptr || l.design->nest.levels.size() != depth || l.nest.levels.size() != depth)
      throw std::invalid_argument("the layers of one level simulation must map the same levels");
    check_level_nest(l.nest, l.bounds);
  }
  // Femtoseconds, and a cycle a whole number of them: spans divide into cycles exactly.
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  const double hz = first.clock_hz > 0 ? first.clock_hz : 1e9;  // a design priced by numbers counts cycles of 1 ns
  const sc_time cycle = sc_time::from_value(static_cast<sc_dt::uint64>(std::llround(1e15 / hz)));

  std::vector<std::unique_ptr<LevelPort>> ports;
  for (std::size_t l = 0; l < depth; ++l)
    ports.push_back(std::make_unique<LevelPort>(module_name(fmt::format("level{}", l), first.nest.levels[l].name).c_str(),
                                                l, layers.size(), cycle));
  LevelComputeUnits units(module_name("compute", first.compute_name).c_str(), layers.size(), cycle);
  LevelSequencer sequencer("sequencer", layers, depth);
  for (std::size_t l = 0; l < depth; ++l) sequencer.levels[l]->bind(ports[l]->socket);
  sequencer.compute.bind(units.socket);
  sc_core::sc_start();

  for (std::size_t i = 0; i < layers.size(); ++i) {
    LevelSimulation& s = out[i];
    s.counts = sequencer.shape(i);
    for (std::size_t l = 0; l < depth; ++l) {
      const int64_t used = s.counts.level[l].instances_used;
      s.counts.level[l] = ports[l]->counted(i);
      s.counts.level[l].instances_used = used;
      s.busy.push_back(ports[l]->busy_cycles(i));
      s.stalled.push_back(sequencer.stalls(i)[l].value() / cycle.value());
    }
    s.counts.computes = units.computes(i);
    s.counts.cycles = units.cycles(i);
    const auto& [start, end] = sequencer.span(i);
    s.cycles = (end - start).value() / cycle.value();
    s.steps = sequencer.steps(i);
  }
  return out;
}

}  // namespace qnnsim
