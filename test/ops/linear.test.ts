// lib/ops/linear.ts: its ops through the op harness (declarations in test/ops/declarations/linear.ts).
import { describeOps } from '../helpers/opinfo.js';
import { linearOps } from './declarations/linear.js';

describeOps(linearOps);
