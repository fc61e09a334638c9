// Training progress: a one-line bar redrawn in place on a TTY (epoch, batch, loss, accuracy,
// samples/s, ETA), plain log lines otherwise (CI logs, files, pipes). On a TTY the line is kept
// within the terminal's width: a line that wraps leaves its first rows behind at every redraw
// ('\r' only returns to the start of the last row).
import { checkInt, checkOptions, checkString } from '../errors.js';
import type { WriteStream } from 'node:tty';

/** The options of Progress. */
export interface ProgressOptions {
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WritableStream;
  /** Batches per epoch, for the bar and the ETA. */
  total: number;
  /** Epochs in the run, shown as 'epoch 3/10'. */
  epochs?: number;
  /** Plain mode: print a line every this many batches (default: ~10 lines an epoch). */
  logEvery?: number;
  /** Force plain lines even on a TTY. */
  plain?: boolean;
}

/** What Progress.step records of one batch. */
export interface StepInfo {
  /** The batch's mean loss. */
  loss?: number;
  /** The batch's accuracy, in [0, 1]. */
  accuracy?: number;
  /** Samples in the batch (default 1), weighting loss and accuracy. */
  samples?: number;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const m = Math.floor(s / 60);
  const r = Math.floor(s % 60);
  return `${m}:${String(r).padStart(2, '0')}`;
}

/**
 * A training progress display: `startEpoch`, `step` per batch, `endEpoch`. On a TTY one line is
 * redrawn in place (kept within the terminal's width); elsewhere (CI logs, files) plain lines.
 * @throws TypeError without options or on an unknown option.
 */
export class Progress {
  private readonly stream: NodeJS.WritableStream;
  private readonly tty: boolean;
  private readonly logEvery: number;
  private epoch = 0;
  private batch = 0;
  private samples = 0;
  private lossSum = 0;
  private correctSum = 0;
  private counted = 0;
  private start = performance.now();

  constructor(private readonly options: ProgressOptions) {
    if (options === undefined)
      throw new TypeError('train.Progress: options are required: { total } at least (the batches per epoch)');
    checkOptions('train.Progress', options, {
      stream: 'object',
      total: 'integer',
      epochs: 'integer',
      logEvery: 'integer',
      plain: 'boolean',
    });
    this.stream = options.stream ?? process.stderr;
    this.tty = !options.plain && Boolean((this.stream as WriteStream).isTTY);
    this.logEvery = options.logEvery ?? Math.max(1, Math.ceil(options.total / 10));
  }

  /** Starts epoch `epoch` (0-based). */
  startEpoch(epoch: number): void {
    checkInt('train.Progress.startEpoch', 'epoch', epoch, 0);
    this.epoch = epoch;
    this.batch = 0;
    this.samples = 0;
    this.lossSum = 0;
    this.correctSum = 0;
    this.counted = 0;
    this.start = performance.now();
  }

  /** Records one batch. */
  step(info: StepInfo = {}): void {
    checkOptions('train.Progress.step', info, { loss: 'number', accuracy: 'number', samples: 'integer' });
    this.batch++;
    const n = info.samples ?? 1;
    this.samples += n;
    if (info.loss !== undefined) this.lossSum += info.loss * n;
    if (info.accuracy !== undefined) {
      this.correctSum += info.accuracy * n;
      this.counted += n;
    }
    if (this.tty) this.stream.write(`\r${this.fitted()}\x1b[K`);
    else if (this.batch % this.logEvery === 0 && this.batch !== this.options.total)
      this.stream.write(`${this.line()}\n`);
  }

  /** Ends the epoch: the bar is finished with a newline; returns the epoch's mean loss/accuracy. */
  endEpoch(extra = ''): {
    /** The epoch's mean loss. */
    loss: number;
    /** The epoch's mean accuracy (NaN if no step gave one). */
    accuracy: number;
    /** The epoch's duration. */
    seconds: number;
  } {
    checkString('train.Progress.endEpoch', 'extra', extra);
    const seconds = (performance.now() - this.start) / 1000;
    const summary = {
      loss: this.lossSum / Math.max(1, this.samples),
      accuracy: this.counted ? this.correctSum / this.counted : NaN,
      seconds,
    };
    // Written once and followed by a newline, the summary may wrap (nothing redraws over it); it
    // drops the bar graphic where the line would not fit.
    if (this.tty) {
      const tail = extra ? `  ${extra}` : '';
      const full = `${this.line()}${tail}`;
      const fits = full.length < ((this.stream as WriteStream).columns || Infinity);
      this.stream.write(`\r${fits ? full : `${this.line(false)}${tail}`}\x1b[K\n`);
    } else this.stream.write(`${this.line()}${extra ? `  ${extra}` : ''}\n`);
    return summary;
  }

  /**
   * The bar's line within the terminal's width (less one column: a line that fills the last one
   * wraps on some terminals): without the bar graphic if that is what it takes, else cut.
   */
  private fitted(): string {
    const columns = (this.stream as WriteStream).columns;
    const max = columns && columns > 1 ? columns - 1 : Infinity;
    const full = this.line();
    if (full.length <= max) return full;
    const noBar = this.line(false);
    return noBar.length <= max ? noBar : noBar.slice(0, max);
  }

  private line(withBar = this.tty): string {
    const { total, epochs } = this.options;
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = this.samples / Math.max(elapsed, 1e-9);
    const eta = ((total - this.batch) * elapsed) / Math.max(this.batch, 1);
    const width = 24;
    const filled = Math.round((width * this.batch) / Math.max(total, 1));
    const bar = withBar ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const parts = [
      `epoch ${this.epoch + 1}${epochs ? `/${epochs}` : ''}`,
      `${bar}batch ${this.batch}/${total}`,
      `loss ${(this.lossSum / Math.max(1, this.samples)).toFixed(4)}`,
    ];
    if (this.counted) parts.push(`acc ${((100 * this.correctSum) / this.counted).toFixed(2)}%`);
    parts.push(`${rate.toFixed(0)} samples/s`, `eta ${fmtTime(eta)}`);
    return parts.join('  ');
  }
}
