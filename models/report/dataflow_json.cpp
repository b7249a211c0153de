// The `dataflow` sections of the JSON report: the design's throughput, depth
// and lanes, and each engine's folding, cycles per image, memories and waits.
#include "report/report.h"

namespace qnnsim {

nlohmann::ordered_json dataflow_json(const DataflowSummary& d) {
  return {{"execution", d.execution},
          {"lanes", d.lanes},
          {"lane_budget", d.lane_budget},
          {"resource_budget", d.resource_budget},
          {"resources_used", d.resources_used},
          {"target_images_per_s", d.target_images_per_s},
          {"slowest_layer", d.slowest_layer},
          {"slowest_cycles_per_image", d.slowest_cycles_per_image},
          {"images_per_s", d.images_per_s},
          {"first_image_latency_s", d.first_image_latency_s},
          {"pipeline_interval_s", d.pipeline_interval_s},
          {"weight_bits", d.weight_bits},
          {"weight_memory_bits", d.weight_memory_bits},
          {"peak_gops", d.peak_gops}};
}

nlohmann::ordered_json dataflow_layer_json(const DataflowLayer& d) {
  return {{"engine", d.engine},
          {"mac_class", d.mac_class},
          {"pe", d.pe},
          {"simd", d.simd},
          {"folding_chosen", d.folding_chosen},
          {"lanes", d.lanes},
          {"cycles_per_image", d.cycles_per_image},
          {"weight_bits", d.weight_bits},
          {"line_buffer_bits", d.line_buffer_bits},
          {"fifo_bits", d.fifo_bits},
          {"occupancy_fraction", d.occupancy},
          {"wait_input_s", d.wait_input_s},
          {"wait_output_s", d.wait_output_s}};
}

}  // namespace qnnsim
