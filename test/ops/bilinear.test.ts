// lib/ops/bilinear.ts: its ops through the op harness (declarations in test/ops/declarations/bilinear.ts).
import { describeOps } from '../helpers/opinfo.js';
import { bilinearOps } from './declarations/bilinear.js';

describeOps(bilinearOps);
