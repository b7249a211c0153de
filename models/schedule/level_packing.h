#pragma once
// A layer's narrower values packed into the words of a level design's levels.
//
// A level built from a component keeps each tensor at a width (its
// `word_bits`). A layer whose values are narrower than that, on a level that
// packs (`pack:`, the default for component levels), holds floor(word / value)
// whole values in each of the level's words (no value split across two): a
// buffer's word is its `width`, off-chip memory's an access of `block_words`
// values at the level's width, a fan-out network's word its width a cycle.
// An access still costs what it costs, so its energy is shared over the
// values it moves; capacity and bandwidth count a value as the word's bits
// over the values the word holds. A 64-bit word moves eight 8-bit values,
// ten 6-bit ones; a 16-bit register holds two 6-bit values, four 4-bit ones.
//
// Levels priced by numbers (`energy_pj` per access of `block_words` values,
// Timeloop's form) have no widths and never pack.
#include <array>
#include <string>
#include <vector>

#include "schedule/level_design.h"

namespace qnnsim {

// Per level (as the design's levels) and tensor: the bits of one value a
// layer puts there.
using LevelValueWidths = std::vector<std::array<int, kOperands>>;

// The widths of a layer's values at each level of `d`: weights and inputs at
// their own; outputs at `output_bits` where the level keeps finished outputs
// only (final_outputs_only), at `psum_bits` elsewhere (partial sums may be
// there). A value no narrower than a level's width is held at the level's
// width, as without packing.
LevelValueWidths layer_value_widths(const LevelDesign& d, int weight_bits, int input_bits, int output_bits, int psum_bits);

// `d` with the values of widths `w` packed where its levels pack them (above);
// every level and tensor that does not pack is unchanged, so a layer as wide
// as the design's words gets `d` itself back, figure for figure.
LevelDesign pack_level_design(const LevelDesign& d, const LevelValueWidths& w);

}  // namespace qnnsim
