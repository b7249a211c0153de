#pragma once
// The one error type of functional evaluation: a data set, a model or an
// option that cannot be evaluated. Its message names the file, node or option
// and says what was expected; the command line turns it into exit code 2.
#include <stdexcept>

namespace qnnsim::numerics {

class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Layers that read one stored tensor (through pools, Relu, Flatten or an
// Add) asked for it at different widths. A width search moving one layer
// alone meets this where the layer shares its input: that step cannot be
// taken alone, which is not an error of the search.
class WidthConflict : public EvalError {
 public:
  using EvalError::EvalError;
};

}  // namespace qnnsim::numerics
