'use strict';
// Which machines the package ships a prebuilt native module for, and what a machine without one
// needs to build it from source. Read by the install script (install.cjs), by the loader
// (lib/native.ts) for its error, and by the release scripts (scripts/prebuilds/).

/** The oldest glibc the Linux prebuilds load on (what Node.js 20+'s own Linux builds need). */
const GLIBC_FLOOR = '2.28';

/** platform-arch -> what the prebuild needs beyond the OS and CPU. */
const PREBUILT = {
  'linux-x64': `glibc >= ${GLIBC_FLOOR}`,
  'linux-arm64': `glibc >= ${GLIBC_FLOOR}`,
};

/** 'glibc 2.36', 'musl' or '' (not Linux), from Node's own report. */
function libcOf() {
  if (process.platform !== 'linux') return '';
  const header = process.report?.getReport?.().header ?? {};
  return header.glibcVersionRuntime ? `glibc ${header.glibcVersionRuntime}` : 'musl';
}

/** This machine, as the prebuilds are named: 'linux-x64 (glibc 2.36)'. */
function describeMachine() {
  const libc = libcOf();
  return `${process.platform}-${process.arch}${libc ? ` (${libc})` : ''}`;
}

function buildTools() {
  const libc = libcOf();
  if (process.platform === 'darwin') return ['  macOS: xcode-select --install   (Python 3 comes with it)'];
  if (process.platform === 'win32') {
    return [
      '  Windows: only win32-x64 can be built, and only with MinGW-w64; Visual C++ is not supported',
      '  (the kernels use GCC/Clang vector extensions).',
    ];
  }
  if (libc === 'musl') return ['  Alpine: apk add build-base python3'];
  return [
    '  Debian/Ubuntu: apt-get install g++ make python3',
    '  Fedora/RHEL:   dnf install gcc-c++ make python3',
    '  Alpine:        apk add build-base python3',
  ];
}

/** The help printed when no prebuild fits and no source build is there or could be made. */
function platformHelp(what) {
  const prebuilt = Object.entries(PREBUILT)
    .map(([tuple, needs]) => (needs ? `${tuple} (${needs})` : tuple))
    .join(', ');
  return [
    `myelin: ${what}`,
    `  This machine: ${describeMachine()}, Node.js ${process.versions.node}.`,
    `  Prebuilt binaries ship for: ${prebuilt}.`,
    '  Anywhere else the native module is compiled at install time, which needs Python 3, make and',
    '  a C++17 compiler (GCC >= 9 or Clang >= 10):',
    ...buildTools(),
    '  then run `npm rebuild myelin` in your project.',
  ].join('\n');
}

module.exports = { GLIBC_FLOOR, PREBUILT, libcOf, describeMachine, platformHelp };
