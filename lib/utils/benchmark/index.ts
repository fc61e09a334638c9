// utils.benchmark: PyTorch's torch.utils.benchmark (Timer, Measurement, Compare), and limits(): the
// machine's FMA peak and memory bandwidth.
export {
  Timer,
  type TimerOptions,
  type Globals,
  type BlockedAutorangeOptions,
  type AdaptiveAutorangeOptions,
} from './timer.js';
export { Measurement, type TaskSpec, type TimeUnit, selectUnit, trimSigfig } from './common.js';
export { Compare } from './compare.js';
export {
  limits,
  type FmaLimits,
  type LimitsBase,
  type LimitsOptions,
  type MachineLimits,
  type TriadLimits,
  type PerThreads,
  type Rate,
} from './limits.js';
