// lib/ops/dropout.ts: its ops through the op harness (declarations in test/ops/declarations/dropout.ts).
import { describeOps } from '../helpers/opinfo.js';
import { dropoutOps } from './declarations/dropout.js';

describeOps(dropoutOps);
