// The thread pool's exception contract, without Node: an exception thrown by a share on a pool
// worker (not the calling thread) is rethrown on the caller once no share is running, the
// first one wins, the remaining shares are skipped, and the pool runs the next region normally.
// Also the scratch allocator's checked sizes and its test hook. Exit status: 0 when all passed.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include "runtime/scratch.h"
#include "runtime/threadpool.h"
#include "native_test.h"

using namespace myelin;
using namespace myelin_test;

namespace {

// Two shares; the one that runs on a worker throws. The caller's share waits until the other
// share has been taken by a worker and has finished, so exactly one share runs on a worker
// whatever the scheduling.
void throws_on_a_worker() {
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> worker_done{0};
  std::atomic<int> ran{0};
  auto body = [&](int, int) {
    ran.fetch_add(1);
    if (std::this_thread::get_id() != caller) {
      worker_done.store(1);
      throw std::runtime_error("thrown on a worker");
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!worker_done.load() && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  };
  bool caught = false;
  try {
    parallel_run(2, body);
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "thrown on a worker";
  }
  CHECK(caught, "a worker's exception must be rethrown on the caller");
  CHECK(ran.load() == 2, "both shares ran (%d)", ran.load());
}

// Every share throws: one exception arrives, and shares claimed after the first failure do
// not run (at most one per thread can have started before it).
void first_exception_wins() {
  std::atomic<int> ran{0};
  auto body = [&](int tid, int) {
    ran.fetch_add(1);
    throw std::runtime_error("share " + std::to_string(tid));
  };
  int caught = 0;
  try {
    parallel_run(64, body);
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()).rfind("share ", 0) == 0;
  }
  CHECK(caught, "one of the shares' exceptions must arrive");
  CHECK(ran.load() <= num_threads(), "shares after the failure were skipped (%d ran)", ran.load());
}

// After failures the pool still runs every share of a region exactly once.
void healthy_after() {
  std::atomic<int> sum{0};
  auto body = [&](int tid, int) { sum.fetch_add(tid + 1); };
  for (int round = 0; round < 100; ++round) {
    sum.store(0);
    parallel_run(8, body);
    CHECK(sum.load() == 36, "round %d: shares summed to %d", round, sum.load());
  }
}

// A region nested in a share runs serially on that thread; its exception reaches the outer
// caller too.
void nested() {
  auto inner = [](int tid, int) {
    if (tid == 2) throw std::out_of_range("inner");
  };
  auto outer = [&](int, int) { parallel_run(4, inner); };
  bool caught = false;
  try {
    parallel_run(2, outer);
  } catch (const std::out_of_range&) {
    caught = true;
  }
  CHECK(caught, "an exception of a nested region must reach the outer caller");
}

void scratch() {
  bool thrown = false;
  try {
    Scratch<double> huge(int64_t{1} << 62);  // 2^65 bytes: the size overflows
  } catch (const ScratchError& e) {
    thrown = e.bytes() > 3e19;
  }
  CHECK(thrown, "an overflowing scratch size must throw ScratchError with the size asked for");
  thrown = false;
  try {
    Scratch<float> huge(int64_t{1} << 46);  // 256 TiB: more than the address space
  } catch (const ScratchError& e) {
    thrown = e.bytes() == 0x1p48;
  }
  CHECK(thrown, "an impossible allocation must throw ScratchError");
  const Scratch<float> none(0);
  CHECK(none.get() != nullptr, "a zero-size scratch still has an address");
  const Scratch<int> zeros = Scratch<int>::zeros(1000);
  int sum = 0;
  for (int i = 0; i < 1000; ++i) sum += zeros[i];
  CHECK(sum == 0, "zeros() must zero");

  // The hook: the 3rd request in share >= 1 fails; requests in share 0 do not count.
  fail_scratch_for_testing(3, 1);
  std::atomic<int> failed_in{-1};
  auto body = [&](int tid, int) {
    for (int i = 0; i < 4; ++i) {
      try {
        Scratch<float> s(16);
      } catch (const ScratchError&) {
        failed_in.store(tid);
      }
    }
  };
  parallel_run(2, body);
  fail_scratch_for_testing(0, 0);
  // Share 1's own requests (and the pool's fault point at its start) count: it fails there.
  CHECK(failed_in.load() == 1, "the hook must fail a request in share 1 (failed in %d)", failed_in.load());
}

}  // namespace

int main() {
  set_num_threads(2);
  for (int round = 0; round < 20; ++round) throws_on_a_worker();
  first_exception_wins();
  healthy_after();
  nested();
  set_num_threads(4);
  healthy_after();
  set_num_threads(2);
  scratch();
  healthy_after();
  std::printf("threadpool_test: %s\n", g_failures == 0 ? "all passed" : "FAILED");
  return g_failures == 0 ? 0 : 1;
}
