// Workload L1: the machine's physical limits, the yardsticks for every other figure.
//   - peak fp32 FMA throughput: a register-only loop of independent FMA chains (enough
//     accumulators to cover FMA latency x issue width) at AVX-512 and AVX2 widths, 1..T threads;
//   - peak bf16 and int8 throughput, where the CPU has them: the same kind of loop over
//     vdpbf16ps (AVX512_BF16: 16 lanes x 2 bf16 products summed into fp32, 64 flops an
//     instruction) and vpdpbusd (AVX512_VNNI at 512 bits, AVX-VNNI at 256: u8 x s8 products, 4
//     summed into each int32 lane: 128 or 64 ops an instruction, a multiply-add counting 2 as
//     for flops), the yardsticks of the bf16 and int8 GEMMs;
//   - memory bandwidth: STREAM triad a[i] = b[i] + s * c[i] (bytes = 3 * 4 * n per pass: two
//     reads and one write, no write-allocate traffic, as STREAM counts), 1..T threads.
// Prints one JSON object. Built with -O3 -march=native by build.sh (a bench tool only: the
// library itself never uses -march=native).
//
// usage: limits [--fma] [--triad] [--threads 1,2] [--bytes BYTES_PER_ARRAY] [--reps N]
//        (no --fma/--triad: both)
//        limits --serve --bytes MAX: triad on request, one stdin line each (see triad_serve)
#define _GNU_SOURCE
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* v, int n) {
  qsort(v, (size_t)n, sizeof(double), cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double best(const double* v, int n) {
  double m = v[0];
  for (int i = 1; i < n; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

// Pins the calling thread to the tid-th CPU this process may use (stable figures on few cores).
// The allowed set is read once, before any pinning: the main thread pins itself, and threads it
// creates later inherit that one-CPU mask, so asking again would put every thread on CPU 0.
static cpu_set_t g_allowed;
static int g_allowed_ok = -1;
static void pin(int tid) {
  cpu_set_t one;
  if (g_allowed_ok < 0) g_allowed_ok = sched_getaffinity(0, sizeof(g_allowed), &g_allowed) == 0;
  if (!g_allowed_ok) return;
  const cpu_set_t allowed = g_allowed;
  int seen = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (seen++ == tid) {
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
      return;
    }
  }
}

// ---- FMA, bf16 and int8 peaks (the loops: peak_loops.h) ------------------------------------

#include "peak_loops.h"

typedef float (*FmaLoop)(int64_t);

struct FmaJob {
  FmaLoop loop;
  int64_t iters;
  int tid;
  pthread_barrier_t* start;
  volatile float sink;
};

static void* fma_thread(void* p) {
  struct FmaJob* job = (struct FmaJob*)p;
  pin(job->tid);
  pthread_barrier_wait(job->start);
  job->sink = job->loop(job->iters);
  return NULL;
}

// GFLOP/s of `threads` threads each running `iters` iterations (wall time, all threads).
static double fma_run(FmaLoop loop, double flops_per_iter, int64_t iters, int threads) {
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  struct FmaJob jobs[64];
  pthread_t ids[64];
  for (int t = 0; t < threads; ++t) {
    jobs[t].loop = loop;
    jobs[t].iters = iters;
    jobs[t].tid = t;
    jobs[t].start = &start;
    if (t > 0) pthread_create(&ids[t], NULL, fma_thread, &jobs[t]);
  }
  pin(0);
  pthread_barrier_wait(&start);
  const double t0 = now();
  jobs[0].sink = loop(iters);
  for (int t = 1; t < threads; ++t) pthread_join(ids[t], NULL);
  const double dt = now() - t0;
  pthread_barrier_destroy(&start);
  return flops_per_iter * (double)iters * threads / dt * 1e-9;
}

static void fma_report(const char* name, FmaLoop loop, double flops_per_iter, const int* threads, int nthreads,
                       int reps, int first) {
  // Calibrate to ~0.1 s per run on one thread.
  int64_t iters = 1 << 16;
  for (;;) {
    const double t0 = now();
    loop(iters);
    if (now() - t0 > 0.02) break;
    iters *= 2;
  }
  iters *= 5;
  printf("%s    \"%s\": {", first ? "" : ",\n", name);
  for (int k = 0; k < nthreads; ++k) {
    double v[64];
    for (int r = 0; r < reps; ++r) v[r] = fma_run(loop, flops_per_iter, iters, threads[k]);
    const double b = best(v, reps);
    printf("%s\"%d\": {\"median\": %.1f, \"best\": %.1f}", k ? ", " : "", threads[k], median(v, reps), b);
  }
  printf("}");
}

// ---- STREAM triad ----------------------------------------------------------------------------

struct Triad {
  float *a, *b, *c;
  int64_t n;
  int threads, reps;
  int touch;  // first pass writes the inputs (first touch by the thread that streams them)
  pthread_barrier_t barrier;
  double seconds[64];
};

struct TriadArg {
  struct Triad* t;
  int tid;
};

__attribute__((noinline)) static void triad_pass(float* restrict a, const float* restrict b, const float* restrict c,
                                                 int64_t begin, int64_t end) {
  const float s = 3.0f;
  for (int64_t i = begin; i < end; ++i) a[i] = b[i] + s * c[i];
}

static void* triad_thread(void* p) {
  struct TriadArg* arg = (struct TriadArg*)p;
  struct Triad* t = arg->t;
  const int tid = arg->tid;
  pin(tid);
  const int64_t begin = t->n * tid / t->threads, end = t->n * (tid + 1) / t->threads;
  if (t->touch) {
    for (int64_t i = begin; i < end; ++i) {
      t->a[i] = 0.0f;
      t->b[i] = 1.0f;
      t->c[i] = 2.0f;
    }
  }
  for (int r = -1; r < t->reps; ++r) {  // r = -1: warm-up pass
    pthread_barrier_wait(&t->barrier);
    const double t0 = now();
    triad_pass(t->a, t->b, t->c, begin, end);
    pthread_barrier_wait(&t->barrier);
    if (tid == 0 && r >= 0) t->seconds[r] = now() - t0;
  }
  return NULL;
}

static void triad_alloc(struct Triad* t, int64_t bytes_per_array) {
  t->n = bytes_per_array / 4;
  t->a = aligned_alloc(64, (size_t)t->n * 4);
  t->b = aligned_alloc(64, (size_t)t->n * 4);
  t->c = aligned_alloc(64, (size_t)t->n * 4);
  if (!t->a || !t->b || !t->c) {
    fprintf(stderr, "limits: cannot allocate 3 x %lld bytes\n", (long long)bytes_per_array);
    exit(1);
  }
}

// Runs t->reps timed triad passes on `threads` threads over the first n elements; GB/s in gbs.
static void triad_measure(struct Triad* t, int threads, int64_t n, double* gbs) {
  t->threads = threads;
  const int64_t full = t->n;
  t->n = n;
  pthread_barrier_init(&t->barrier, NULL, (unsigned)threads);
  struct TriadArg args[64];
  pthread_t ids[64];
  for (int i = 0; i < threads; ++i) {
    args[i].t = t;
    args[i].tid = i;
    if (i > 0) pthread_create(&ids[i], NULL, triad_thread, &args[i]);
  }
  triad_thread(&args[0]);
  for (int i = 1; i < threads; ++i) pthread_join(ids[i], NULL);
  pthread_barrier_destroy(&t->barrier);
  for (int r = 0; r < t->reps; ++r) gbs[r] = 3.0 * 4.0 * (double)n / t->seconds[r] * 1e-9;
  t->n = full;
  if (t->a[n / 2] != 7.0f) fprintf(stderr, "limits: triad result is wrong\n");
}

static void triad_report(int64_t bytes_per_array, const int* threads, int nthreads, int reps) {
  struct Triad t;
  triad_alloc(&t, bytes_per_array);
  t.reps = reps;
  printf("{\"bytes_per_array\": %lld", (long long)bytes_per_array);
  for (int k = 0; k < nthreads; ++k) {
    double gbs[64];
    t.touch = k == 0;
    triad_measure(&t, threads[k], t.n, gbs);
    const double b = best(gbs, reps);
    printf(", \"%d\": {\"median\": %.2f, \"best\": %.2f}", threads[k], median(gbs, reps), b);
  }
  printf("}");
  free(t.a);
  free(t.b);
  free(t.c);
}

// --serve: arrays of the largest --bytes stay allocated; each stdin line "threads bytes reps"
// answers one JSON line of triad GB/s samples. Lets a caller interleave triad with its own
// kernels at a fine grain, so both see the same load on a shared machine.
static void triad_serve(int64_t max_bytes) {
  struct Triad t;
  triad_alloc(&t, max_bytes);
  double gbs[64];
  t.reps = 1;
  t.touch = 1;
  triad_measure(&t, 1, t.n, gbs);
  t.touch = 0;
  printf("{\"ready\": true}\n");
  fflush(stdout);
  char line[256];
  while (fgets(line, sizeof(line), stdin)) {
    int threads = 1, reps = 1;
    long long bytes = 0;
    if (sscanf(line, "%d %lld %d", &threads, &bytes, &reps) != 3 || threads < 1 || threads > 64 || reps < 1 ||
        reps > 64 || bytes < 64 || bytes > max_bytes) {
      printf("{\"error\": \"expected: threads(1..64) bytes(64..%lld) reps(1..64)\"}\n", (long long)max_bytes);
      fflush(stdout);
      continue;
    }
    t.reps = reps;
    triad_measure(&t, threads, bytes / 4, gbs);
    printf("{\"threads\": %d, \"bytes\": %lld, \"gbs\": [", threads, bytes);
    for (int r = 0; r < reps; ++r) printf("%s%.3f", r ? ", " : "", gbs[r]);
    printf("]}\n");
    fflush(stdout);
  }
  free(t.a);
  free(t.b);
  free(t.c);
}

int main(int argc, char** argv) {
  g_allowed_ok = sched_getaffinity(0, sizeof(g_allowed), &g_allowed) == 0;
  int do_fma = 0, do_triad = 0, serve = 0, reps = 9;
  int threads[16] = {1, 2}, nthreads = 2;
  int64_t bytes[16] = {(int64_t)128 << 20};
  int nbytes = 0;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--fma")) {
      do_fma = 1;
    } else if (!strcmp(argv[i], "--triad")) {
      do_triad = 1;
    } else if (!strcmp(argv[i], "--serve")) {
      serve = 1;
    } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
      nthreads = 0;
      for (char* tok = strtok(argv[++i], ","); tok && nthreads < 16; tok = strtok(NULL, ","))
        threads[nthreads++] = atoi(tok) < 1 ? 1 : (atoi(tok) > 64 ? 64 : atoi(tok));
    } else if (!strcmp(argv[i], "--bytes") && i + 1 < argc) {
      for (char* tok = strtok(argv[++i], ","); tok && nbytes < 16; tok = strtok(NULL, ","))
        bytes[nbytes++] = atoll(tok);
    } else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
      reps = atoi(argv[++i]);
      reps = reps < 1 ? 1 : (reps > 64 ? 64 : reps);
    } else {
      fprintf(stderr, "usage: limits [--fma] [--triad] [--serve] [--threads 1,2] [--bytes N[,N...]] [--reps N]\n");
      return 2;
    }
  }
  if (!do_fma && !do_triad) do_fma = do_triad = 1;
  if (nbytes == 0) nbytes = 1;
  if (serve) {
    int64_t max_bytes = 0;
    for (int k = 0; k < nbytes; ++k) max_bytes = bytes[k] > max_bytes ? bytes[k] : max_bytes;
    triad_serve(max_bytes);
    return 0;
  }

  __builtin_cpu_init();
  printf("{\n  \"threads\": [");
  for (int k = 0; k < nthreads; ++k) printf("%s%d", k ? ", " : "", threads[k]);
  printf("],\n  \"reps\": %d", reps);
  if (do_fma) {
    printf(",\n  \"fma_gflops\": {\n");
    int first = 1;
    if (__builtin_cpu_supports("avx512f")) {
      fma_report("avx512", fma_loop_avx512, 2.0 * 16 * FMA_AVX512_ACCS, threads, nthreads, reps, first);
      first = 0;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      fma_report("avx2", fma_loop_avx2, 2.0 * 8 * FMA_AVX2_ACCS, threads, nthreads, reps, first);
    printf("\n  }");
    // Reduced precision, where this CPU has it (an empty object where it has none).
    printf(",\n  \"bf16_gflops\": {\n");
    if (__builtin_cpu_supports("avx512bf16"))
      fma_report("avx512bf16", bf16_loop_avx512, 2.0 * 32 * DP_ACCS, threads, nthreads, reps, 1);
    printf("\n  },\n  \"int8_gops\": {\n");
    first = 1;
    if (__builtin_cpu_supports("avx512vnni")) {
      fma_report("avx512vnni", int8_loop_avx512, 2.0 * 64 * DP_ACCS, threads, nthreads, reps, first);
      first = 0;
    }
    if (__builtin_cpu_supports("avxvnni"))
      fma_report("avxvnni", int8_loop_avxvnni, 2.0 * 32 * DP_AVX_ACCS, threads, nthreads, reps, first);
    printf("\n  }");
  }
  if (do_triad) {
    printf(",\n  \"triad_gbs\": [");
    for (int k = 0; k < nbytes; ++k) {
      printf("%s\n    ", k ? "," : "");
      fflush(stdout);
      triad_report(bytes[k], threads, nthreads, reps);
    }
    printf("\n  ]");
  }
  printf("\n}\n");
  return 0;
}
