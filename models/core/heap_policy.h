#pragma once
// How the process's heap gives memory back to the kernel.

namespace qnnsim {

// Keeps up to 16 MiB freed at the top of the heap instead of returning it to
// the kernel at once. A run allocates and frees megabytes per layer (the
// mapper's memos, a layer's tile tables); glibc's default trims the heap's
// top as soon as 128 KiB lie free there, so the next layer faulted the same
// memory in again page by page. Measured on ResNet-50 (one core, perf stat):
// the systolic design at batch 64 took 0.356 s with 9,713 page faults, and
// 0.282 s with 2,733 with this. 16 MiB saves as many faults as 64 MiB did
// there, and keeps peak memory where it was (21.0 MB at batch 64; 97.0 MB
// for `eval lenet5_fashion`, 96.7 MB without): with 64 MiB, memory kept
// but not reused raised eval's peak to 121 MB. Call once, at the start of main.
void keep_freed_memory();

}  // namespace qnnsim
