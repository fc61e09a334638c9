// Prints the directory of a Gloo shared library the distributed module can link for the target
// architecture (argv[2]: node-gyp's target_arch, or CMake's processor name), or nothing when
// there is none: binding.gyp and CMakeLists.txt then build the core addon alone.
//   MYELIN_GLOO_PREFIX=/opt/gloo   a Gloo installed elsewhere (include/ and lib/ below it)
// Debian/Ubuntu: `apt-get install libgloo-dev` (headers and libgloo.so in /usr).
import fs from 'node:fs';
import path from 'node:path';

const arch = process.argv[2] ?? process.arch;
// ELF e_machine of each architecture (a library for another one cannot be linked).
const machines = { x64: 62, x86_64: 62, amd64: 62, arm64: 183, aarch64: 183 };
const want = machines[arch];
const prefix = process.env.MYELIN_GLOO_PREFIX || '/usr';
const multiarch = { 62: 'x86_64-linux-gnu', 183: 'aarch64-linux-gnu' }[want];
const dirs = [path.join(prefix, 'lib'), multiarch && path.join(prefix, 'lib', multiarch), path.join(prefix, 'lib64')];

function elfMachine(file) {
  try {
    const fd = fs.openSync(fs.realpathSync(file), 'r');
    const head = Buffer.alloc(20);
    fs.readSync(fd, head, 0, 20, 0);
    fs.closeSync(fd);
    if (head.readUInt32BE(0) !== 0x7f454c46) return -1;
    return head.readUInt16LE(18);
  } catch {
    return -1;
  }
}

if (want && fs.existsSync(path.join(prefix, 'include', 'gloo', 'allreduce.h'))) {
  const dir = dirs.find((d) => d && elfMachine(path.join(d, 'libgloo.so')) === want);
  if (dir) process.stdout.write(dir);
}
