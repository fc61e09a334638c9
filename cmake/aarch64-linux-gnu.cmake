# Cross-compiling the core and the native tests for arm64 Linux from an x86-64 host (Debian or
# Ubuntu: apt-get install g++-aarch64-linux-gnu qemu-user). Used by scripts/test_neon.sh:
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# Test executables run through qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR). The Node addon is
# not built this way (cmake-js is not involved, so CMAKE_JS_INC is unset).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(MYELIN_CROSS_PREFIX aarch64-linux-gnu CACHE STRING "GNU triplet of the cross toolchain")
set(CMAKE_C_COMPILER ${MYELIN_CROSS_PREFIX}-gcc)
set(CMAKE_CXX_COMPILER ${MYELIN_CROSS_PREFIX}-g++)

# The target's libraries and headers only (the multiarch sysroot Debian's cross packages use).
set(CMAKE_FIND_ROOT_PATH /usr/${MYELIN_CROSS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/${MYELIN_CROSS_PREFIX})
