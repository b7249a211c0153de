#include "imc/imc_costs.h"

#include <algorithm>

namespace qnnsim {

namespace {
double sum_power(const std::map<std::string, PartSpec>& parts) {
  double w = 0;
  for (const auto& [name, p] : parts) w += p.total_power_w();
  return w;
}
}  // namespace

double full_step_s(const ImcArch& arch) {
  const ImaSpec& m = arch.ima;
  const int64_t per_adc = std::min((m.crossbars * m.crossbar.cols + m.adcs() - 1) / m.adcs(), m.adc.columns_per_adc);
  return std::max(m.crossbar.read_time_s, static_cast<double>(per_adc) * m.adc.conversion_time_s());
}

ImcActionEnergy action_energies(const ImcArch& arch, double step_s) {
  const ImaSpec& m = arch.ima;
  const double t_read = m.crossbar.read_time_s, period = arch.tech.period_s();
  ImcActionEnergy e;
  e.dac_conversion = m.dac.conversion_energy_j(t_read);
  e.sample = m.sample_hold.power_w * t_read;
  e.adc_conversion = m.adc.conversion_energy_j();
  e.ima_step = sum_power(m.peripherals) * step_s;
  e.edram_access = arch.tile.edram.power_w * period;
  e.bus_transfer = arch.tile.bus.power_w * period;
  e.router_flit = arch.router.power_w * period;
  e.tile_value = sum_power(arch.tile.peripherals) * period;
  e.io_bit = arch.io.power_w / arch.io.bandwidth_bits_per_s;
  return e;
}

std::map<std::string, double> area_breakdown_mm2(const ImcArch& arch) {
  const ImaSpec& m = arch.ima;
  const double imas = static_cast<double>(arch.total_imas()), tiles = static_cast<double>(arch.tiles);
  std::map<std::string, double> a;
  a["crossbar"] = imas * static_cast<double>(m.crossbars) * m.crossbar.area_m2;
  a["dac"] = imas * static_cast<double>(m.crossbars * m.crossbar.rows) * m.dac.area_m2;
  if (m.sample_hold.count > 0) a["sample_hold"] = imas * m.sample_hold.total_area_m2();
  a["adc"] = imas * static_cast<double>(m.adcs()) * m.adc.area_m2;
  for (const auto& [name, p] : m.peripherals) a["ima." + name] = imas * p.total_area_m2();
  a["edram"] = tiles * arch.tile.edram.area_m2;
  a["bus"] = tiles * arch.tile.bus.area_m2;
  for (const auto& [name, p] : arch.tile.peripherals) a["tile." + name] = tiles * p.total_area_m2();
  a["router"] = static_cast<double>(arch.routers()) * arch.router.area_m2;
  a["io"] = arch.io.area_m2;
  for (auto& [k, v] : a) v *= 1e6;  // m2 -> mm2
  return a;
}

bool has_published_powers(const ImcArch& arch) {
  return arch.ima.crossbar.read_power_w.has_value() && arch.ima.adc.power_w.has_value();
}

std::map<std::string, double> peak_power_breakdown_w(const ImcArch& arch, bool from_model) {
  const ImaSpec& m = arch.ima;
  const double imas = static_cast<double>(arch.total_imas()), tiles = static_cast<double>(arch.tiles);
  const double crossbars = imas * static_cast<double>(m.crossbars);
  const double adcs = imas * static_cast<double>(m.adcs());
  std::map<std::string, double> p;
  if (from_model) {
    // Every crossbar reads every step with all cells and every DAC driving.
    const double step = full_step_s(arch);
    const ImcActionEnergy e = action_energies(arch, step);
    const double reads_per_s = crossbars / step;
    p["crossbar"] = reads_per_s * m.crossbar.read_energy_j(m.crossbar.rows, m.crossbar.cols, dac_drive_factor(m.dac.bits, 1.0));
    p["dac"] = reads_per_s * static_cast<double>(m.crossbar.rows) * e.dac_conversion;
    if (m.sample_hold.count > 0) p["sample_hold"] = reads_per_s * static_cast<double>(m.crossbar.cols) * e.sample;
    p["adc"] = reads_per_s * static_cast<double>(m.crossbar.cols) * e.adc_conversion;
    for (const auto& [name, part] : m.peripherals) p["ima." + name] = imas * part.total_power_w();
  } else {
    p["crossbar"] = crossbars * m.crossbar.read_power_w.value_or(0.0);
    p["dac"] = crossbars * static_cast<double>(m.crossbar.rows) * m.dac.busy_power_w(m.crossbar.read_time_s);
    if (m.sample_hold.count > 0) p["sample_hold"] = imas * m.sample_hold.total_power_w();
    p["adc"] = adcs * m.adc.power_w.value_or(0.0);
    for (const auto& [name, part] : m.peripherals) p["ima." + name] = imas * part.total_power_w();
  }
  p["edram"] = tiles * arch.tile.edram.power_w;
  p["bus"] = tiles * arch.tile.bus.power_w;
  for (const auto& [name, part] : arch.tile.peripherals) p["tile." + name] = tiles * part.total_power_w();
  p["router"] = static_cast<double>(arch.routers()) * arch.router.power_w;
  p["io"] = arch.io.power_w;
  return p;
}

double peak_macs_per_s(const ImcArch& arch, int weight_bits, int input_bits) {
  const ImaSpec& m = arch.ima;
  const double weights_per_crossbar =
      static_cast<double>(m.crossbar.rows) * static_cast<double>(m.crossbar.cols / m.crossbar.columns_per_weight(weight_bits));
  const int steps = (input_bits + m.dac.bits - 1) / m.dac.bits;
  return static_cast<double>(arch.total_crossbars()) * weights_per_crossbar / (steps * full_step_s(arch));
}

MacroPeak macro_peak(const ImcArch& arch) {
  const ImaSpec& m = arch.ima;
  const CrossbarSpec& x = m.crossbar;
  const double step = full_step_s(arch);
  const ImcActionEnergy e = action_energies(arch, step);
  MacroPeak p;
  p.energy_j["crossbar"] = x.read_energy_j(x.rows, x.cols, dac_drive_factor(m.dac.bits, 1.0));
  p.energy_j["dac"] = static_cast<double>(x.rows) * e.dac_conversion;
  if (m.sample_hold.count > 0) p.energy_j["sample_hold"] = static_cast<double>(x.cols) * e.sample;
  p.energy_j["adc"] = static_cast<double>(x.cols) * e.adc_conversion;
  double joules = 0;
  for (const auto& [k, v] : p.energy_j) joules += v;
  const double weights = static_cast<double>(x.rows) * static_cast<double>(x.cols / x.columns_per_weight(1));
  p.ops = 2.0 * weights;
  p.ops_per_s = p.ops / step;
  p.ops_per_j = joules > 0 ? p.ops / joules : 0.0;
  return p;
}

}  // namespace qnnsim
