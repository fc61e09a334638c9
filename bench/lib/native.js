// The binding, from the compiled TypeScript in dist/ (so MYELIN_ADDON works as in lib/).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.join(root, 'dist', 'native.js');
const source = path.join(root, 'lib', 'native.ts');
const rebuild = 'run `npm run build` (or just `npx tsc -p tsconfig.build.json`) first';
if (!fs.existsSync(dist)) throw new Error(`bench: dist/native.js is missing: ${rebuild}`);
if (fs.existsSync(source) && fs.statSync(source).mtimeMs > fs.statSync(dist).mtimeMs) {
  throw new Error(`bench: dist/native.js is older than lib/native.ts: ${rebuild}`);
}
const mod = await import(pathToFileURL(dist).href);
export const { native, BinaryOp, UnaryOp, ReduceOp } = mod;
