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

}  // namespace qnnsim::numerics
