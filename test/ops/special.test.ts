// lib/ops/special.ts: its ops through the op harness (declarations in test/ops/declarations/special.ts).
import { describeOps } from '../helpers/opinfo.js';
import { specialOps } from './declarations/special.js';

describeOps(specialOps);
