// lib/ops/reduce_stats.ts: its ops through the op harness (declarations in test/ops/declarations/reduce_stats.ts).
import { describeOps } from '../helpers/opinfo.js';
import { reduceStatsOps } from './declarations/reduce_stats.js';

describeOps(reduceStatsOps);
