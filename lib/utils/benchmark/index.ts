// utils.benchmark: PyTorch's torch.utils.benchmark (Timer, Measurement, Compare).
export {
  Timer,
  type TimerOptions,
  type Globals,
  type BlockedAutorangeOptions,
  type AdaptiveAutorangeOptions,
} from './timer.js';
export { Measurement, type TaskSpec, type TimeUnit, selectUnit, trimSigfig } from './common.js';
export { Compare } from './compare.js';
