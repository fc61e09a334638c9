// lib/ops/loss.ts: its ops through the op harness (declarations in test/ops/declarations/loss.ts).
import { describeOps } from '../helpers/opinfo.js';
import { lossOps } from './declarations/loss.js';

describeOps(lossOps);
