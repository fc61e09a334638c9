// lib/ops/pad.ts: its ops through the op harness (declarations in test/ops/declarations/pad.ts).
import { describeOps } from '../helpers/opinfo.js';
import { padOps } from './declarations/pad.js';

describeOps(padOps);
