#pragma once
// Maps every layer's weight matrix onto crossbars and the crossbars onto IMAs
// and tiles. A layer's matrix is (C/groups * R * S) rows by M/groups weights
// per group, each weight ceil(w / bits_per_cell) columns wide (twice that for
// differential pairs). Small groups (depthwise) are packed block-diagonally
// into one crossbar; larger matrices span a grid of crossbars whose partial
// sums the tile adds. IMAs are not shared between layers (an IMA has one input
// register). With IMAs to spare, the slowest layer is copied again and again,
// as ISAAC balances its pipeline. A network larger than the chip is an error,
// or, with weight_reload, runs as segments of consecutive layers, the chip
// reprogrammed between them; imc/segments.h chooses where they split.
#include <cstdint>
#include <string>
#include <vector>

#include "imc/imc_arch.h"
#include "workload/workload.h"

namespace qnnsim {

struct LayerPlacement {
  bool on_crossbars = false;  // conv, fc, dwconv; pools and adds run on the tile's digital units
  // One copy of the weights:
  int64_t crossbars = 0;
  int64_t imas = 0;
  int64_t cells_used = 0;    // cells holding weight slices
  int64_t rows_driven = 0;   // DAC conversions per read
  int64_t columns_read = 0;  // ADC conversions (and samples) per read
  int64_t fullest_rows = 0;  // rows driven in the fullest crossbar, which sets the column sums' range
  int64_t copies = 1;
  // Weight reloading: a layer larger than the chip runs in parts, one chip's
  // worth of its crossbars at a time, each part over the whole batch.
  int64_t parts = 1;
  int steps = 0;         // reads per input vector: input bits / DAC bits
  double step_s = 0;     // one read, or the busiest ADC's turn over its columns if that is longer
  int64_t positions = 0;  // input vectors per image (P * Q)
  int adc_bits_needed = 0;
  double clip_fraction = 0;  // conversions expected to saturate the configured ADC
  int64_t first_ima = 0;     // where the layer's copies start (a pool or add: its producer's)
  int64_t ima_span = 0;      // IMAs the copies occupy (a pool or add: its producer's)
  int segment = 0;           // the programming segment it belongs to
  double vector_s = 0;       // pools and adds: time per image on the tile's digital units

  // Time for one image on the crossbars (copies share the positions; each part does them all).
  double image_s() const;
  // IMAs one part of one copy occupies at a time.
  int64_t resident_imas() const { return (imas + parts - 1) / parts; }
};

struct ChipPlacement {
  std::vector<LayerPlacement> layers;
  int segments = 1;
  // The weights are written before the run, as between segments: more than
  // one segment, or weights not in place when the run starts (RunRequest).
  bool rewrites_weights = false;
  std::vector<int64_t> segment_imas;  // IMAs each segment occupies, copies included
  int adc_bits_needed = 0;            // for the chip's crossbars and DACs, whatever the layer
  // Weight reloading: outputs that a later segment reads cannot wait on chip
  // while the crossbars are rewritten, so the whole batch of them goes out
  // through the chip I/O and comes back when the consumer's segment runs.
  std::vector<bool> spills_out;                          // per layer: a consumer sits in a later segment
  std::vector<std::vector<std::size_t>> spilled_inputs;  // per layer: its producers in earlier segments
};

// Throws ConfigError naming the layer (in the workload file) when it cannot be
// mapped, or the network does not fit and weight_reload is off.
ChipPlacement place_network(const ImcArch& arch, const Workload& w);

// The first and last tile (inclusive) a layer's IMAs sit on.
std::pair<int64_t, int64_t> layer_tiles(const ImcArch& arch, const LayerPlacement& p);

}  // namespace qnnsim
