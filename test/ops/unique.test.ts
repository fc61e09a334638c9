// lib/ops/unique.ts: its ops through the op harness (declarations in test/ops/declarations/unique.ts).
import { describeOps } from '../helpers/opinfo.js';
import { uniqueOps } from './declarations/unique.js';

describeOps(uniqueOps);
