// Files: safetensors state dicts, training checkpoints (atomic writes), IDX arrays.
export {
  serialize,
  deserialize,
  saveSafetensors,
  loadSafetensors,
  readSafetensors,
  type Metadata,
  type SafetensorsContents,
  type SafetensorsDType,
} from './safetensors.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  readCheckpoint,
  CHECKPOINT_FORMAT,
  type SaveCheckpointOptions,
  type LoadCheckpointOptions,
  type CheckpointInfo,
  type CheckpointContents,
  type Stateful,
} from './checkpoint.js';
export { parseIdx, readIdx, encodeIdx, writeIdx, type IdxArray, type IdxDType, type IdxData } from './idx.js';
export { writeFileAtomic } from './atomic.js';
