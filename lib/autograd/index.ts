export { grad, type BackwardOptions, type GradOptions } from './backward.js';
export { queueCallback } from './engine.js';
export { defineOp, type OpContext, type OpSpec } from './define_op.js';
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from './grad_mode.js';
export { gradcheck, type GradcheckOptions } from './gradcheck.js';
export * as forwardAD from './forward_ad.js';
