// lib/ops/join.ts: its ops through the op harness (declarations in test/ops/declarations/join.ts).
import { describeOps } from '../helpers/opinfo.js';
import { joinOps } from './declarations/join.js';

describeOps(joinOps);
