// The .node file the tests load, resolved the way lib/native.ts resolves it (MYELIN_ADDON, else
// node-gyp-build: build/Release, then prebuilds/), for tests that load it in workers or child
// processes, which cannot import lib/*.ts.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function addonPath(): string {
  const override = process.env.MYELIN_ADDON;
  if (override) return path.resolve(override);
  const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
  return nodeGypBuild.resolve(repoRoot);
}
