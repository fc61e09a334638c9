// utils: PyTorch's torch.utils helpers that are not data loading (that is `data`), and
// myelin's own process settings that are not the thread pool's (V8's collector).
export * as benchmark from './benchmark/index.js';
export { getGcMode, setGcMode, type GcMode } from './gc.js';
