// lib/ops/softmax.ts: its ops through the op harness (declarations in test/ops/declarations/softmax.ts).
import { describeOps } from '../helpers/opinfo.js';
import { softmaxOps } from './declarations/softmax.js';

describeOps(softmaxOps);
