// lib/ops/cast.ts: its ops through the op harness (declarations in test/ops/declarations/cast.ts).
import { describeOps } from '../helpers/opinfo.js';
import { castOps } from './declarations/cast.js';

describeOps(castOps);
