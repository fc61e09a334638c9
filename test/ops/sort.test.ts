// lib/ops/sort.ts: its ops through the op harness (declarations in test/ops/declarations/sort.ts).
import { describeOps } from '../helpers/opinfo.js';
import { sortOps } from './declarations/sort.js';

describeOps(sortOps);
