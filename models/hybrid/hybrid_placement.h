#pragma once
// Which part of a hybrid design each layer of a workload runs on.
#include <cstddef>
#include <vector>

#include "hybrid/hybrid_spec.h"
#include "workload/workload.h"

namespace qnnsim {

// A layer with weights that stay put (conv, fc, dwconv) prefers a part that
// computes in crossbars, whose cells hold those weights; every other layer (a
// product of two activations, pooling, adds, normalisation, data movement)
// prefers a digital part. The first part of the preferred kind that can run
// the layer takes it, else the first of the other kind.
bool prefers_crossbars(const Layer& l);

// The part index of every layer: `placement.layers` by name first, then
// `placement.types`, then the automatic rule. A placement naming a layer the
// workload lacks, or a part that cannot run the layer it is given, is a
// ConfigError at its key; a layer no part can run is CannotRun naming it.
std::vector<std::size_t> place_layers(const HybridSpec& h, const Workload& w);

// For a placement search (placement_search.h): the parts each layer may run
// on, in part order. A layer the placement names (by name or type) has that
// part alone; any other layer every part that can run it. Errors as
// place_layers gives them.
std::vector<std::vector<std::size_t>> placement_choices(const HybridSpec& h, const Workload& w);

// The part one layer runs on, by the same rules, without checking that the
// placement's named layers are in a workload (qnnsim eval places a model's
// Conv / Gemm layers one by one).
std::size_t place_layer(const HybridSpec& h, const Layer& l);

}  // namespace qnnsim
