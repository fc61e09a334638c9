// Process-wide malloc settings for large tensor buffers (glibc only; elsewhere a no-op).
#pragma once

namespace myelin {

// Keeps freed blocks of up to 32 MB in the heap for reuse instead of returning them to the
// system. JavaScript frees tensor buffers in bursts at garbage collection; with glibc's
// defaults each burst is trimmed or unmapped and the next step's buffers page-fault back in
// (a zeroed 16 MB softmax output: ~0.6 ms of faults; an MLP step: 50-200 us). Called once at
// load; MYELIN_MALLOC_TUNING=0 leaves malloc as it is.
void tune_malloc_for_tensors();

// Called by each JavaScript thread that loads the addon: when a thread other than the main one
// (a worker_thread) exits, after its isolate has freed its tensors, the memory malloc keeps
// free is handed back to the system. Without it, the arena of a terminated worker keeps what
// the tuning above lets it keep, and a server that recycles workers grows with each one.
void trim_malloc_at_thread_exit();

}  // namespace myelin
