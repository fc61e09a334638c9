// The portability check the release binaries must pass (scripts/prebuilds/check_binary.mjs)
// catches what makes a binary unportable: built here the ordinary way, a module needs the shared
// libstdc++ and a glibc symbol newer than the floor, and exports more than its entry points.
// Linked against the floor's glibc stand-ins, a function the floor lacks stays unbound.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/addon_path.js';

const checker = path.join(repoRoot, 'scripts', 'prebuilds', 'check_binary.mjs');
const cxx = process.env.CXX && process.env.CXX !== 'false' ? process.env.CXX : 'c++';

// A Node-API module's shape: the entry point, some C++ runtime, and arc4random (glibc 2.36).
const source = `
#include <stdlib.h>
#include <string>
extern "C" __attribute__((visibility("default"))) void* napi_register_module_v1(void*, void*);
std::string greeting(int n) { return std::string(n, 'x') + std::to_string(arc4random()); }
void* napi_register_module_v1(void* env, void* exports) { return greeting(3).size() ? exports : env; }
`;

let dir = '';

function check(file: string): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [checker, '--glibc-floor', '2.28', file], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function compile(out: string, extra: string[]): void {
  const src = path.join(dir, 'mod.cpp');
  fs.writeFileSync(src, source);
  const r = spawnSync(cxx, ['-std=c++17', '-O1', '-fPIC', '-shared', src, '-o', out, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cxx} failed: ${r.stderr}`);
}

describe.runIf(process.platform === 'linux')('check_binary.mjs', () => {
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-check-'));
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fails a module that needs the shared libstdc++ and a glibc newer than the floor', () => {
    const file = path.join(dir, 'plain.node');
    compile(file, []);
    const { status, out } = check(file);
    expect(status, out).toBe(1);
    expect(out).toContain('needs shared library libstdc++.so.6');
    expect(out).toMatch(/needs GLIBCXX_3\.4\S* from libstdc\+\+\.so\.6: libstdc\+\+\/libgcc must be linked statically/);
    expect(out).toContain('needs GLIBC_2.36 from libc.so.6, newer than the floor GLIBC_2.28');
    expect(out).toMatch(/exports \d+ symbols besides the module entry points/);
  });

  it('fails a module linked against the floor whose function the floor lacks', async () => {
    const { makeGlibcStubs } = (await import(path.join(repoRoot, 'scripts/prebuilds/glibc_stubs.mjs'))) as {
      makeGlibcStubs(o: { arch: string; floor: string; cc: string; outDir: string }): string;
    };
    const stubs = makeGlibcStubs({ arch: process.arch, floor: '2.28', cc: 'cc', outDir: path.join(dir, 'stubs') });
    const file = path.join(dir, 'floored.node');
    compile(file, [`-L${stubs}`, '-static-libstdc++', '-static-libgcc']);
    const { status, out } = check(file);
    expect(status, out).toBe(1);
    expect(out).toContain('undefined symbol arc4random is bound to no library');
    expect(out).not.toContain('libstdc++.so.6');
    expect(out).not.toMatch(/needs GLIBC_2\.(29|[3-9]\d)/);
  });
});
