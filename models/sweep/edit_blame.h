#pragma once
// A value a sweep writes into the arch or a workload (from `set:` or a swept
// parameter) has no line of its own in that file, so an error about it would
// name a file the user never touched, with no line. These move such an error
// to the spec's line that gave the value.
#include "core/config_error.h"
#include "sweep/sweep_spec.h"

namespace qnnsim {

// The parameter whose edit the error is about (the error's key is the edited
// path or below it), or nullptr when no parameter wrote that key.
const SweepParameter* edit_behind(const SweepSpec& spec, const ConfigError& e);

// The error at the spec's line of the parameter behind it; unchanged when
// there is none.
ConfigError blame_edit(const SweepSpec& spec, const ConfigError& e);

}  // namespace qnnsim
