// A conv layer and an fc layer on the tiny 4x4 array (tests/support.cpp),
// with cycles and per-component access counts derived by hand below.
//
// Tiny arch: 1 GHz (1 cycle = 1 ns). DRAM 64 bit x 1000 MT/s = 64 bit/ns,
// 10 ns latency. Buffer: 4 banks x 64 bit = 256 bit/cycle, one access per
// 64-bit word. Bus 64 bit/cycle. Array 4x4, weights double-buffered; a step
// of V vectors takes V + 4 + 4 - 2 = V + 6 cycles; a weight tile of r rows
// loads in r cycles. int8 weights and inputs, 32-bit partial sums, 8-bit outputs.
//
// Layer 1, conv: batch 2, C=1, H=W=4, M=2, R=S=2, stride 2 -> P=Q=2, K=4.
//   One buffer tile holds everything; one array step (r=4, c=2, V=2*2*2=8).
//   Loader @0: weights 8x8=64 bit: DRAM busy 0-1, done 11; buffer write 1 word, 0-1.
//              inputs 2x1x4x4x8=256 bit: DRAM busy 1-5, done 15; buffer write 4 words, 1-2.
//   Compute @15: weights: buffer read 1 word 15-16; bus 64 bit 15-16; PE load 4 rows 15-19.
//     stream @19: buffer read V*r*8=256 bit (4 words) 19-20; bus 256 bit 19-23;
//       array 8+6=14 cycles 19-33; psums V*c*32=512 bit: bus 23-31; buffer write 8 words 20-22.
//   Storer @33: buffer read 2*2*2*2 outputs x 32 bit = 8 words 33-35; DRAM write
//     16 x 8 = 128 bit busy 33-35, done 45.  => 45 cycles.
//   Counts: DRAM read 320 bit, write 128 bit; buffer 13 reads, 13 writes;
//     bus 64+256+512 = 832 bit; MACs 8*4*2 = 64; register reads 64 weight + 64 input (8b),
//     64 psum (32b); writes 64 input + 8 weight (8b), 64 psum (32b).
//
// Layer 2, fc: C=8 (the conv's 2x2x2), M=4, batch 2: K=8 -> two steps (r=4, c=4, V=2).
//   Starts at 45 when the conv's outputs are stored; times below are from its start.
//   Loader @0: weights 8x4x8=256 bit: DRAM 0-4, done 14; buffer 4 words 0-1.
//              inputs 2x8x8=128 bit: DRAM 4-6, done 16; buffer 2 words 1-2.
//   Compute @16: step 1 weights 128 bit: buffer 16-17, bus 16-18, PE 16-20 -> ready 20.
//     step 1 @20: buffer read 64 bit 20-21; bus 64 bit 20-21; array 2+6=8 cycles 20-28;
//       psums 2x4x32=256 bit: bus 21-25, buffer write 4 words 21-22.
//     step 2 weights, loaded beside step 1 from 20: buffer 22-23, bus 25-27, PE 20-24 -> ready 27.
//     step 2 @28: buffer read 28-29; bus 28-29; array 28-36; bus psums 29-33;
//       buffer psum read 4 words 29-30 and write 4 words 30-31.
//   Storer @36: buffer read 8 outputs x 32 bit = 4 words 36-37; DRAM write 64 bit 36-37, done 47.
//   => 47 cycles.
//   Counts: DRAM read 384, write 64 bit; buffer reads 2+1+2+1+4+4 = 14, writes 4+2+4+4 = 14;
//     bus 128+64+256+128+64+256 = 896 bit; MACs 2*8*4 = 64.
#include <catch2/catch.hpp>

#include "sim/simulation.h"
#include "support.h"

using namespace qnnsim;
using namespace qnnsim::test;

TEST_CASE("a conv and an fc layer on a 4x4 array match the hand derivation", "[hand]") {
  const auto arch = arch_from_text(tiny_arch_yaml());
  const Workload w = workload_from_text(R"(network: hand
batch: 2
input: {C: 1, H: 4, W: 4}
layers:
  - {name: conv, type: conv, C: 1, H: 4, W: 4, M: 2, R: 2, S: 2, stride: 2}
  - {name: fc, type: fc, C: 8, M: 4}
)");
  const RunResult r = run_simulation(*arch, w);
  REQUIRE(r.layers.size() == 2);
  const LayerResult& conv = r.layers[0];
  const LayerResult& fc = r.layers[1];

  CHECK(conv.tiling == "1 tiles: DRAM | GLB | rows R2 S2 | cols M2 | PE N2 P2 Q2");
  CHECK(conv.cycles == 45);
  CHECK(conv.macs == 64);
  CHECK(action_count(conv, "dram", "dram.read_bits") == 320);
  CHECK(action_count(conv, "dram", "dram.write_bits") == 128);
  CHECK(action_count(conv, "glb", "glb.read") == 13);
  CHECK(action_count(conv, "glb", "glb.write") == 13);
  CHECK(action_count(conv, "noc", "noc.sent_bits") == 832);
  CHECK(action_count(conv, "pe_array", "mac.mac_8x8") == 64);
  CHECK(action_count(conv, "pe_array", "spad.read.8b") == 128);
  CHECK(action_count(conv, "pe_array", "spad.read.32b") == 64);
  CHECK(action_count(conv, "pe_array", "spad.write.8b") == 72);
  CHECK(action_count(conv, "pe_array", "spad.write.32b") == 64);
  CHECK(conv.dram_bytes == Approx((320 + 128) / 8.0));

  CHECK(fc.cycles == 47);
  CHECK(fc.macs == 64);
  CHECK(action_count(fc, "dram", "dram.read_bits") == 384);
  CHECK(action_count(fc, "dram", "dram.write_bits") == 64);
  CHECK(action_count(fc, "glb", "glb.read") == 14);
  CHECK(action_count(fc, "glb", "glb.write") == 14);
  CHECK(action_count(fc, "noc", "noc.sent_bits") == 896);
  CHECK(action_count(fc, "pe_array", "mac.mac_8x8") == 64);

  CHECK(r.summary.cycles == 45 + 47);
  CHECK(r.summary.latency_s == Approx(92e-9));

  // Energy of the buffer: 16 KiB banks sit between Horowitz's 8 KB (10 pJ) and
  // 32 KB (20 pJ) points; log-log, 10 * 2^0.5 = 14.142 pJ per 64-bit access.
  CHECK(conv.energy_breakdown_pj.at("glb") == Approx(26 * 10 * std::sqrt(2.0)).epsilon(1e-9));
  // DRAM: 8 pJ per bit (LPDDR4).
  CHECK(conv.energy_breakdown_pj.at("dram") == Approx(448 * 8.0));
  // MAC: 8x8 multiply 0.2 pJ + 32-bit add 0.1 pJ.
  CHECK(conv.energy_breakdown_pj.at("mac") == Approx(64 * 0.3));
}
