#pragma once
// What the controller executes for one layer: a list of global-buffer tiles.
// Each tile is loaded from DRAM into one of two buffer slots (double
// buffering), computed as a loop of array steps, and stored back. The plan is
// produced by a schedule (dataflow) and is the only thing the controller reads,
// so a different schedule replaces the tiling without touching the simulator.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "schedule/ws_mapping.h"

namespace qnnsim {

// Tiles alternate between this many buffer slots.
constexpr int kBufferSlots = 2;

struct GlbTile {
  // DRAM -> buffer. Zero when the data is already resident from the previous tile.
  uint64_t weight_load_bits = 0;
  uint64_t input_load_bits = 0;  // as written into the buffer
  uint64_t input_dram_bits = 0;  // as read from DRAM (compressed activations may be fewer)
  // Buffer -> DRAM: the buffer reads `output_read_bits` (accumulator width for
  // array layers) and DRAM receives `output_store_bits` (output width, after
  // any compression).
  uint64_t output_read_bits = 0;
  uint64_t output_store_bits = 0;

  // Array layers: for each group, for each cols-wide block of m_per_group output
  // channels, for each rows-tall block of the tile's reduction: stream `vectors`.
  // Partial sums are read back and accumulated unless the step starts the
  // group's whole reduction (k_first + step offset == 0).
  int64_t group_first = 0;  // global index of the first group (identifies weight tiles)
  int64_t groups = 0;
  int64_t m_first = 0;      // first output channel of the tile within its group
  int64_t m_per_group = 0;
  int64_t k_first = 0;      // first reduction element (c x R x S) of the tile within its group
  int64_t reduction = 0;    // reduction elements of the tile
  uint64_t vectors = 0;

  // Vector layers: element operations over the tile.
  uint64_t vector_ops = 0;
  uint64_t vector_in_bits = 0;
  uint64_t vector_out_bits = 0;
};

// The tiles of a layer, generated from the mapping when asked for rather than
// stored: a plan costs the same memory whatever the batch or the tile count.
class TileRange {
 public:
  using Generator = std::function<GlbTile(std::size_t)>;
  TileRange() = default;
  TileRange(std::size_t count, Generator generate) : count_(count), generate_(std::move(generate)) {}

  std::size_t size() const { return count_; }
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
};

struct LayerPlan {
  bool uses_array = false;
  TileRange tiles;
  uint64_t footprint_bits = 0;  // buffer bits the largest tile occupies, both slots
  WsMapping mapping;            // the choices that produced the tiles
  std::string tiling;           // one-line description for the report
};

}  // namespace qnnsim
