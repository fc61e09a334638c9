// lib/ops/compare.ts: its ops through the op harness (declarations in test/ops/declarations/compare.ts).
import { describeOps } from '../helpers/opinfo.js';
import { compareOps } from './declarations/compare.js';

describeOps(compareOps);
