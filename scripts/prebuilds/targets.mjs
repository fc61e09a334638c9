// How each prebuilt binary the package ships is made: one folder per platform-arch under
// prebuilds/, holding every native module binding.gyp builds. Which targets ship, and the glibc
// floor, are native/platform.cjs's (the install script reports the same list); README's platform
// table says the same, and prepack refuses to pack without all of them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import platform from '../../native/platform.cjs';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the build trees, glibc stubs and downloaded toolchain parts live (git-ignored). */
export const workRoot = path.join(repoRoot, 'build-prebuilds');

export const GLIBC_FLOOR = platform.GLIBC_FLOOR;

export const TARGETS = {
  'linux-x64': {
    platform: 'linux',
    arch: 'x64',
    cc: 'gcc',
    cxx: 'g++',
    ar: 'ar',
    strip: 'strip',
    // Debian packages: the compiler, and the one where the C++ unwinder comes from (see build.mjs).
    apt: ['g++', 'libgcc-11-dev'],
    unwinderPackage: 'libgcc-11-dev',
    unwinderPath: 'usr/lib/gcc/x86_64-linux-gnu/11/libgcc_eh.a',
  },
  'linux-arm64': {
    platform: 'linux',
    arch: 'arm64',
    cc: 'aarch64-linux-gnu-gcc',
    cxx: 'aarch64-linux-gnu-g++',
    ar: 'aarch64-linux-gnu-ar',
    strip: 'aarch64-linux-gnu-strip',
    apt: ['g++-aarch64-linux-gnu', 'libgcc-11-dev-arm64-cross'],
    unwinderPackage: 'libgcc-11-dev-arm64-cross',
    unwinderPath: 'usr/lib/gcc-cross/aarch64-linux-gnu/11/libgcc_eh.a',
  },
};

const shipped = Object.keys(platform.PREBUILT).sort().join(', ');
if (Object.keys(TARGETS).sort().join(', ') !== shipped) {
  throw new Error(`targets.mjs builds ${Object.keys(TARGETS).join(', ')} but platform.cjs promises ${shipped}`);
}

/**
 * Where a module's prebuild goes in prebuilds/<target>/. The core addon, `myelin`, lies there
 * itself, for node-gyp-build (tagged `glibc` on Linux, so that it is skipped on musl); every
 * other module (`myelin_<name>`, loaded only when used) in a sub-folder `<name>/`, which
 * node-gyp-build never mistakes for the core.
 */
export function prebuildPath(target, moduleName) {
  if (moduleName === 'myelin') return TARGETS[target].platform === 'linux' ? 'myelin.glibc.node' : 'myelin.node';
  const sub = moduleName.replace(/^myelin_/, '');
  return path.join(sub, `${moduleName}.node`);
}
