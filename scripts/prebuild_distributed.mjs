// After prebuildify (which ships one .node per platform): copies the distributed module that
// the same node-gyp build made (build/Release/myelin_distributed.node) to
// prebuilds/<platform>-<arch>/distributed/, stripped. A sub-folder, so node-gyp-build never
// mistakes it for the core addon; lib/distributed/native.ts loads it from there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'build', 'Release', 'myelin_distributed.node');
const arch = process.env.PREBUILD_ARCH || process.arch;
const dir = path.join(root, 'prebuilds', `${process.platform}-${arch}`, 'distributed');
if (!fs.existsSync(built)) {
  console.log(
    'prebuild: no distributed module was built (Gloo not found: apt-get install libgloo-dev); the prebuilds ship without it',
  );
  process.exit(0);
}
fs.mkdirSync(dir, { recursive: true });
const target = path.join(dir, 'myelin_distributed.node');
fs.copyFileSync(built, target);
try {
  execFileSync(process.env.STRIP || 'strip', ['--strip-all', target]);
} catch (e) {
  console.log(`prebuild: could not strip ${target}: ${e.message}`);
}
console.log(`prebuild: ${path.relative(root, target)}`);
