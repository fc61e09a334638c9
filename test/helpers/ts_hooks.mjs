// Module hooks for ts_loader.mjs (they run on node's loader thread). Transpiled output is cached
// in the OS temp directory by a hash of the source, so repeated child processes start fast and
// load the TypeScript compiler only when a file changed.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = join(tmpdir(), 'myelin-ts-cache');
let ts = null;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relative = specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (relative && specifier.endsWith('.js')) return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    throw err;
  }
}

async function transpile(fileName, source) {
  ts ??= (await import('typescript')).default;
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: false,
      inlineSourceMap: true,
    },
  }).outputText;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = await readFile(fileName, 'utf8');
  const cached = join(
    cacheDir,
    `${createHash('sha256').update(fileName).update('\0').update(source).digest('hex')}.js`,
  );
  let output;
  try {
    output = await readFile(cached, 'utf8');
  } catch {
    output = await transpile(fileName, source);
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    await writeFile(tmp, output);
    await rename(tmp, cached);
  }
  return { format: 'module', source: output, shortCircuit: true };
}
