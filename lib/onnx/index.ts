// ONNX export: onnx.export(model, sampleArgs, path, options), as torch.onnx.export.
export {
  exportOnnx as export,
  exportModel,
  ExportError,
  type ExportOptions,
  type DynamicAxes,
} from './export.js';
export { opHandlers, moduleHandlers } from './handlers.js';
