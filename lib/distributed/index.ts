// myelin.distributed: data-parallel training over Gloo (torch.distributed's API, camelCase).
// The native module (myelin_distributed.node) is loaded the first time a group is initialized.
export {
  initProcessGroup,
  destroyProcessGroup,
  isInitialized,
  isAvailable,
  getRank,
  getWorldSize,
  getBackend,
  DEFAULT_TIMEOUT_MS,
  type InitProcessGroupOptions,
} from './process_group.js';
export {
  allReduce,
  broadcast,
  allGather,
  reduceScatter,
  gather,
  scatter,
  reduce,
  barrier,
  Work,
  ReduceOp,
  type ReduceOpName,
  type ReduceOptions,
  type AsyncOption,
  type GatherOptions,
  type ScatterOptions,
} from './collectives.js';
