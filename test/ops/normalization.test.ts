// lib/ops/normalization.ts: its ops through the op harness (declarations in test/ops/declarations/normalization.ts).
import { describeOps } from '../helpers/opinfo.js';
import { normalizationOps } from './declarations/normalization.js';

describeOps(normalizationOps);
