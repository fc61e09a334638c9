// lib/ops/interpolate.ts: its ops through the op harness (declarations in test/ops/declarations/interpolate.ts).
import { describeOps } from '../helpers/opinfo.js';
import { interpolateOps } from './declarations/interpolate.js';

describeOps(interpolateOps);
