export { backendInfo, getNumThreads, setNumThreads } from './backend.js';
export type { BackendInfo, Isa } from './backend.js';
