#pragma once
// Walks a mapping's loop nest the way the hardware executes it: buffer tiles
// in the DRAM-level loop order, and inside each tile the passes in the
// buffer-level order. At each step it says what moves: a tensor held at a
// level is fetched again exactly when a loop at or outside its cut advances
// (loop_nest.h), partial sums held in the PEs drain when their holding ends,
// and streamed tensors move every pass. Tiles and passes are generated on
// demand by index, so a plan costs the same memory at any batch.
#include <array>
#include <cstdint>
#include <vector>

#include "arch/arch_spec.h"
#include "arch/dataflow.h"
#include "schedule/loop_nest.h"

namespace qnnsim {

// What one pass moves between the buffer and the PEs, and computes.
struct ArrayPass {
  struct Move {
    // Read from the buffer (or written, for partial sums out); for weights
    // the buffer does not keep, read from DRAM instead.
    uint64_t glb_bits = 0;
    uint64_t sent_bits = 0;       // driven onto the network
    uint64_t delivered_bits = 0;  // received by PEs in all
    uint64_t values = 0;          // written into (or read out of) PE scratchpads
  };
  Move weights, inputs;
  Move psums_in;   // partial sums read back to continue an accumulation
  Move psums_out;  // partial sums written to the buffer
  bool psums_in_to_pes = false;  // kept in the PEs: read back into them; streamed: the buffer accumulates
  uint64_t hop_bits = 0;         // partial sums passed from PE to PE when a holding drains
  bool weights_fetched = false;
  int64_t weight_rows = 0;       // rows of PEs the fetched weight tile fills
  uint64_t macs = 0, iterations = 0;
  int64_t rows_used = 0, cols_used = 0;
};

// DRAM <-> buffer traffic of one tile, and how many passes it runs.
struct TileMoves {
  uint64_t weight_load_bits = 0, input_load_bits = 0, input_dram_bits = 0;
  uint64_t output_read_bits = 0, output_store_bits = 0;
  uint64_t output_values = 0;     // outputs whose reduction this tile completes
  uint64_t output_positions = 0;  // their images x groups x rows x columns (output channels aside)
  uint64_t passes = 0;
};

class NestWalker {
 public:
  NestWalker(const ArchSpec& arch, const Layer& layer, const LoopBounds& bounds, const Mapping& mapping,
             const Dataflow& flow);
  uint64_t tiles() const { return tiles_; }
  TileMoves tile(uint64_t index) const;

 private:
  using Index = std::array<int64_t, kDims>;
  struct Span {
    int64_t start, size, first_pass;
  };
  // A buffer tile's place in the nest: its index per dimension, its block
  // per dimension, and the buffer loops' trip counts inside it.
  struct TilePoint {
    Index t{};
    std::array<Span, kDims> block{};
    std::array<int64_t, kDims> trips{};
  };

 public:
  // One tile's passes, in order. The tile's place in the nest is worked out
  // once for all of them: the run asks for every pass of every tile.
  class TilePasses {
   public:
    ArrayPass pass(uint64_t pass_index) const { return walker_.pass(point_, pass_index); }

   private:
    friend class NestWalker;
    TilePasses(const NestWalker& walker, const TilePoint& point) : walker_(walker), point_(point) {}
    const NestWalker& walker_;
    TilePoint point_;
  };
  TilePasses passes(uint64_t tile_index) const { return TilePasses(*this, tile_point(tile_index)); }

  // Appends what tile() and every pass of the tile depend on, so two tiles
  // that append the same give the same TileMoves and the same passes: per
  // dimension the tile's block size; for the reduction dimensions whether
  // its index is the first (partial sums exist) or the last (outputs
  // complete); on which side of each operand's cut lie the loop that
  // advanced to reach the tile and the loop that advances after it, which
  // decide what is fetched again and which holdings end; and, where the
  // tile's input window meets the feature map's edge, its output and filter
  // rows' and columns' indices (a window inside the map reads as many rows
  // wherever it lies). The other dimensions' positions do not matter: only
  // their sizes do. tests/test_tile_class.cpp holds it.
  void tile_class(uint64_t tile_index, std::vector<uint64_t>& out) const;

  // How many tiles from `index` on (itself included) are each of the same
  // class as the tile some stride s before it, for a stride s that is a
  // multiple of `period` and at most `checked`: 0 when there are none. A
  // stride is one step of a DRAM-level loop; stepping the loop's index from
  // w - 1 to w changes no tile's class while both are neither the loop's
  // first nor its last, and (for output and filter rows or columns) every
  // window they and their partner's indices make lies inside the map. Periodic
  // replay (controller_periods.cpp) skips such a run of tiles without making
  // each one's class: it repeats the tiles a stride before it, which repeat
  // the period. tests/test_tile_class.cpp holds every tile of a claimed run
  // equal in class to the one a stride before it.
  struct ClassRun {
    uint64_t tiles = 0;   // the run's length, from `index` on
    uint64_t stride = 0;  // how far before each of its tiles the tile of its class lies
  };
  ClassRun same_class_run(uint64_t index, uint64_t period, uint64_t checked) const;

 private:
  TilePoint tile_point(uint64_t index) const;
  // Whether the input window of output block t_out (of out_dim, kP or kQ) and
  // filter block t_tap lies inside the feature map: then which rows it reads
  // depends on the blocks' sizes alone (tile_class).
  bool window_inside(int out_dim, int64_t t_out, int64_t t_tap) const;
  ArrayPass pass(const TilePoint& tp, uint64_t pass_index) const;
  Index pass_indices(const TilePoint& tp, uint64_t pass_index) const;
  // Position (in the DRAM + buffer loop list) of the loop that advanced to reach this point; -1 at the start.
  int advanced_at(const Index& t, const Index& p) const;
  // Position in the DRAM order of the loop that advanced to reach tile t (-1
  // for the first tile), and of the loop that advances after it (-1 for the last).
  int dram_advanced(const Index& t) const;
  int dram_next(const Index& t) const;
  // For each operand's cut, in the buffer and in the PEs, whether a loop at
  // `position` lies at or outside it: one bit a cut.
  uint64_t cut_sides(int position) const;
  // Whether the point after this one advances a loop at or outside `cut` (or there is none).
  bool holding_ends(const Index& t, const Index& p, const std::array<int64_t, kDims>& trips, int cut) const;
  Span block(int d, int level, const TilePoint& tp, const Index& p) const;
  // Values of operand o the holding at (tp, p) covers: as read once, and as delivered to PEs.
  std::pair<uint64_t, uint64_t> held_values(Operand o, const TilePoint& tp, const Index& p) const;

  const ArchSpec& arch_;
  Layer layer_;
  LoopBounds b_;
  Mapping m_;
  Dataflow flow_;
  std::array<DimExtents, kDims> e_;
  uint64_t tiles_ = 1;
  // The DRAM-level loops that run more than once, innermost first, and the
  // first tile's place, from which tile_point moves only those.
  std::array<int, kDims> looping_dims_{};
  int looping_ = 0;
  TilePoint first_tile_;
  std::array<int, kOperands> glb_cut_{}, pe_cut_{};
  std::array<std::array<int, kDims>, kOperands> pe_level_{};
};

}  // namespace qnnsim
