// Training-job utilities: progress display, metrics, curves.
export { Progress, type ProgressOptions, type StepInfo } from './progress.js';
export { accuracy, correctCount, ConfusionMatrix } from './metrics.js';
export { curvesSvg, saveCurves, type Panel, type Series } from './plot.js';
export {
  recordActivations,
  deadReluRatio,
  detectAnomaly,
  withAnomalyDetection,
  gradientStats,
  ActivationRecorder,
  AnomalyError,
  GradientReport,
  type ActivationStats,
  type RecordOptions,
  type ModuleFilter,
  type AnomalyOptions,
  type GradientStat,
  type GradientStatsOptions,
} from './debug.js';
export {
  overfitSingleBatch,
  lrRangeTest,
  snapshotTraining,
  type LossFn,
  type OverfitOptions,
  type OverfitResult,
  type LrRangeTestOptions,
  type LrRangeTestResult,
} from './debug_training.js';
