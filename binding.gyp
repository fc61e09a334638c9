# The install-time build (node-gyp, run by native/install.cjs where no prebuild fits) and the
# release build (scripts/prebuilds/build.mjs). Same source list as CMakeLists.txt: native/sources.json.
# Each ISA's kernels are a static library of their own, compiled with that ISA's flags only;
# everything else is baseline x86-64 so the binary runs on any x86-64 CPU.
{
  "variables": {
    "myelin_version": "<!(node -p \"require('./package.json').version\")",
    # Where Gloo's shared library is for this target ("" when there is none: no distributed module).
    "gloo_lib_dir": "<!(node scripts/find_gloo.mjs <(target_arch))",
    "gloo_prefix": "<!(node -p \"process.env.MYELIN_GLOO_PREFIX || '/usr'\")",
    # Set by scripts/prebuilds/build.mjs for the release binaries, empty otherwise: the oldest
    # glibc they must load on (major * 100 + minor), the folder of the glibc stand-ins to link
    # against, and the folder of the C++ unwinder to link (see build.mjs).
    "glibc_floor%": "",
    "glibc_stubs%": "",
    "unwinder_dir%": "",
  },
  "target_defaults": {
    "include_dirs": [
      "native/src",
      "<!(node -p \"require('node-addon-api').include_dir\")",
    ],
    "defines": [
      "NAPI_VERSION=8",
      "NODE_ADDON_API_CPP_EXCEPTIONS",
      "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
      # A call that fails while a worker_thread is being terminated must not abort the process.
      "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
      "MYELIN_VERSION=\"<(myelin_version)\"",
    ],
    "cflags!": ["-fno-exceptions", "-O2"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
    "cflags": ["-O3", "-fvisibility=hidden", "-fno-math-errno"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-fvisibility=hidden", "-fno-math-errno"],
    "conditions": [
      ["target_arch=='x64'", {"defines": ["MYELIN_HAVE_X86_KERNELS"]}],
      # NEON is baseline on arm64 (no extra flags). No FMA contraction there: the scalar path
      # stays the IEEE oracle of x86 builds, and vmath's exact two-part sums keep their meaning.
      ["target_arch=='arm64'", {
        "defines": ["MYELIN_HAVE_NEON_KERNELS"],
        "cflags": ["-ffp-contract=off"],
        "cflags_cc": ["-ffp-contract=off"],
      }],
      # A release binary: glibc's symbols no newer than the floor (glibc_floor.cpp defines the
      # few newer ones libstdc++ refers to), libpthread needed (where pthread_* lived before
      # glibc 2.34), Node-API's entry points the only exports, no path of the build machine.
      ["glibc_floor!=''", {
        "defines": ["MYELIN_GLIBC_FLOOR=<(glibc_floor)"],
        "cflags": ["-ffile-prefix-map=<(module_root_dir)/="],
        "ldflags": [
          "-L<(glibc_stubs)",
          "-L<(unwinder_dir)",
          "-Wl,--version-script=<(module_root_dir)/native/exports.map",
          "-Wl,--push-state,--no-as-needed",
          "-lpthread",
          "-Wl,--pop-state",
        ],
      }],
    ],
  },
  "targets": [
    {
      "target_name": "myelin",
      # Never unloaded: the thread pool's workers run this library's code for the life of the
      # process, also after the worker_thread that first loaded it has exited.
      "ldflags": ["-Wl,-z,nodelete"],
      "sources": [
        "<!@(node -p \"require('./native/sources.json').core.join(' ')\")",
        "<!@(node -p \"require('./native/sources.json').binding.join(' ')\")",
      ],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["myelin_avx2", "myelin_avx512", "myelin_avx2vnni", "myelin_avx512bf16"]}],
        ["target_arch=='arm64'", {
          "sources": ["<!@(node -p \"require('./native/sources.json').neon.join(' ')\")"],
        }],
        # Nothing but glibc at run time: the C++ runtime linked in, its symbols kept private.
        ["glibc_floor!=''", {"ldflags": ["-static-libstdc++", "-static-libgcc", "-Wl,--exclude-libs,ALL"]}],
      ],
    },
  ],
  "conditions": [
    # The distributed module: a second addon over Gloo, loaded only when `distributed` is used,
    # so the core addon keeps no run-time dependency. Same defines and flags as the core
    # (target_defaults), except that libstdc++ stays shared here: libgloo.so.0 is linked
    # against it and throws C++ exceptions (and passes std::string) across the boundary.
    ["gloo_lib_dir!=''", {
      "targets": [
        {
          "target_name": "myelin_distributed",
          # Never unloaded: the communication thread may outlive the worker_thread that loaded it.
          "ldflags": ["-Wl,-z,nodelete", "-L<(gloo_lib_dir)"],
          # A release binary finds the system's libgloo0 where the loader looks anyway, and
          # carries no path of the build machine.
          "conditions": [
            ["glibc_floor==''", {"ldflags": ["-Wl,-rpath,<(gloo_lib_dir)"]}],
            # The glibc symbols newer than the floor that the C++ headers refer to.
            ["glibc_floor!=''", {"sources": ["native/src/runtime/glibc_floor.cpp"]}],
          ],
          "include_dirs": ["<(gloo_prefix)/include"],
          "libraries": ["-lgloo", "-lpthread"],
          "sources": ["<!@(node -p \"require('./native/sources.json').distributed.join(' ')\")"],
        },
      ],
    }],
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "myelin_avx2",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').avx2.join(' ')\")"],
          "cflags": ["-mavx2", "-mfma", "-fPIC"],
        },
        {
          "target_name": "myelin_avx512",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').avx512.join(' ')\")"],
          "cflags": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx2", "-mfma", "-fPIC", "-Wno-maybe-uninitialized"],
        },
        {
          "target_name": "myelin_avx2vnni",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').avx2vnni.join(' ')\")"],
          "cflags": ["-mavx2", "-mfma", "-mavxvnni", "-fPIC"],
        },
        {
          "target_name": "myelin_avx512bf16",
          "type": "static_library",
          "sources": ["<!@(node -p \"require('./native/sources.json').avx512bf16.join(' ')\")"],
          "cflags": ["-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512bf16", "-mavx512vnni", "-mavx2", "-mfma", "-fPIC", "-Wno-maybe-uninitialized"],
        },
      ],
    }],
  ],
}
