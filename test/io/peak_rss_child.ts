// Child process for hostile_files.test.ts: reads one file with one reader and prints, as JSON,
// the error message (or null) and how far the reader raised the peak RSS (VmHWM), in MiB.
//   node --import ./test/helpers/ts_loader.mjs peak_rss_child.ts readIdx|readSafetensors PATH
import { readFileSync } from 'node:fs';
import { readIdx } from '../../lib/io/idx.js';
import { readSafetensors } from '../../lib/io/safetensors.js';

const [reader, path] = process.argv.slice(2);
const peakMiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
const read = { readIdx, readSafetensors }[reader as 'readIdx' | 'readSafetensors'];
const before = peakMiB();
let message: string | null = null;
try {
  read(path);
} catch (e) {
  message = (e as Error).message;
}
process.stdout.write(JSON.stringify({ message, addedMiB: peakMiB() - before }));
