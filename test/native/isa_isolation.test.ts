// The "Illegal instruction" guard. The addon must run on any x86-64 CPU, so AVX code may live
// only in the per-ISA static libraries, and the linker must have no way to pick a wide copy of a
// function for baseline code: an inline or template function with external linkage compiled in
// both an ISA file and a baseline file is a weak symbol, and the linker keeps whichever copy it
// sees first. So, in the build the tests load:
//   - each ISA library defines no weak symbols at all, and no global symbol but myelin::fill_*;
//   - no baseline object (core + binding) contains an instruction on a ymm or zmm register.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonPath, repoRoot } from '../helpers/addon_path.js';

interface BuildLayout {
  kind: string;
  isaLibs: string[];
  baselineObjects: string[];
}

function objectsUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.o'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Where the build that produced `addon` keeps its ISA libraries and baseline objects. */
function layoutOf(addon: string): BuildLayout {
  let releaseDir = path.dirname(addon);
  // A prebuild (prebuilds/<platform>-<arch>/, what node-gyp-build loads when there is no
  // build/Release) is a copy: `npm run prebuilds` (scripts/prebuilds/build.mjs) compiled it in
  // build-prebuilds/<platform>-<arch>/src/, where its objects stay.
  const prebuilds = path.join(repoRoot, 'prebuilds') + path.sep;
  if (path.resolve(addon).startsWith(prebuilds)) {
    const tuple = path.relative(prebuilds, releaseDir);
    releaseDir = path.join(repoRoot, 'build-prebuilds', tuple, 'src', 'build', 'Release');
    if (!fs.existsSync(releaseDir)) {
      throw new Error(
        `${addon} is a prebuild whose build tree (${releaseDir}) is not here: run \`npm run prebuilds -- ${tuple}\` to rebuild it, or point MYELIN_ADDON at a node-gyp or cmake-js build`,
      );
    }
  }
  const cmakeRoot = path.dirname(releaseDir);
  if (fs.existsSync(path.join(cmakeRoot, 'CMakeCache.txt'))) {
    return {
      kind: `cmake build ${cmakeRoot}`,
      isaLibs: ['libmyelin_avx2.a', 'libmyelin_avx512.a', 'libmyelin_avx2vnni.a', 'libmyelin_avx512bf16.a'].map((f) =>
        path.join(cmakeRoot, f),
      ),
      baselineObjects: [
        ...objectsUnder(path.join(cmakeRoot, 'CMakeFiles', 'myelin_core.dir')),
        ...objectsUnder(path.join(cmakeRoot, 'CMakeFiles', 'myelin.dir')),
      ],
    };
  }
  return {
    kind: `node-gyp build ${releaseDir}`,
    isaLibs: ['myelin_avx2.a', 'myelin_avx512.a', 'myelin_avx2vnni.a', 'myelin_avx512bf16.a'].map((f) =>
      path.join(releaseDir, f),
    ),
    baselineObjects: objectsUnder(path.join(releaseDir, 'obj.target', 'myelin')),
  };
}

function tool(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.error?.message ?? r.stderr}`);
  return r.stdout;
}

/** What makes an ISA library unsafe to link: weak symbols, globals other than fill_*. */
function isaLibViolations(archive: string): { violations: string[]; fills: string[] } {
  const violations: string[] = [];
  const fills: string[] = [];
  let member = archive;
  for (const line of tool('nm', ['-C', archive]).split('\n')) {
    const header = /^(.+\.o):$/.exec(line);
    if (header) member = header[1];
    const m = /^[0-9a-f]*\s+([A-Za-z])\s+(.+)$/.exec(line);
    if (!m) continue;
    const [, type, name] = m;
    if ('WwVvu'.includes(type)) violations.push(`${member}: weak/unique symbol (${type}) ${name}`);
    else if (type === 'U') continue;
    else if (type === type.toUpperCase()) {
      if (type === 'T' && /^myelin::fill_\w+\(/.test(name)) fills.push(name);
      else violations.push(`${member}: global symbol (${type}) ${name} (only myelin::fill_* may be global)`);
    }
  }
  return { violations, fills };
}

/** Functions in these objects that touch a ymm or zmm register ("file: function"). */
function wideRegisterUsers(objects: string[]): string[] {
  const users = new Set<string>();
  let file = '';
  let fn = '';
  for (const line of tool('objdump', ['-d', '-C', '--no-show-raw-insn', ...objects]).split('\n')) {
    const header = /^(\S.*):\s+file format/.exec(line);
    if (header) file = header[1];
    const label = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (label) fn = label[1];
    else if (/%[yz]mm\d/.test(line)) users.add(`${path.basename(file)}: ${fn}`);
  }
  return [...users];
}

describe.runIf(process.arch === 'x64')('ISA isolation of the build the tests load', () => {
  const addon = addonPath();
  const layout = layoutOf(addon);

  it('each ISA library exists, exports only myelin::fill_* and has no weak symbols', () => {
    for (const lib of layout.isaLibs) {
      if (!fs.existsSync(lib)) {
        throw new Error(
          `${lib} not found: the addon ${addon} was not built next to its ISA libraries (${layout.kind}); build with node-gyp or cmake-js (or point MYELIN_ADDON at such a build) to run this check`,
        );
      }
      const { violations, fills } = isaLibViolations(lib);
      expect(violations, `${lib}:\n${violations.join('\n')}`).toEqual([]);
      expect(fills.length, `${lib} defines no myelin::fill_* function`).toBeGreaterThan(0);
    }
  });

  it('no baseline object uses a ymm or zmm register, while the ISA libraries do', () => {
    expect(layout.baselineObjects.length, `no baseline objects found for ${layout.kind}`).toBeGreaterThan(0);
    const names = layout.baselineObjects.map((o) => path.basename(o));
    expect(names.some((n) => n.startsWith('threadpool'))).toBe(true);
    expect(names.some((n) => n.startsWith('addon'))).toBe(true);
    const offenders = wideRegisterUsers(layout.baselineObjects);
    expect(offenders, `AVX code in baseline objects:\n${offenders.join('\n')}`).toEqual([]);
    // The detector itself sees wide registers where they belong.
    for (const lib of layout.isaLibs) expect(wideRegisterUsers([lib]).length, lib).toBeGreaterThan(0);
  });

  it('the checks catch a leaked inline function, a stray global and baseline AVX code', () => {
    // What a careless ISA file looks like: an inline helper and a template with external
    // linkage (weak), a global non-fill function, and wide-register code.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-isa-check-'));
    try {
      const src = path.join(dir, 'bad_avx2.cpp');
      fs.writeFileSync(
        src,
        `
        #include <immintrin.h>
        namespace myelin {
        inline __m256 twice(__m256 x) { return _mm256_add_ps(x, x); }
        template <class T> T square(T x) { return x * x; }
        float leaked(const float* p) { return _mm256_cvtss_f32(twice(_mm256_loadu_ps(p))) + square(p[0]); }
        void fill_bad_avx2(float* p) { p[0] = leaked(p); }
        }
      `,
      );
      const obj = path.join(dir, 'bad_avx2.o');
      const lib = path.join(dir, 'libbad.a');
      tool(process.env.CXX && process.env.CXX !== 'false' ? process.env.CXX : 'c++', [
        '-std=c++17',
        '-O0',
        '-mavx2',
        '-c',
        src,
        '-o',
        obj,
      ]);
      tool('ar', ['rcs', lib, obj]);
      const { violations, fills } = isaLibViolations(lib);
      expect(fills).toEqual(['myelin::fill_bad_avx2(float*)']);
      expect(violations.some((v) => v.includes('(W)') && v.includes('myelin::twice'))).toBe(true);
      expect(violations.some((v) => v.includes('(W)') && v.includes('myelin::square<float>'))).toBe(true);
      expect(violations.some((v) => v.includes('(T)') && v.includes('myelin::leaked'))).toBe(true);
      expect(wideRegisterUsers([obj])).toContain('bad_avx2.o: myelin::twice(float __vector(8))');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
