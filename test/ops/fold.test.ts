// lib/ops/fold.ts: its ops through the op harness (declarations in test/ops/declarations/fold.ts).
import { describeOps } from '../helpers/opinfo.js';
import { foldOps } from './declarations/fold.js';

describeOps(foldOps);
