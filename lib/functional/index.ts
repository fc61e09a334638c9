// torch.autograd as one namespace: the engine's API (lib/autograd) and autograd.functional, which
// is built on ops and so sits above the autograd layer.
export * from '../autograd/index.js';
export * as functional from './autograd.js';
