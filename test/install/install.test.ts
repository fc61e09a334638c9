// The install story of a user: the package is built and packed as a release is (`npm run
// prebuilds` for this machine's target, dist/ compiled, `npm pack`), then installed with
// `npm install <tarball>` into an empty project on a machine with no C/C++ compiler (PATH holds only node, npm and sh;
// CC=false CXX=false), once with the install script and once with --ignore-scripts. The package
// must load its prebuild from both require() and import(), compute, and compile nothing.
//
// MYELIN_TEST_TARBALL=path installs that tarball instead of packing one (CI: the release tarball,
// installed by each Node.js version and architecture it ships for, emulated where needed).
//
// Slow (one native compile in a copy of the package): about two minutes. It never touches the
// repo's build/ or prebuilds/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREBUILT } from '../../native/platform.cjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const tuple = `${process.platform}-${process.arch}`;
const givenTarball = process.env.MYELIN_TEST_TARBALL ? path.resolve(process.env.MYELIN_TEST_TARBALL) : '';
const TIMEOUT = 1_200_000;

let tmp = '';
let tarball = '';

/** The parent's environment minus what would steer a child: npm's lifecycle variables (they
 *  name this repo), MYELIN_* (MYELIN_ADDON would load the dev build), NODE_OPTIONS. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keepNpm = /^npm_config_(registry|cache|userconfig|globalconfig|cafile|nodedir|.*proxy)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keepNpm.test(k)) continue;
    if (/^(MYELIN_|VITEST|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$|PREBUILDS_ONLY$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command; returns its stdout, or throws with the tail of stdout + stderr. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.error || r.status !== 0) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` in ${cwd} failed (${r.error?.message ?? `exit ${r.status}`}):\n${output.slice(-6000)}`,
    );
  }
  return r.stdout;
}

function findOnPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  throw new Error(`install test: '${name}' is not on PATH`);
}

/** A bin dir holding only node, npm and sh: no cc, gcc, g++, clang, make or python. */
function compilerFreeBin(): string {
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(findOnPath('npm'), path.join(bin, 'npm'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs lifecycle scripts with `sh`
  return bin;
}

// Run inside the installed project: load the package, compute, and say which .node files this
// process mapped (from /proc/self/maps, so a build/ fallback could not hide).
const checkBody = `
  const fs = require('node:fs');
  const path = require('node:path');
  const info = m.backendInfo();
  const before = m.getNumThreads();
  m.setNumThreads(1);
  const one = m.getNumThreads();
  m.setNumThreads(before);
  // Through the public API (a threaded native add on 128 Ki elements), then the binding itself.
  const n = 1 << 17, a = new Float32Array(n), b = new Float32Array(n), out = new Float32Array(n);
  for (let i = 0; i < n; i++) { a[i] = i * 0.5; b[i] = 1 - i; }
  const sum = m.add(m.tensor(a), m.tensor(b)).data;
  const dir = path.dirname(require.resolve('myelin/package.json'));
  const native = await import(require('node:url').pathToFileURL(path.join(dir, 'dist/native.js')).href);
  native.native.binary(native.BinaryOp.mul, [n], out, 0, [1], a, 0, [1], b, 0, [1]);
  let wrong = sum.length === n ? 0 : n;
  for (let i = 0; i < n; i++) {
    if (sum[i] !== Math.fround(a[i] + b[i])) wrong++;
    if (out[i] !== Math.fround(a[i] * b[i])) wrong++;
  }
  const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
    .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.endsWith('.node')))];
  const resolved = require('node-gyp-build').resolve(dir);
  process.stdout.write(JSON.stringify({ info, one, before, wrong, mapped, resolved, dir }));
`;
const checkCjs = `(async () => { const m = require('myelin');\n${checkBody}\n})().catch((e) => { console.error(e); process.exit(1); });\n`;
const checkMjs = `import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nconst m = await import('myelin');\n${checkBody}\n`;

// A one-rank process group (rendezvous through a file): the distributed module's prebuild loads.
const checkDistMjs = `import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
const m = await import('myelin');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rdv-'));
m.distributed.initProcessGroup({ rank: 0, worldSize: 1, initMethod: 'file://' + path.join(dir, 'f'), timeout: 20000 });
const t = m.tensor([1, 2, 3]);
m.distributed.allReduce(t);
m.distributed.destroyProcessGroup();
fs.rmSync(dir, { recursive: true });
const mapped = [...new Set(fs.readFileSync('/proc/self/maps', 'utf8').split('\\n')
  .map((l) => l.slice(l.indexOf('/'))).filter((p) => p.endsWith('.node')))];
process.stdout.write(JSON.stringify({ sum: [...t.data], mapped }));
`;

interface CheckResult {
  info: {
    version: string;
    isa: string;
    supportedIsas: string[];
    bestIsa: string;
    threads: number;
    napiVersion: number;
  };
  one: number;
  before: number;
  wrong: number;
  mapped: string[];
  resolved: string;
  dir: string;
}

function installAndCheck(name: string, installFlags: string[]): void {
  const app = path.join(tmp, name);
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  fs.writeFileSync(path.join(app, 'check.cjs'), checkCjs);
  fs.writeFileSync(path.join(app, 'check.mjs'), checkMjs);
  const bin = path.join(tmp, 'bin');
  const env = cleanEnv({ PATH: bin, CC: 'false', CXX: 'false' });

  // Make sure the environment really has no compiler or make.
  const probe = spawnSync('/bin/sh', ['-c', 'command -v cc gcc g++ c++ clang make python3 || true'], {
    env,
    encoding: 'utf8',
  });
  expect(probe.stdout.trim(), 'a compiler is reachable from the reduced PATH').toBe('');

  const log = run(
    path.join(bin, 'npm'),
    ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', ...installFlags],
    app,
    env,
  );
  const pkgDir = path.join(app, 'node_modules', packageJson.name);
  expect(
    fs.existsSync(path.join(pkgDir, 'build')),
    `npm install compiled something (node_modules/myelin/build exists):\n${log}`,
  ).toBe(false);
  // The core module's prebuild (other native modules, loaded only when used, may lie beside it).
  const core = fs.readdirSync(path.join(pkgDir, 'prebuilds', tuple)).filter((f) => /^myelin\.(glibc\.)?node$/.test(f));
  expect(core).toHaveLength(1);

  for (const script of ['check.cjs', 'check.mjs']) {
    const out = run(path.join(bin, 'node'), [script], app, env);
    const r = JSON.parse(out) as CheckResult;
    const prebuildDir = path.join(fs.realpathSync(pkgDir), 'prebuilds', tuple) + path.sep;
    expect(r.dir).toBe(pkgDir);
    expect(r.resolved.startsWith(prebuildDir), `${script}: node-gyp-build resolved ${r.resolved}`).toBe(true);
    expect(r.mapped.length, `${script}: mapped ${r.mapped.join(', ')}`).toBe(1);
    expect(fs.realpathSync(r.mapped[0]).startsWith(prebuildDir), `${script}: mapped ${r.mapped[0]}`).toBe(true);
    expect(r.info.version).toBe(packageJson.version);
    expect(r.info.supportedIsas).toContain(r.info.isa);
    expect(r.info.isa).toBe(r.info.bestIsa);
    expect(r.info.napiVersion).toBe(8);
    expect(r.one).toBe(1);
    expect(r.before).toBe(r.info.threads);
    expect(r.wrong).toBe(0);
  }

  // The distributed module, where this machine built one: loaded from its prebuild on first use.
  if (fs.existsSync(path.join(pkgDir, 'prebuilds', tuple, 'distributed', 'myelin_distributed.node'))) {
    fs.writeFileSync(path.join(app, 'check_dist.mjs'), checkDistMjs);
    const d = JSON.parse(run(path.join(bin, 'node'), ['check_dist.mjs'], app, env)) as {
      sum: number[];
      mapped: string[];
    };
    const prebuildDir = path.join(fs.realpathSync(pkgDir), 'prebuilds', tuple) + path.sep;
    expect(d.sum).toEqual([1, 2, 3]);
    const mapped = d.mapped.map((f) => path.relative(prebuildDir, fs.realpathSync(f)));
    const distributed = path.join('distributed', 'myelin_distributed.node');
    expect(mapped).toContain(distributed);
    expect(mapped.filter((f) => f !== distributed)).toEqual([expect.stringMatching(/^[^/]+\.node$/)]);
  }

  // The same prebuild on the portable path: MYELIN_ISA=scalar (what a CPU without AVX runs).
  const scalarEnv = { ...env, MYELIN_ISA: 'scalar' };
  const out = run(path.join(bin, 'node'), ['check.mjs'], app, scalarEnv);
  const r = JSON.parse(out) as CheckResult;
  expect(r.info.isa).toBe('scalar');
  expect(r.wrong).toBe(0);
}

/** What may be in the tarball: what an installed package runs, loads, compiles or reads. */
const SHIPPED = [
  /^(package\.json|README\.md|LICENSE|binding\.gyp|scripts\/find_gloo\.mjs)$/,
  /^native\/(sources\.json|install\.cjs|platform\.cjs)$/,
  /^native\/src\/.+\.(cpp|h|inl)$/,
  /^dist\/.+\.(js|d\.ts)$/,
  /^data\/fashion-mnist-slice\/[^/]+$/,
  /^prebuilds\/[a-z0-9]+-[a-z0-9]+\/([a-z0-9_]+\/)?[^/]+\.node$/,
];

/** A copy of the package's sources, to build and pack in (never the repo itself). */
function copyPackage(dest: string): void {
  fs.mkdirSync(dest);
  for (const entry of [
    'package.json',
    'binding.gyp',
    'CMakeLists.txt',
    'native',
    'lib',
    'data',
    'scripts',
    'cmake',
    'tsconfig.json',
    'tsconfig.build.json',
    'README.md',
    'LICENSE',
  ]) {
    fs.cpSync(path.join(repoRoot, entry), path.join(dest, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dest, 'node_modules'));
  // The toolchain parts build.mjs downloads (Debian's GCC 11 unwinder) are shared with the repo.
  const toolchain = path.join(repoRoot, 'build-prebuilds', 'toolchain');
  fs.mkdirSync(toolchain, { recursive: true });
  fs.mkdirSync(path.join(dest, 'build-prebuilds'));
  fs.symlinkSync(toolchain, path.join(dest, 'build-prebuilds', 'toolchain'));
}

// Packing is what this test does unless it was given a tarball.
if (!givenTarball) {
  describe('packing', () => {
    it(
      'prepack refuses to pack without every prebuild the release promises',
      () => {
        const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-prepack-')));
        try {
          const pkg = path.join(dir, 'pkg');
          copyPackage(pkg);
          const r = spawnSync('npm', ['pack', '--dry-run'], {
            cwd: pkg,
            env: { ...cleanEnv(), MYELIN_PREPACK_NO_BUILD: '1' },
            encoding: 'utf8',
          });
          expect(r.status).not.toBe(0);
          const err = `${r.stdout}${r.stderr}`;
          expect(err).toContain('refusing to pack without the prebuilds this release promises');
          for (const target of Object.keys(PREBUILT)) {
            expect(err).toContain(`prebuilds/${target} has no core module`);
          }
          // dist/ was compiled before the refusal (prepack's first step).
          expect(fs.existsSync(path.join(pkg, 'dist', 'index.js'))).toBe(true);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
      TIMEOUT,
    );
  });
}

describe('install from a packed tarball without a compiler', () => {
  beforeAll(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-install-')));
    if (givenTarball) {
      tarball = givenTarball;
    } else {
      const pkg = path.join(tmp, 'pkg');
      copyPackage(pkg);
      const env = cleanEnv();
      // This machine's prebuild, built as a release builds it (in the copy's build-prebuilds/).
      run(process.execPath, ['scripts/prebuilds/build.mjs', tuple], pkg, env);
      run(
        process.execPath,
        [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        pkg,
        env,
      );
      // --ignore-scripts: prepack would insist on every target's prebuild (tested above).
      const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], pkg, env);
      const manifest = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
      const files = manifest[0].files.map((f) => f.path);
      const core = files.filter(
        (f) => f.startsWith(`prebuilds/${tuple}/`) && f.endsWith('.node') && !f.includes('/distributed/'),
      );
      expect(core).toHaveLength(1);
      // The distributed module ships beside it wherever this build found Gloo.
      const release = path.join(pkg, 'build-prebuilds', tuple, 'src', 'build', 'Release');
      if (fs.existsSync(path.join(release, 'myelin_distributed.node'))) {
        expect(files).toContain(`prebuilds/${tuple}/distributed/myelin_distributed.node`);
      }
      for (const f of [
        'dist/index.js',
        'dist/index.d.ts',
        'binding.gyp',
        'native/sources.json',
        'scripts/find_gloo.mjs',
        'LICENSE',
      ]) {
        expect(files).toContain(f);
      }
      // Nothing an installed package does not use: no build trees, sources maps, TypeScript
      // sources, tests or release scripts.
      const unused = files.filter((f) => !SHIPPED.some((re) => re.test(f)));
      expect(unused, `files in the tarball that an installed package does not use`).toEqual([]);
      tarball = path.join(tmp, manifest[0].filename);
    }
    compilerFreeBin();
  }, TIMEOUT);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it(
    'npm install runs the install script, which loads the prebuild and compiles nothing',
    () => {
      installAndCheck('app-with-scripts', []);
    },
    TIMEOUT,
  );

  it(
    'npm install --ignore-scripts loads the same prebuild',
    () => {
      installAndCheck('app-ignore-scripts', ['--ignore-scripts']);
    },
    TIMEOUT,
  );
});
