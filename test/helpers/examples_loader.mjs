// Runs the examples (which import '../dist/index.js') against the TypeScript sources, so their
// test needs no build and never sees a stale dist/:
//   node --import ./test/helpers/examples_loader.mjs examples/xor.mjs
import { register } from 'node:module';

register('./ts_hooks.mjs', import.meta.url);
register('./examples_hooks.mjs', import.meta.url);
