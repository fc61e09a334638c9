// Every op declaration, by the lib/ops file that defines the op (test/helpers/opinfo.ts runs
// them; test/ops/<file>.test.ts runs each file's).
import type { OpInfo } from '../../helpers/opinfo.js';
import { activationOps } from './activation.js';
import { attentionOps } from './attention.js';
import { bilinearOps } from './bilinear.js';
import { binaryOps } from './binary.js';
import { castOps } from './cast.js';
import { compareOps } from './compare.js';
import { bitwiseOps } from './bitwise.js';
import { divisionOps } from './division.js';
import { convOps } from './conv.js';
import { dropoutOps } from './dropout.js';
import { uniqueOps } from './unique.js';
import { specialOps } from './special.js';
import { roundingOps } from './rounding.js';
import { foldOps } from './fold.js';
import { diagOps } from './diag.js';
import { einsumOps } from './einsum.js';
import { embeddingOps } from './embedding.js';
import { indexingOps } from './indexing.js';
import { interpolateOps } from './interpolate.js';
import { joinOps } from './join.js';
import { linearOps } from './linear.js';
import { lossOps } from './loss.js';
import { matmulOps } from './matmul.js';
import { addmmOps } from './addmm.js';
import { normalizationOps } from './normalization.js';
import { padOps } from './pad.js';
import { pointwiseOps } from './pointwise.js';
import { poolOps } from './pool.js';
import { reduceOps } from './reduce.js';
import { reduceStatsOps } from './reduce_stats.js';
import { softmaxOps } from './softmax.js';
import { sortOps } from './sort.js';
import { unaryOps } from './unary.js';
import { viewOps } from './view.js';

export const declarationsByFile: Record<string, readonly OpInfo<unknown>[]> = {
  cast: castOps,
  unique: uniqueOps,
  special: specialOps,
  rounding: roundingOps,
  fold: foldOps,
  diag: diagOps,
  activation: activationOps,
  attention: attentionOps,
  bilinear: bilinearOps,
  binary: binaryOps,
  compare: compareOps,
  bitwise: bitwiseOps,
  division: divisionOps,
  conv: convOps,
  dropout: dropoutOps,
  einsum: einsumOps,
  embedding: embeddingOps,
  indexing: indexingOps,
  interpolate: interpolateOps,
  join: joinOps,
  linear: linearOps,
  loss: lossOps,
  matmul: matmulOps,
  addmm: addmmOps,
  normalization: normalizationOps,
  pad: padOps,
  pointwise: pointwiseOps,
  pool: poolOps,
  reduce: reduceOps,
  reduce_stats: reduceStatsOps,
  softmax: softmaxOps,
  sort: sortOps,
  unary: unaryOps,
  view: viewOps,
};
