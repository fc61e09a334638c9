// Training-job utilities: progress display, metrics, curves.
export { Progress, type ProgressOptions, type StepInfo } from './progress.js';
export { accuracy, correctCount, ConfusionMatrix } from './metrics.js';
export { curvesSvg, saveCurves, type Panel, type Series } from './plot.js';
