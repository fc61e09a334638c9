#!/usr/bin/env node
// npm's prepack step (npm pack, npm publish): a package that cannot ship broken.
//   1. dist/ is compiled afresh from lib/ (nothing stale from an earlier build);
//   2. every prebuild the release promises (targets.mjs) is built if missing or older than its
//      sources (build.mjs --if-stale), and nothing else lies in prebuilds/;
//   3. each binary passes its portability check (check_binary.mjs).
// Any failure stops the pack with the reason. `--no-build` skips step 2's building: it only
// checks that the prebuilds are all there and current (MYELIN_PREPACK_NO_BUILD=1 says the same
// where npm runs this script).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkFile } from './check_binary.mjs';
import { GLIBC_FLOOR, repoRoot, TARGETS, workRoot } from './targets.mjs';

function fail(msg) {
  console.error(`prepack: ${msg}`);
  process.exit(1);
}

function run(cmd, args, what) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.error || r.status !== 0) fail(`${what} failed (${r.error?.message ?? `exit ${r.status}`})`);
}

const noBuild = process.argv.includes('--no-build') || process.env.MYELIN_PREPACK_NO_BUILD === '1';

fs.rmSync(path.join(repoRoot, 'dist'), { recursive: true, force: true });
run(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], 'tsc');

const targets = Object.keys(TARGETS);
if (!noBuild) {
  run(
    process.execPath,
    [path.join(repoRoot, 'scripts/prebuilds/build.mjs'), '--if-stale', ...targets],
    'building the prebuilds (npm run prebuilds)',
  );
}

const problems = [];
const prebuilds = path.join(repoRoot, 'prebuilds');
const present = fs.existsSync(prebuilds) ? fs.readdirSync(prebuilds) : [];
for (const extra of present.filter((d) => !targets.includes(d))) {
  problems.push(`prebuilds/${extra} is no target of this release (targets: ${targets.join(', ')}): remove it`);
}
for (const target of targets) {
  const stampFile = path.join(workRoot, target, 'stamp.json');
  const dir = path.join(prebuilds, target);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.node')) : [];
  if (!files.some((f) => /^myelin\.(glibc\.)?node$/.test(f))) {
    problems.push(`prebuilds/${target} has no core module: run \`npm run prebuilds -- ${target}\``);
    continue;
  }
  // The stamp build.mjs writes names the files it built from the current sources.
  const stamp = fs.existsSync(stampFile) ? JSON.parse(fs.readFileSync(stampFile, 'utf8')) : undefined;
  const built = new Set(stamp?.outputs ?? []);
  for (const f of files) {
    const rel = path.join('prebuilds', target, f);
    if (!built.has(rel)) {
      problems.push(`${rel} was not built from these sources (no current build stamp): run \`npm run prebuilds\``);
      continue;
    }
    const check = checkFile(path.join(dir, f), GLIBC_FLOOR);
    for (const p of check.problems) problems.push(`${rel}: ${p}`);
    if (check.problems.length === 0) console.log(`prepack: ok ${rel}: ${check.summary}`);
  }
  if (noBuild && stamp) {
    // Under --no-build nothing refreshed the stamp: compare it with the sources now.
    const r = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'scripts/prebuilds/build.mjs'), '--is-current', target],
      {
        cwd: repoRoot,
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) problems.push(`prebuilds/${target} is older than its sources: run \`npm run prebuilds\``);
  }
}
if (problems.length > 0) {
  fail(`refusing to pack without the prebuilds this release promises:\n  ${problems.join('\n  ')}`);
}
