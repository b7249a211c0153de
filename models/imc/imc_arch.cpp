#include "imc/imc_arch.h"

#include <fmt/format.h>

namespace qnnsim {

int64_t ImaSpec::adcs() const {
  const int64_t columns = crossbars * crossbar.cols;
  return (columns + adc.columns_per_adc - 1) / adc.columns_per_adc;
}

namespace {

Technology parse_imc_technology(const ConfigNode& node) {
  node.expect_map("the technology {node, clock}");
  Technology t;
  t.node_m = node.quantity_in("node", Dimension::Length, 1e-9, 1e-6);
  t.clock_hz = node.quantity_in("clock", Dimension::Frequency, 1e3, 1e12);
  // Energies come from published powers, so a supply voltage would be unused;
  // it may still be stated for the reader.
  if (node.has("voltage")) t.voltage_v = node.quantity_in("voltage", Dimension::Voltage, 0.1, 5.0);
  node.reject_unknown_keys();
  return t;
}

ImaSpec parse_ima(const ConfigNode& node) {
  node.expect_map("an IMA {crossbars, crossbar, dac, sample_hold, adc, peripherals}");
  ImaSpec m;
  m.crossbars = node.integer_in("crossbars", 1, 4096);
  m.crossbar = CrossbarSpec::parse(node.child("crossbar"));
  m.dac = DacSpec::parse(node.child("dac"));
  // A column without a sample-and-hold (XNOR-SRAM's ADC reads the settled
  // bitline itself) leaves it out: no samples are counted. Any other
  // crossbar's columns hold their analog sums for the shared ADC, so there
  // it is required rather than silently dropped from the costs.
  if (!m.crossbar.is_xnor_sram() && !node.has("sample_hold"))
    node.fail("sample_hold", "a crossbar whose ADC is shared between columns needs a sample-and-hold per column "
                             "{power, area}; only cell: xnor_sram crossbars may leave it out");
  if (const auto sh = node.optional_child("sample_hold")) {
    sh->expect_map("a sample-and-hold per column {power, area}");
    m.sample_hold.power_w = sh->positive_quantity("power", Dimension::Power);
    m.sample_hold.area_m2 = sh->positive_quantity("area", Dimension::Area);
    sh->reject_unknown_keys();
    m.sample_hold.count = m.crossbars * m.crossbar.cols;
  } else {
    m.sample_hold.count = 0;
  }
  m.adc = AdcSpec::parse(node.child("adc"));
  {
    // An ADC reads whole runs of columns: a share of one crossbar's columns,
    // or whole crossbars of the IMA (a multiplexer across them). A run that
    // straddles crossbars unevenly has no circuit to match it.
    const int64_t per = m.adc.columns_per_adc, cols = m.crossbar.cols, all = m.crossbars * cols;
    const bool within = per <= cols && cols % per == 0, across = per > cols && per % cols == 0 && all % per == 0;
    if (!within && !across)
      node.child("adc").fail("columns_per_adc",
                             fmt::format("expected a divisor of the crossbar's {} columns, or a whole number of "
                                         "crossbars ({} x k) that divides the IMA's {} columns; found {}",
                                         cols, cols, all, per));
  }
  if (m.crossbar.is_xnor_sram()) {
    // Each row's wordline pair carries one +1/-1 input bit; wider inputs go
    // bit-serially, a read a bit.
    if (m.dac.bits != 1)
      node.child("dac").fail("bits", "an XNOR-SRAM row takes one input bit (+1/-1) per read: bits must be 1");
  } else {
    // The clipping, the resolution check and eval read an RRAM ADC's
    // resolution from its bits; a level count beside them would give one
    // design two resolutions.
    for (const char* key : {"step", "levels"})
      if (node.child("adc").has(key))
        node.child("adc").fail(key, "a flash ADC's level count and a code's span of a signed column sum apply to "
                                    "cell: xnor_sram crossbars only");
  }
  m.peripherals = parse_parts(node, "peripherals");
  node.reject_unknown_keys();
  return m;
}

TileSpec parse_tile(const ConfigNode& node) {
  node.expect_map("a tile {imas, edram, bus, peripherals}");
  TileSpec t;
  t.imas = node.integer_in("imas", 1, 4096);
  const ConfigNode e = node.child("edram");
  e.expect_map("the tile's eDRAM {size, width, power, area}");
  t.edram.size_bits = e.positive_quantity("size", Dimension::Bits);
  t.edram.width_bits = e.whole_bits("width", 1 << 16);
  t.edram.power_w = e.positive_quantity("power", Dimension::Power);
  t.edram.area_m2 = e.positive_quantity("area", Dimension::Area);
  e.reject_unknown_keys();
  const ConfigNode b = node.child("bus");
  b.expect_map("the eDRAM-to-IMA bus {width, power, area}");
  t.bus.width_bits = b.whole_bits("width", 1 << 16);
  t.bus.power_w = b.positive_quantity("power", Dimension::Power);
  t.bus.area_m2 = b.positive_quantity("area", Dimension::Area);
  b.reject_unknown_keys();
  t.peripherals = parse_parts(node, "peripherals");
  node.reject_unknown_keys();
  return t;
}

}  // namespace

ImcArch load_imc_arch(const ConfigNode& root) {
  ImcArch a;
  a.file = root.file();
  a.name = root.text("name");
  root.text("description", "");
  root.text("kind");
  a.tech = parse_imc_technology(root.child("technology"));
  const std::string execution = root.text("execution", "layer_pipelined");
  if (!parse_execution(execution, &a.execution))
    root.fail("execution", "expected layer_pipelined or layer_sequential, found '" + execution + "'");
  a.weight_reload = root.flag("weight_reload", false);
  a.weight_reload_where = root.location_of("weight_reload");

  const ConfigNode chip = root.child("chip");
  chip.expect_map("the chip {tiles, router, io}");
  a.tiles = chip.integer_in("tiles", 1, 1 << 20);
  const ConfigNode r = chip.child("router");
  r.expect_map("the routers {tiles_per_router, link_width, power, area, routing, router_cycles}");
  a.router.tiles_per_router = r.integer_in("tiles_per_router", 1, 64);
  a.router.link_width_bits = r.whole_bits("link_width", 1 << 16);
  a.router.power_w = r.positive_quantity("power", Dimension::Power);
  a.router.area_m2 = r.positive_quantity("area", Dimension::Area);
  const std::string routing = r.text("routing", "source_router");
  if (routing != "source_router" && routing != "xy")
    r.fail("routing", "expected source_router (a row holds its source's router) or xy (X-Y routes over link "
                      "calendars), found '" + routing + "'");
  a.router.xy_links = routing == "xy";
  if (r.has("router_cycles")) {
    if (!a.router.xy_links) r.fail("router_cycles", "applies to routing: xy only");
    a.router.router_cycles = r.integer_in("router_cycles", 0, 1000);
  }
  r.reject_unknown_keys();
  const ConfigNode io = chip.child("io");
  io.expect_map("the chip I/O {width, data_rate, power, area}");
  a.io.bandwidth_bits_per_s =
      io.whole_bits("width", 1 << 16) * io.quantity_in("data_rate", Dimension::Frequency, 1e3, 1e13);
  a.io.power_w = io.positive_quantity("power", Dimension::Power);
  a.io.area_m2 = io.positive_quantity("area", Dimension::Area);
  io.reject_unknown_keys();
  chip.reject_unknown_keys();

  a.tile = parse_tile(root.child("tile"));
  a.ima = parse_ima(root.child("ima"));
  root.reject_unknown_keys();
  if (a.weight_reload && !a.ima.crossbar.write_energy_per_cell_j)
    root.child("ima").child("crossbar").fail_here(
        "weight_reload: true needs the cost of reprogramming: add write: {energy_per_cell, time_per_row}");
  return a;
}

}  // namespace qnnsim
