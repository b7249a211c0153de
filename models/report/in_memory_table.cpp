// The terminal table for in-memory chips: per layer its crossbars and copies,
// its stage's occupancy and ADC figures; for the chip, area, efficiency, the
// ADCs' share and the peak figures beside the published ones.
#include <fmt/format.h>

#include "report/report.h"

namespace qnnsim {

void print_in_memory_table(const RunResult& r, std::ostream& out) {
  const InMemorySummary& m = *r.in_memory;
  out << fmt::format("qnnsim: {} on {}, batch {}, {}\n\n", r.workload, r.arch, r.batch, m.execution);
  out << fmt::format("{:<16} {:<8} {:>10} {:>10} {:>7} {:>11} {:>11} {:>6} {:>10} {:>6}\n", "layer", "type", "MACs",
                     "crossbars", "copies", "stage time", "energy", "busy", "ADC conv", "clip");
  for (const auto& l : r.layers) {
    const InMemoryLayer& im = *l.in_memory;
    out << fmt::format("{:<16} {:<8} {:>10} {:>10} {:>7} {:>11} {:>11} {:>5.1f}% {:>10} {:>5.1f}%\n", l.name, l.type,
                       si(static_cast<double>(l.macs), ""), im.crossbars, im.copies, si(l.latency_s, "s"),
                       si(l.energy_pj * 1e-12, "J"), 100.0 * im.occupancy, si(static_cast<double>(im.adc_conversions), ""),
                       100.0 * im.adc_clip_fraction);
  }
  const Summary& s = r.summary;
  out << "\nsummary\n";
  out << fmt::format("  latency          {} for the batch; first image out after {}\n", si(s.latency_s, "s"),
                     si(m.first_image_latency_s, "s"));
  out << fmt::format("  throughput       {:.4g} GOPS, {} images/s", s.throughput_gops, si(m.images_per_s, ""));
  if (m.pipeline_interval_s > 0 && m.segments == 1 && m.execution == "layer_pipelined") out << fmt::format(" (one image every {} in the pipeline)", si(m.pipeline_interval_s, "s"));
  out << "\n";
  out << fmt::format("  energy           {} ({} per image, {:.4g} pJ/MAC, {:.4g} GOPS/W)\n", si(s.energy_pj * 1e-12, "J"),
                     si(s.energy_pj * 1e-12 / static_cast<double>(r.batch), "J"), s.energy_per_mac_pj, s.gops_per_w);
  out << fmt::format("  area             {:.4g} mm2 ({:.4g} GOPS/mm2)\n", s.area_mm2, s.gops_per_mm2);
  out << fmt::format("  crossbars        {:.1f}% of cells hold weights; busy {:.1f}% of crossbar-time\n",
                     100.0 * m.crossbar_utilization, 100.0 * s.pe_utilization);
  out << fmt::format("  ADCs             {} conversions, {:.1f}% of energy, {:.1f}% of area; {} bits, {} needed\n",
                     si(static_cast<double>(m.adc_conversions), ""), 100.0 * m.adc_energy_share, 100.0 * m.adc_area_share,
                     m.adc_bits, m.adc_bits_needed);
  out << fmt::format("  peak             {:.4g} GOPS; {:.4g} W with every block busy ({})\n", m.peak_gops, m.peak_power_w,
                     m.published_peak_power_w ? fmt::format("{:.4g} W from the published powers", *m.published_peak_power_w)
                                              : std::string("not every block has a published power"));
  out << fmt::format("  macro peak       {:.4g} TOPS/W: one crossbar macro flat out on 1-bit operands, its own blocks only\n",
                     m.macro_peak_tops_per_w);
  if (m.segments > 1)
    out << fmt::format("  weights          reloaded: {} segments, {} reprogramming\n", m.segments, si(m.reprogram_s, "s"));
  out << "  energy by component:\n";
  for (const auto& [k, v] : s.energy_breakdown_pj)
    out << fmt::format("    {:<12} {:>11} {:>6.1f}%\n", k, si(v * 1e-12, "J"), s.energy_pj > 0 ? 100.0 * v / s.energy_pj : 0.0);
  for (const auto& warning : m.warnings) out << "warning: " << warning << "\n";
}

}  // namespace qnnsim
