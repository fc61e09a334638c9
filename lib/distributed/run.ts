#!/usr/bin/env node
// The myelin-run command (package.json "bin"): see launcher.ts.
import { main } from './launcher.js';

await main();
