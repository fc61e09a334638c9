// Lets a plain `node` child process run the TypeScript sources (tests that spawn processes):
//   node --import ./test/helpers/ts_loader.mjs some_script.ts
// Each .ts file is transpiled on load with TypeScript's transpileModule (no type checking), and
// relative './x.js' imports resolve to './x.ts' when only the .ts file exists.
import { register } from 'node:module';

register('./ts_hooks.mjs', import.meta.url);
