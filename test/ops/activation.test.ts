// lib/ops/activation.ts: its ops through the op harness (declarations in test/ops/declarations/activation.ts).
import { describeOps } from '../helpers/opinfo.js';
import { activationOps } from './declarations/activation.js';

describeOps(activationOps);
