// lib/ops/rounding.ts: its ops through the op harness (declarations in test/ops/declarations/rounding.ts).
import { describeOps } from '../helpers/opinfo.js';
import { roundingOps } from './declarations/rounding.js';

describeOps(roundingOps);
