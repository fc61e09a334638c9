// The prebuilt Linux binaries are compiled against this machine's glibc but must load on an older
// one (the floor, MYELIN_GLIBC_FLOOR = major * 100 + minor: scripts/prebuilds/). They link against stand-ins that
// carry only the floor's symbols, so every glibc symbol newer than the floor that the statically
// linked libstdc++ refers to must be defined here instead. Each definition is hidden: it binds
// within this module and never interposes on the process's own glibc.
#include <cstdint>
#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(MYELIN_GLIBC_FLOOR) && defined(__GLIBC__)
#include <unistd.h>

#define MYELIN_HIDDEN __attribute__((visibility("hidden")))

extern "C" {

#if MYELIN_GLIBC_FLOOR < 232
// glibc 2.32: libstdc++ skips atomic reference counts while this is non-zero (one thread in the
// process). 0 means "maybe several threads": always atomic, which is correct in every process.
MYELIN_HIDDEN char __libc_single_threaded = 0;
#endif

#if MYELIN_GLIBC_FLOOR < 236
// glibc 2.36: libstdc++'s std::random_device uses it (myelin does not, but its object file comes
// in with the exception classes' strings). Same contract: never fails.
MYELIN_HIDDEN uint32_t arc4random(void) noexcept {
  uint32_t v = 0;
  if (getentropy(&v, sizeof v) != 0) std::abort();  // glibc 2.25, the kernel's getrandom
  return v;
}
#endif

}  // extern "C"

#endif
