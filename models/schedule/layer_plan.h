#pragma once
// What the controller executes for one layer: a list of global-buffer tiles.
// Each tile is loaded from DRAM into one of the buffer's tile slots (two:
// double buffering), computed as a loop of array passes, and stored back. The plan is
// produced by a schedule (dataflow) and is the only thing the controller reads,
// so a different schedule replaces the tiling without touching the simulator.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "schedule/loop_nest.h"
#include "schedule/nest_walk.h"

namespace qnnsim {

struct GlbTile {
  // DRAM -> buffer. Zero when the data is already resident from an earlier tile.
  uint64_t weight_load_bits = 0;
  uint64_t input_load_bits = 0;  // as written into the buffer
  uint64_t input_dram_bits = 0;  // as read from DRAM (compressed activations may be fewer)
  // Buffer -> DRAM: the buffer reads `output_read_bits` (accumulator width for
  // array layers) and DRAM receives `output_store_bits` (output width, after
  // any compression). Zero until the tile completes its outputs' reduction.
  uint64_t output_read_bits = 0;
  uint64_t output_store_bits = 0;
  // Array layers: outputs this tile completes, each requantized on its way
  // out, and their positions (all channels aside), for zero-point sums.
  uint64_t output_values = 0;
  uint64_t output_positions = 0;

  // Array layers: the tile's index in the nest and how many passes it runs
  // (the plan's walker generates each pass).
  uint64_t index = 0;
  uint64_t passes = 0;

  // Vector layers: element operations over the tile.
  VectorOps vector;
  uint64_t vector_in_bits = 0;
  uint64_t vector_out_bits = 0;
};

// The tiles of a layer, generated from the mapping when asked for rather than
// stored: a plan costs the same memory whatever the batch or the tile count.
class TileRange {
 public:
  using Generator = std::function<GlbTile(std::size_t)>;
  // Calls its argument once for each distinct tile with how many tiles are
  // like it, so that a sum over every tile costs the distinct tiles only.
  using Visit = std::function<void(const GlbTile&, uint64_t)>;
  using Distinct = std::function<void(const Visit&)>;
  TileRange() = default;
  TileRange(std::size_t count, Generator generate) : count_(count), generate_(std::move(generate)) {}
  TileRange(std::size_t count, Generator generate, Distinct distinct)
      : count_(count), generate_(std::move(generate)), distinct_(std::move(distinct)) {}

  std::size_t size() const { return count_; }
  // Every tile, as distinct tiles and their counts, in no particular order;
  // one at a time where the layout gives no grouping. The tiles and counts
  // given sum to exactly what every tile sums to.
  void each_distinct(const Visit& visit) const {
    if (distinct_) {
      distinct_(visit);
      return;
    }
    for (std::size_t i = 0; i < count_; ++i) visit(generate_(i), 1);
  }
  // How many tiles from `index` on, short of `end`, are each the very tile
  // `period` before it, told without making them; 0 where the layout
  // cannot tell so cheaply (array layers ask their NestWalker instead).
  using AlikeRun = std::function<uint64_t(uint64_t index, uint64_t period, uint64_t end)>;
  void set_alike_run(AlikeRun run) { alike_run_ = std::move(run); }
  uint64_t alike_run(uint64_t index, uint64_t period, uint64_t end) const {
    return alike_run_ ? alike_run_(index, period, end) : 0;
  }
  bool empty() const { return count_ == 0; }
  GlbTile operator[](std::size_t i) const { return generate_(i); }
  GlbTile front() const { return generate_(0); }
  GlbTile back() const { return generate_(count_ - 1); }

  class iterator {
   public:
    iterator(const TileRange* range, std::size_t i) : range_(range), i_(i) {}
    GlbTile operator*() const { return (*range_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& o) const { return i_ != o.i_; }

   private:
    const TileRange* range_;
    std::size_t i_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, count_}; }

 private:
  std::size_t count_ = 0;
  Generator generate_;
  Distinct distinct_;
  AlikeRun alike_run_;
};

// Vector layers (pooling, adds) tile images, channels and output rows.
struct VectorTiling {
  int64_t n = 1, c = 1, p = 1;
  std::string one_line() const;
};

struct LayerPlan {
  bool uses_array = false;
  TileRange tiles;
  uint64_t footprint_bits = 0;  // buffer bits the largest tile occupies, all slots
  // Array layers: the mapping, its loop bounds, and the walker that generates each pass.
  Mapping mapping;
  LoopBounds bounds;
  std::shared_ptr<const NestWalker> walker;
  VectorTiling vector;          // vector layers
  std::string tiling;           // one-line description for the report
};

}  // namespace qnnsim
