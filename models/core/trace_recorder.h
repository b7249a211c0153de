#pragma once
// The timeline's hook: components and threads that already issue or serve a
// transaction report it here, and a recorder (report/trace_writer.h) keeps
// what it was asked for. There is one recorder per process, like the SystemC
// kernel itself, so the hooks need no plumbing through the module tree; with
// none installed every hook is one pointer test.
#include <cstdint>
#include <string>

#include <systemc>

namespace qnnsim {

class TraceRecorder {
 public:
  virtual ~TraceRecorder() = default;
  // One transaction on a unit of hardware (`track`: a component, one of its
  // networks, a tile's eDRAM...), e.g. a tile's DMA:
  // `what` is its kind ("read", "pass", "transfer"...), `bits` what it moved.
  virtual void slice(const std::string& track, const char* what, int layer, const sc_core::sc_time& start,
                     const sc_core::sc_time& end, uint64_t bits) = 0;
  // A time the compute unit waited, and on what (dram, buffer, noc, input...).
  virtual void stall(const std::string& track, const char* cause, int layer, const sc_core::sc_time& start,
                     const sc_core::sc_time& end) = 0;
  // A sampled quantity, e.g. buffer tile slots in use, from `at` on.
  virtual void counter(const char* name, const sc_core::sc_time& at, double value) = 0;
};

// The installed recorder, or nullptr (the default).
TraceRecorder* trace_recorder();
void set_trace_recorder(TraceRecorder* r);

}  // namespace qnnsim
