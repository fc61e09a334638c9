// lib/ops/attention.ts: its ops through the op harness (declarations in test/ops/declarations/attention.ts).
import { describeOps } from '../helpers/opinfo.js';
import { attentionOps } from './declarations/attention.js';

describeOps(attentionOps);
