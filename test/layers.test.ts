// lib's layers import only downward: the core files (tensor, shape, dtype, native...) import no
// layer above them; lib/raw (unrecorded kernel callers and strided access) builds on the core
// alone; lib/autograd on the core and lib/raw; recorded ops and everything else sit above. A
// type-only import carries no code, so it is allowed in any direction (a tensor's gradFn has
// autograd's Node type).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, 'lib');

/** The layer of a lib file (path relative to lib/, with '/'): higher layers may import lower ones. */
function layerOf(file: string): number {
  if (file.startsWith('raw/')) return 1;
  if (file.startsWith('autograd/')) return 2;
  // Top-level files are the core, except the two that build on ops: the package's entry
  // point and the random tensor constructors (randn, randint...).
  if (!file.includes('/') && file !== 'index.ts' && file !== 'random_tensors.ts') return 0;
  return 3;
}
const layerNames = ['the core', 'lib/raw', 'lib/autograd', 'ops and above'];

function libFiles(dir = lib): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The lib files a file imports at run time (import/export ... from, not import type). */
function valueImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?([^;]*?)\s*from\s+'(\.[^']+)'/gms)) {
    if (m[1]) continue;
    // import { type A, type B } carries no code either.
    const names = m[2].replace(/^[{\s]+|[}\s]+$/g, '').split(',');
    if (m[2].trim().startsWith('{') && names.every((n) => /^\s*type\s/.test(n) || n.trim() === '')) continue;
    out.push(path.resolve(path.dirname(file), m[3]).replace(/\.js$/, '.ts'));
  }
  for (const m of source.matchAll(/^import\s+'(\.[^']+)'/gm)) {
    out.push(path.resolve(path.dirname(file), m[1]).replace(/\.js$/, '.ts'));
  }
  return out;
}

describe('lib layers', () => {
  const files = libFiles();
  it('finds the layers', () => {
    const rel = files.map((f) => path.relative(lib, f).split(path.sep).join('/'));
    expect(rel.filter((f) => layerOf(f) === 0)).toContain('tensor.ts');
    expect(rel.filter((f) => layerOf(f) === 1).length).toBeGreaterThan(0);
    expect(rel.filter((f) => layerOf(f) === 2)).toContain('autograd/engine.ts');
  });

  it('the parser sees value imports and skips type-only ones', () => {
    const engine = valueImports(path.join(lib, 'autograd', 'engine.ts')).map((f) => path.relative(lib, f));
    expect(engine).toContain(path.join('raw', 'elementwise.ts'));
    const tensor = valueImports(path.join(lib, 'tensor.ts')).map((f) => path.relative(lib, f));
    expect(tensor).not.toContain(path.join('autograd', 'node.ts'));
  });

  it('every import of the core, lib/raw and lib/autograd points to its own layer or below', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = path.relative(lib, file).split(path.sep).join('/');
      const layer = layerOf(from);
      if (layer === 3) continue;
      for (const target of valueImports(file)) {
        const to = path.relative(lib, target).split(path.sep).join('/');
        if (layerOf(to) > layer)
          upward.push(`${from} (${layerNames[layer]}) imports ${to} (${layerNames[layerOf(to)]})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
