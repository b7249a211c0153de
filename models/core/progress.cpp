#include "core/progress.h"

namespace qnnsim {

namespace {
ProgressSink* g_sink = nullptr;
}

ProgressSink* progress_sink() { return g_sink; }
void set_progress_sink(ProgressSink* s) { g_sink = s; }

}  // namespace qnnsim
