// Files: safetensors state dicts, training checkpoints (atomic writes), IDX arrays, PyTorch's
// torch.save files.
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
export {
  loadTorch,
  readTorch,
  parseTorch,
  saveTorch,
  serializeTorch,
  type LoadTorchOptions,
  type TorchContents,
  type TorchConversion,
} from './torch.js';
