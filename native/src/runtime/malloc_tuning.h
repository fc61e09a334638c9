// Process-wide malloc settings for large tensor buffers (glibc only; elsewhere a no-op).
#pragma once

namespace myelin {

// Keeps freed blocks of up to 32 MB in the heap for reuse instead of returning them to the
// system. JavaScript frees tensor buffers in bursts at garbage collection; with glibc's
// defaults each burst is trimmed or unmapped and the next step's buffers page-fault back in
// (a zeroed 16 MB softmax output: ~0.6 ms of faults; an MLP step: 50-200 us). Called once at
// load; MYELIN_MALLOC_TUNING=0 leaves malloc as it is.
void tune_malloc_for_tensors();

}  // namespace myelin
