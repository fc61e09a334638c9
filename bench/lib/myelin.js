// The public API, from the compiled TypeScript in dist/ (`npm run build` first).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/index.js');
if (!fs.existsSync(dist)) throw new Error('bench: dist/index.js is missing: run `npm run build` first');
export const myelin = await import(pathToFileURL(dist).href);
