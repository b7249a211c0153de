#include "workload/layer.h"

namespace qnnsim {

const char* layer_type_name(LayerType t) {
  switch (t) {
    case LayerType::Conv: return "conv";
    case LayerType::FC: return "fc";
    case LayerType::DWConv: return "dwconv";
    case LayerType::MaxPool: return "maxpool";
    case LayerType::AvgPool: return "avgpool";
    case LayerType::Add: return "add";
  }
  return "?";
}

bool layer_uses_array(LayerType t) {
  return t == LayerType::Conv || t == LayerType::FC || t == LayerType::DWConv;
}

int64_t Layer::macs() const {
  if (!layer_uses_array(type)) return 0;
  return output_count() * reduction_size();
}

int64_t Layer::weight_count() const {
  if (!layer_uses_array(type)) return 0;
  return M * reduction_size();
}

int64_t Layer::input_count() const {
  const int64_t one = C * H * W;
  return type == LayerType::Add ? 2 * one : one;
}

int64_t Layer::vector_ops() const {
  switch (type) {
    case LayerType::MaxPool: return output_count() * (R * S - 1);  // comparisons
    case LayerType::AvgPool: return output_count() * R * S;        // R*S-1 adds and one scale
    case LayerType::Add: return output_count();
    default: return 0;
  }
}

}  // namespace qnnsim
