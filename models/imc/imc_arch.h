#pragma once
// An in-memory-computing chip (ISAAC, PUMA style), from an architecture file
// with `kind: in_memory`: chip -> tiles -> IMAs (PUMA: cores) -> crossbars.
// Each tile has an eDRAM buffer and a bus to its IMAs; a concentrated mesh of
// routers joins the tiles; chip I/O brings the input in and results out.
// Every block carries the published power and area of one instance; the model
// derives chip totals from them and never takes totals as inputs.
#include <cstdint>
#include <map>
#include <string>

#include "arch/technology.h"
#include "converter/adc_spec.h"
#include "converter/dac_spec.h"
#include "core/config_error.h"
#include "crossbar/crossbar_spec.h"
#include "imc/part_spec.h"
#include "design/execution.h"

namespace qnnsim {

struct EdramSpec {
  double size_bits = 0, width_bits = 0, power_w = 0, area_m2 = 0;
};
struct BusSpec {
  double width_bits = 0, power_w = 0, area_m2 = 0;
};
struct RouterSpec {
  int64_t tiles_per_router = 4;
  double link_width_bits = 0, power_w = 0, area_m2 = 0;  // one router
  // routing: source_router (the default): a row's flits hold the router of
  // its layer's last tile, and hops are priced but not timed. routing: xy:
  // every directed link is a calendar, rows follow X-Y routes
  // (imc/chip_mesh.h), and each hop adds router_cycles to a row's head.
  bool xy_links = false;
  int64_t router_cycles = 1;
};
struct ChipIoSpec {
  double bandwidth_bits_per_s = 0, power_w = 0, area_m2 = 0;
};

struct ImaSpec {
  int64_t crossbars = 8;
  CrossbarSpec crossbar;
  DacSpec dac;                                  // one per crossbar row
  PartSpec sample_hold;                         // one per crossbar column (count is derived)
  AdcSpec adc;                                  // shared by columns_per_adc columns
  std::map<std::string, PartSpec> peripherals;  // busy whenever the IMA computes

  int64_t adcs() const;  // ADCs in one IMA
};

struct TileSpec {
  int64_t imas = 12;
  EdramSpec edram;
  BusSpec bus;                                  // eDRAM to IMAs
  std::map<std::string, PartSpec> peripherals;  // pass every value the tile produces
};

struct ImcArch {
  std::string name, file;
  Technology tech;  // node and the digital clock; the voltage is not used
  Execution execution = Execution::LayerPipelined;
  bool weight_reload = false;  // a network larger than the chip runs in programmed segments
  SourceLocation weight_reload_where;  // the key, or the file's top, for a run's message about it
  int64_t tiles = 1;
  RouterSpec router;
  ChipIoSpec io;
  TileSpec tile;
  ImaSpec ima;

  int64_t total_imas() const { return tiles * tile.imas; }
  int64_t total_crossbars() const { return total_imas() * ima.crossbars; }
  int64_t routers() const { return (tiles + router.tiles_per_router - 1) / router.tiles_per_router; }
};

ImcArch load_imc_arch(const ConfigNode& root);

}  // namespace qnnsim
