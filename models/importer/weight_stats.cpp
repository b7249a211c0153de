#include "importer/weight_stats.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "importer/onnx_import.h"
#include "importer/tensor_values.h"

namespace qnnsim::onnx_import {

namespace {

// Which per-slice parameter value applies to the flat index i: the slice along
// `axis`, or the only value.
struct Slicer {
  int64_t inner = 1, extent = 1;
  bool per_slice = false;
  std::size_t at(int64_t i) const { return per_slice ? static_cast<std::size_t>((i / inner) % extent) : 0; }
};

Slicer slicer(const onnx::TensorProto& w, const Dequantization& dq, std::size_t values, const char* what) {
  Slicer s;
  if (values == 1) return s;
  const int64_t rank = w.dims_size();
  const int64_t axis = dq.axis < 0 ? dq.axis + rank : dq.axis;
  if (axis < 0 || axis >= rank)
    throw ImportError(dq.node + fmt::format(": axis {} is outside the weights' {} dimensions", dq.axis, rank));
  if (static_cast<int64_t>(values) != w.dims(static_cast<int>(axis)))
    throw ImportError(dq.node + fmt::format(": the {} has {} values; expected 1 or {} (dimension {} of the weights)",
                                            what, values, w.dims(static_cast<int>(axis)), axis));
  s.per_slice = true;
  s.extent = w.dims(static_cast<int>(axis));
  for (int64_t d = axis + 1; d < rank; ++d) s.inner *= w.dims(static_cast<int>(d));
  return s;
}

}  // namespace

WeightStats weight_stats(const onnx::TensorProto& w, const std::string& name, const std::optional<Dequantization>& dq) {
  const std::string what = "initializer '" + name + "'";
  WeightStats s;
  s.count = element_count(w.dims(), what);
  if (s.count == 0) return s;
  const bool integer = is_integer_type(w.data_type());

  std::vector<double> scale, zero;
  Slicer scale_at, zero_at;
  if (integer && dq) {
    if (dq.value().scale) {
      scale = tensor_values(*dq->scale, dq->node + ": scale");
      scale_at = slicer(w, *dq, scale.size(), "scale");
    }
    if (dq->zero_point) {
      zero = tensor_values(*dq->zero_point, dq->node + ": zero point");
      zero_at = slicer(w, *dq, zero.size(), "zero point");
    }
    if (scale.empty() && dq->scale) throw ImportError(dq->node + ": the scale is empty");
  }

  int64_t nonzero = 0;
  double lo = INFINITY, hi = -INFINITY, qlo = INFINITY, qhi = -INFINITY;
  for_each_value(w, what, [&](int64_t i, double q) {
    const double z = zero.empty() ? 0.0 : zero[zero_at.at(i)];
    const double centred = integer ? q - z : q;
    const double real = integer ? (scale.empty() ? centred : centred * scale[scale_at.at(i)]) : q;
    if (!std::isfinite(real))
      throw ImportError(what + ": a weight's real value is " + fmt::format("{}", real) + "; expected finite numbers");
    nonzero += real != 0.0;
    lo = std::min(lo, real);
    hi = std::max(hi, real);
    qlo = std::min(qlo, q);
    qhi = std::max(qhi, q);
  });
  s.density = static_cast<double>(nonzero) / static_cast<double>(s.count);
  if (!integer || !scale.empty()) {
    s.min = lo;
    s.max = hi;
  }
  if (integer) {
    s.int_min = to_int64(qlo, what);
    s.int_max = to_int64(qhi, what);
  }
  return s;
}

}  // namespace qnnsim::onnx_import
