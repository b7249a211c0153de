// Sweep constraints: the expression parser, then evaluation with every name
// it reads bound to a value taken from the input's last bytes.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "sweep/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  const auto e = qnnsim::Expression::parse(text, &why);
  if (!e) return 0;
  std::map<std::string, double> values;
  double v = size > 0 ? static_cast<double>(data[size - 1]) - 128.0 : 0.0;
  for (const std::string& n : e->names()) values[n] = (v *= 1.5);
  try {
    e->evaluate(values);
  } catch (const std::domain_error&) {
    // A division by zero: the documented refusal (sweep/expression.h), which
    // the sweep turns into an error at the constraint's key.
  }
  return 0;
}
