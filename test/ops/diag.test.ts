// lib/ops/diag.ts: its ops through the op harness (declarations in test/ops/declarations/diag.ts).
import { describeOps } from '../helpers/opinfo.js';
import { diagOps } from './declarations/diag.js';

describeOps(diagOps);
