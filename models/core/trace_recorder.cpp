#include "core/trace_recorder.h"

namespace qnnsim {

namespace {
TraceRecorder* g_recorder = nullptr;
}

TraceRecorder* trace_recorder() { return g_recorder; }
void set_trace_recorder(TraceRecorder* r) { g_recorder = r; }

}  // namespace qnnsim
