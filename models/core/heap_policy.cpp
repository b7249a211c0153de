#include "core/heap_policy.h"

#include <cstdlib>  // defines __GLIBC__ on a glibc system

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace qnnsim {

void keep_freed_memory() {
#if defined(__GLIBC__)
  // M_TOP_PAD: what each growth of the heap asks for beyond the request, and
  // what a trim leaves; setting it also fixes glibc's trim and mmap
  // thresholds at their defaults instead of raising them as blocks are freed.
  mallopt(M_TOP_PAD, 16 << 20);
#endif
}

}  // namespace qnnsim
