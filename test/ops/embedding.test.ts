// lib/ops/embedding.ts: its ops through the op harness (declarations in test/ops/declarations/embedding.ts).
import { describeOps } from '../helpers/opinfo.js';
import { embeddingOps } from './declarations/embedding.js';

describeOps(embeddingOps);
