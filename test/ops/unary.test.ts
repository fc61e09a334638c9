// lib/ops/unary.ts: its ops through the op harness (declarations in test/ops/declarations/unary.ts).
import { describeOps } from '../helpers/opinfo.js';
import { unaryOps } from './declarations/unary.js';

describeOps(unaryOps);
