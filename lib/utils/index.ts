// utils: PyTorch's torch.utils helpers that are not data loading (that is `data`).
export * as benchmark from './benchmark/index.js';
