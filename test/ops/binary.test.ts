// lib/ops/binary.ts: its ops through the op harness (declarations in test/ops/declarations/binary.ts).
import { describeOps } from '../helpers/opinfo.js';
import { binaryOps } from './declarations/binary.js';

describeOps(binaryOps);
