// What gemm_bench.cpp and lowp_bench.cpp share: the command line, the clock, the peak of a
// register-only loop (bench/native/peak_loops.h) and the rounds that time the contenders.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace bench {

// --clock cpu: this process's CPU time instead of wall time. On a machine shared with other
// jobs, a 1-thread figure in CPU time leaves out the time the scheduler gave to others (not
// meaningful at 2 threads, where a thread spinning for its partner also counts).
inline bool g_cpu_clock = false;
inline double sample_clock() {
  if (!g_cpu_clock) return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The command line both take: [--threads 1,2] [--reps N>=5] [--workloads A,B] [--sizes 256,...]
// [--markdown] [--clock wall|cpu]. Fields hold the defaults until parse() overrides them.
struct Options {
  std::vector<int> threads = {1, 2};
  int reps = 7;
  std::string workloads;
  bool markdown = false;
  std::vector<int> sizes = {256, 512, 1024, 2048};

  // false (after printing usage) on an unknown or incomplete argument.
  bool parse(int argc, char** argv, const char* usage) {
    auto ints = [](const char* p) {
      std::vector<int> v;
      while (*p) {
        v.push_back(std::atoi(p));
        while (*p && *p != ',') ++p;
        if (*p == ',') ++p;
      }
      return v;
    };
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      const bool has_value = i + 1 < argc;
      if (arg == "--threads" && has_value) {
        threads = ints(argv[++i]);
      } else if (arg == "--sizes" && has_value) {
        sizes = ints(argv[++i]);
      } else if (arg == "--reps" && has_value) {
        reps = std::max(5, std::atoi(argv[++i]));
      } else if (arg == "--workloads" && has_value) {
        workloads = argv[++i];
      } else if (arg == "--markdown") {
        markdown = true;
      } else if (arg == "--clock" && has_value) {
        g_cpu_clock = std::string(argv[++i]) == "cpu";
      } else {
        std::fprintf(stderr, "usage: %s\n", usage);
        return false;
      }
    }
    return true;
  }
};

inline volatile float g_sink;

// GFLOP/s of `threads` threads each running loop(iters), flops_per_iter each; best of 5 (a peak
// is a maximum).
inline double peak(float (*loop)(int64_t), double flops_per_iter, int threads, int64_t iters = 10'000'000) {
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    std::vector<std::thread> pool;
    const double t0 = sample_clock();
    for (int t = 0; t < threads; ++t) pool.emplace_back([&] { g_sink = loop(iters); });
    for (auto& th : pool) th.join();
    // (CPU clock: the threads' CPU seconds add up, so this is per core times the thread count.)
    const double elapsed = (sample_clock() - t0) / (g_cpu_clock ? threads : 1);
    best = std::max(best, flops_per_iter * iters * threads / elapsed / 1e9);
  }
  return best;
}

// GFLOP/s of each contender: its median and best sample.
struct Rates {
  std::vector<double> median, best;
};

// Times `contenders` in turn each round (two warm-up rounds, then `reps`): a sample is `calls`
// calls of run(w), `flops` each; after(w) runs after each sample, outside the clock.
template <class Run, class After>
Rates time_rounds(size_t contenders, int reps, double flops, int calls, Run run, After after) {
  std::vector<std::vector<double>> gf(contenders);
  for (int r = -2; r < reps; ++r) {
    for (size_t w = 0; w < contenders; ++w) {
      const double t0 = sample_clock();
      for (int i = 0; i < calls; ++i) run(w);
      const double t = sample_clock() - t0;
      if (r >= 0) gf[w].push_back(flops * calls / t / 1e9);
      after(w);
    }
  }
  Rates out;
  for (const auto& samples : gf) {
    out.median.push_back(median(samples));
    out.best.push_back(*std::max_element(samples.begin(), samples.end()));
  }
  return out;
}

}  // namespace bench
