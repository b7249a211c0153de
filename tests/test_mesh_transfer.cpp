// The mesh module times a transfer by its busiest link plus the head's
// latency over the longest route, and counts what it crosses. Transfers are
// served straight through the module's socket on the tiny 4 x 4 array
// (1 GHz: a cycle is 1 ns) with the bus swapped for a mesh of 16-bit links,
// one router per PE and single-cycle routers.
#include <catch2/catch.hpp>

#include <tlm>

#include "support.h"

namespace qnnsim {
namespace {

std::string mesh_arch(const std::string& injection) {
  return test::replace_all(test::tiny_arch_yaml(), "noc: {under: glb, class: MulticastBus, width: 64 bit}",
                           "noc: {under: glb, class: Mesh2D, routing: xy, injection: " + injection +
                               ", link_width: 16 bit, router_cycles: 1}");
}

struct Bench {
  explicit Bench(const std::string& injection) : arch(test::arch_from_text(mesh_arch(injection))) {
    module = arch->noc->build("noc");
    module->prepare(std::vector<Layer>(1));
    payload.set_extension(&work);
    work.kind = Work::Kind::Transfer;
    work.rows_used = work.cols_used = 4;
  }
  ~Bench() { payload.clear_extension(&work); }
  // Sends `bits`, delivered `delivered` bits in all, starting `at_ns`; returns the end in ns.
  double send(uint64_t bits, uint64_t delivered, bool to_buffer, double at_ns = 0) {
    work.bits = bits;
    work.delivered_bits = delivered;
    work.to_buffer = to_buffer;
    sc_core::sc_time delay(at_ns, sc_core::SC_NS);
    module->socket.get_base_interface().b_transport(payload, delay);
    return delay.to_seconds() * 1e9;
  }
  uint64_t count(const std::string& action) const {
    const ActionLog& log = module->log();
    for (std::size_t i = 0; i < log.actions().size(); ++i)
      if (log.actions()[i].action == action) return log.total(static_cast<int>(i));
    return 0;
  }
  std::unique_ptr<ArchSpec> arch;
  std::unique_ptr<ComponentModule> module;
  tlm::tlm_generic_payload payload;
  Work work;
};

TEST_CASE("a mesh transfer takes its busiest link's bits over the link width, plus the longest route", "[mesh]") {
  Bench b("corner");
  // Unicast 1600 bits to the 16 PEs, 100 to each: E(0, 0) carries the 12 PEs
  // right of column 0, 1200 bits, 75 cycles at 16 bits; the route to (3, 3) is
  // 6 routers' hops: done at 81 ns.
  CHECK(b.send(1600, 1600, false) == Approx(81));
  // Links: each PE's 100 bits cross x + y links, 48 in all: 4800 link bits;
  // routers: one more per route, 6400 router bits.
  CHECK(b.count("link_bits") == 4800);
  CHECK(b.count("router_bits") == 6400);
  CHECK(b.count("sent_bits") == 1600);
  // Partial sums back to the buffer use the opposite links, on a calendar of
  // their own: N(0, 1) carries 12 PEs' 100 bits, 75 cycles, + 6: 81 ns, not delayed.
  CHECK(b.send(1600, 1600, true) == Approx(81));
  // A row multicast of 400 bits (each value to the 4 PEs of a row) asked at 0
  // waits for the links to the PEs, busy until 75 ns: E(0, 0) carries all 4
  // rows' 100 bits, 25 cycles, then 6 hops: 106 ns.
  CHECK(b.send(400, 1600, false) == Approx(106));
}

TEST_CASE("from the middle of an edge the busiest link still sets the time", "[mesh]") {
  Bench b("edge_middle");
  // From (2, 0), W(2, 0) carries columns 0 and 1: 8 PEs x 100 bits = 800 bits,
  // 50 cycles; E(2, 0) carries only column 3 (400 bits) and is not the
  // bottleneck. The longest route, to (0, 3), is 5 hops: 55 ns.
  CHECK(b.send(1600, 1600, false) == Approx(55));
  // Back to the buffer: column 2 is its column; N(2, 1) carries rows 1-3, 12 PEs,
  // 1200 bits, 75 cycles; the longest route from (0, 3) is 5: 80 ns.
  CHECK(b.send(1600, 1600, true) == Approx(80));
}

}  // namespace
}  // namespace qnnsim
