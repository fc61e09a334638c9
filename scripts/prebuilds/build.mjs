#!/usr/bin/env node
// Builds the prebuilt binaries: every native module binding.gyp defines, for every target, into
// prebuilds/<platform>-<arch>/, then checks each file (check_binary.mjs). From one x86-64 Debian
// machine:
//   npm run prebuilds                      every target
//   npm run prebuilds -- linux-arm64       some of them
//   npm run prebuilds -- --if-stale        skip targets whose sources did not change
//   npm run prebuilds -- --is-current      build nothing; exit 1 if a target is not current
// Each target is built by node-gyp in its own copy of the sources under build-prebuilds/<target>/
// (the repository's build/ is never touched), so its objects stay there for the ISA isolation
// test and the next incremental build.
//
// Linux (x64 natively, arm64 with Debian's g++-aarch64-linux-gnu): the core addon must load on
// glibc >= GLIBC_FLOOR and need nothing else. build.mjs hands node-gyp three variables, and
// binding.gyp's glibc_floor conditions turn them into the release flags:
//   - every module links against glibc stand-ins carrying only the floor's symbols
//     (glibc_stubs.mjs), and exports only Node-API's entry points;
//   - the core links libstdc++ and libgcc statically, their symbols kept private;
//   - the C++ unwinder (libgcc_eh.a) comes from Debian's GCC 11 package: GCC 12's calls
//     _dl_find_object, a glibc 2.35 function; GCC 11's walks the loaded objects with
//     dl_iterate_phdr (any glibc) and serves GCC 12's code the same way (the unwinder's
//     interface has not changed since GCC 3).
// Every module goes to prebuilds/<target>/ (targets.mjs: prebuildPath), and each file must pass
// check_binary.mjs, or it is removed and the build fails.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkFile } from './check_binary.mjs';
import { makeGlibcStubs } from './glibc_stubs.mjs';
import { GLIBC_FLOOR, prebuildPath, repoRoot, TARGETS, workRoot } from './targets.mjs';

function log(msg) {
  console.log(`prebuilds: ${msg}`);
}

function fail(msg) {
  console.error(`prebuilds: ${msg}`);
  process.exit(1);
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error || r.status !== 0)
    fail(`\`${cmd} ${args.join(' ')}\` failed (${r.error?.message ?? `exit ${r.status}`})`);
}

/** The files a target's binaries are built from: a change to any rebuilds it under --if-stale. */
function sourceFiles() {
  const files = [
    'binding.gyp',
    'package.json',
    'CMakeLists.txt',
    'scripts/prebuilds/build.mjs',
    'scripts/prebuilds/glibc_stubs.mjs',
    'scripts/prebuilds/targets.mjs',
  ];
  for (const dir of ['native', 'cmake']) {
    for (const f of fs.readdirSync(path.join(repoRoot, dir), { recursive: true })) {
      const rel = path.join(dir, f);
      if (fs.statSync(path.join(repoRoot, rel)).isFile()) files.push(rel);
    }
  }
  return files.sort();
}

function sourceHash(target) {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({ target, floor: GLIBC_FLOOR }));
  for (const f of sourceFiles()) h.update(f).update(fs.readFileSync(path.join(repoRoot, f)));
  return h.digest('hex');
}

/** Copies what node-gyp needs into the target's own tree, keeping unchanged files' mtimes. */
function stageSources(dir) {
  fs.mkdirSync(dir, { recursive: true });
  // What the package's source build uses: binding.gyp and the files it reads.
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const scripts = pkg.files.filter((f) => f.startsWith('scripts/'));
  for (const entry of ['binding.gyp', 'package.json', 'native', ...scripts]) {
    fs.mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
    fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), {
      recursive: true,
      preserveTimestamps: true,
      filter: (src) => {
        if (fs.statSync(src).isDirectory()) return true;
        const dest = path.join(dir, path.relative(repoRoot, src));
        return !fs.existsSync(dest) || !fs.readFileSync(dest).equals(fs.readFileSync(src));
      },
    });
  }
  // Files gone from the repository go from the copy too.
  for (const entry of ['native']) {
    for (const f of fs.readdirSync(path.join(dir, entry), { recursive: true })) {
      const rel = path.join(entry, f);
      if (!fs.existsSync(path.join(repoRoot, rel))) fs.rmSync(path.join(dir, rel), { recursive: true, force: true });
    }
  }
  const nm = path.join(dir, 'node_modules');
  if (!fs.existsSync(nm)) fs.symlinkSync(path.join(repoRoot, 'node_modules'), nm);
}

/** GCC 11's unwinder, from Debian's package (downloaded once with apt, not installed). */
function unwinderDir(t) {
  const dir = path.join(workRoot, 'toolchain', t.unwinderPackage);
  const lib = path.join(dir, 'lib', 'libgcc_eh.a');
  if (fs.existsSync(lib)) return path.dirname(lib);
  // The package installed (apt-get install libgcc-11-dev...) serves as well; the folder given
  // to the linker holds the unwinder alone (not GCC 11's libgcc.a beside it).
  const installed = path.join('/', t.unwinderPath);
  if (fs.existsSync(installed)) {
    fs.mkdirSync(path.dirname(lib), { recursive: true });
    fs.copyFileSync(installed, lib);
    return path.dirname(lib);
  }
  const tmp = path.join(workRoot, 'toolchain', 'download');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const r = spawnSync('apt-get', ['download', t.unwinderPackage], { cwd: tmp, encoding: 'utf8' });
  const deb = r.status === 0 ? fs.readdirSync(tmp).find((f) => f.endsWith('.deb')) : undefined;
  if (!deb) {
    fail(
      `cannot download Debian's ${t.unwinderPackage} (the C++ unwinder the portable build links): ` +
        `run \`apt-get update\` (Debian/Ubuntu), or apt-get install ${t.unwinderPackage}\n${r.stderr ?? ''}`,
    );
  }
  execFileSync('dpkg-deb', ['-x', path.join(tmp, deb), path.join(tmp, 'x')]);
  fs.mkdirSync(path.dirname(lib), { recursive: true });
  fs.copyFileSync(path.join(tmp, 'x', t.unwinderPath), lib);
  fs.rmSync(tmp, { recursive: true, force: true });
  return path.dirname(lib);
}

function nodeDir() {
  // The running node's own headers (node_api.h is the same for every Node-API 8 runtime), so
  // node-gyp downloads nothing.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function buildLinux(name, t) {
  for (const tool of [t.cc, t.cxx, t.ar, t.strip, 'make', 'readelf', 'dpkg-deb']) {
    if (!have(tool)) fail(`${name}: ${tool} not found (Debian/Ubuntu: apt-get install ${t.apt[0]} make binutils)`);
  }
  const dir = path.join(workRoot, name);
  const src = path.join(dir, 'src');
  const stubs = makeGlibcStubs({ arch: t.arch, floor: GLIBC_FLOOR, cc: t.cc, outDir: path.join(dir, 'glibc-stubs') });
  const eh = unwinderDir(t);
  stageSources(src);
  const [major, minor] = GLIBC_FLOOR.split('.').map(Number);
  // binding.gyp turns these into the release flags (its glibc_floor condition).
  const gypVars = [`-Dglibc_floor=${major * 100 + minor}`, `-Dglibc_stubs=${stubs}`, `-Dunwinder_dir=${eh}`];
  const env = { ...process.env, CC: t.cc, CXX: t.cxx, LINK: t.cxx, AR: t.ar };
  const gyp = path.join(repoRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const common = [`--arch=${t.arch}`, '--release'];
  const nd = nodeDir();
  if (nd) common.push(`--nodedir=${nd}`);
  log(`${name}: node-gyp (${t.cxx}, glibc floor ${GLIBC_FLOOR}) in ${path.relative(repoRoot, src)}`);
  run(process.execPath, [gyp, 'configure', ...common, '--', ...gypVars], { cwd: src, env });
  run(process.execPath, [gyp, 'build', ...common, `--jobs=${os.availableParallelism()}`], {
    cwd: src,
    env,
  });
  const release = path.join(src, 'build', 'Release');
  const modules = fs.readdirSync(release).filter((f) => f.endsWith('.node'));
  if (modules.length === 0) fail(`${name}: node-gyp built no .node file`);
  const out = path.join(repoRoot, 'prebuilds', name);
  fs.rmSync(out, { recursive: true, force: true });
  const outputs = [];
  for (const m of modules) {
    const dest = path.join(out, prebuildPath(name, path.basename(m, '.node')));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(path.join(release, m), dest);
    run(t.strip, ['--strip-all', dest]);
    outputs.push(dest);
  }
  return outputs;
}

function main() {
  const args = process.argv.slice(2);
  const ifStale = args.includes('--if-stale');
  const isCurrent = args.includes('--is-current');
  const names = args.filter((a) => !a.startsWith('--'));
  const targets = names.length > 0 ? names : Object.keys(TARGETS);
  for (const n of targets) if (!TARGETS[n]) fail(`unknown target '${n}' (targets: ${Object.keys(TARGETS).join(', ')})`);
  let failed = false;
  for (const name of targets) {
    const stampFile = path.join(workRoot, name, 'stamp.json');
    const hash = sourceHash(name);
    const stamp = fs.existsSync(stampFile) ? JSON.parse(fs.readFileSync(stampFile, 'utf8')) : undefined;
    const current = stamp?.hash === hash && stamp.outputs.every((f) => fs.existsSync(path.join(repoRoot, f)));
    if (isCurrent) {
      // Only tells (exit status) whether the target's prebuilds are built from these sources.
      if (!current) failed = true;
      continue;
    }
    if (ifStale && current) {
      log(`${name}: up to date (${stamp.outputs.join(', ')})`);
      continue;
    }
    const started = Date.now();
    const outputs = buildLinux(name, TARGETS[name]);
    for (const f of outputs) {
      const { problems, summary } = checkFile(f, GLIBC_FLOOR);
      log(`${problems.length ? 'FAIL' : 'ok'} ${path.relative(repoRoot, f)}: ${summary}`);
      for (const p of problems) console.error(`    ${p}`);
      if (problems.length > 0) {
        failed = true;
        fs.rmSync(f);
      }
    }
    if (!failed) {
      const rel = outputs.map((f) => path.relative(repoRoot, f));
      fs.writeFileSync(stampFile, JSON.stringify({ hash, outputs: rel }, null, 2));
      log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  if (isCurrent) process.exit(failed ? 1 : 0);
  if (failed) fail('a binary failed its portability check (above); it was removed from prebuilds/');
}

main();
