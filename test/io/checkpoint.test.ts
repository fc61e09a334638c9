// Checkpoints: round trip of model + optimizer + scheduler + RNG + counters, resume equals an
// uninterrupted run, mismatched files, and atomicity under SIGKILL mid-save.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { zeros } from '../../lib/creation.js';
import { DataLoader, TensorDataset } from '../../lib/data/index.js';
import { temporaryName } from '../../lib/io/atomic.js';
import { loadCheckpoint, readCheckpoint, saveCheckpoint } from '../../lib/io/checkpoint.js';
import { loadSafetensors, readSafetensors, saveSafetensors } from '../../lib/io/safetensors.js';
import { Adam } from '../../lib/optim/adam.js';
import type { Module } from '../../lib/nn/module.js';
import { Sequential } from '../../lib/nn/modules/container.js';
import { Linear } from '../../lib/nn/modules/linear.js';
import { StepLR } from '../../lib/optim/lr_scheduler.js';
import { Optimizer, type ParamGroup, type ParamsInput } from '../../lib/optim/optimizer.js';
import { defaultGenerator, Generator } from '../../lib/random.js';
import { Tensor } from '../../lib/tensor.js';
import { BIG } from './checkpoint_model.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SGD with momentum in plain TypeScript: a tensor state (momentumBuffer) and a number (steps). */
class TinyMomentum extends Optimizer {
  constructor(params: ParamsInput, options: { lr: number; momentum?: number }) {
    super(params, { momentum: 0.9, ...options });
  }
  protected validateGroup(_g: ParamGroup): void {}
  protected updateParameter(p: Tensor, grad: Tensor, g: ParamGroup): void {
    const s = this.state.get(p) ?? { steps: 0, momentumBuffer: zeros(p.shape) };
    this.state.set(p, s);
    const buf = (s.momentumBuffer as Tensor).data as Float32Array;
    const w = p.data as Float32Array;
    const gd = grad.data as Float32Array;
    for (let i = 0; i < w.length; i++) {
      buf[i] = (g.momentum as number) * buf[i] + gd[i];
      w[i] -= g.lr * buf[i];
    }
    s.steps = (s.steps as number) + 1;
  }
}

function makeModel(): Sequential {
  return new Sequential(new Linear(3, 5), new Linear(5, 2));
}

function values(m: Module): Record<string, number[]> {
  return Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, [...t.data]]));
}

/** Fake gradients that depend on the parameter and the batch, so training is order-sensitive. */
function setGrads(m: Module, batch: Tensor): void {
  const s = (batch.data as Float32Array).reduce((a, b) => a + b, 0);
  for (const p of m.parameters()) {
    const w = p.data as Float32Array;
    p.grad = Tensor.fromData(
      Float32Array.from(w, (v, i) => Math.sin(v * 3 + i) * 0.1 + s * 1e-3),
      p.shape,
    );
  }
}

describe('checkpoint round trip', () => {
  it('restores model, optimizer state, scheduler, epoch, step, RNG and extras', () => {
    const model = makeModel();
    const opt = new TinyMomentum(model.parameters(), { lr: 0.1 });
    const sched = new StepLR(opt, 2, 0.5);
    for (let i = 0; i < 3; i++) {
      setGrads(model, zeros([1]));
      opt.step();
      sched.step();
    }
    const g = new Generator().manualSeed(77);
    g.nextNormal();
    g.nextUint32();
    const path = join(dir, 'a.ckpt');
    saveCheckpoint(path, {
      model,
      optimizer: opt,
      scheduler: sched,
      epoch: 3,
      step: 300,
      rng: g,
      extra: { bestAcc: 0.875, history: [1, 2], worst: -Infinity },
    });

    const model2 = makeModel();
    const opt2 = new TinyMomentum(model2.parameters(), { lr: 0.1 });
    const sched2 = new StepLR(opt2, 2, 0.5);
    const g2 = new Generator();
    const info = loadCheckpoint(path, { model: model2, optimizer: opt2, scheduler: sched2, rng: g2 });
    expect(info.epoch).toBe(3);
    expect(info.step).toBe(300);
    expect(info.extra).toEqual({ bestAcc: 0.875, history: [1, 2], worst: -Infinity });
    expect(info.missingKeys).toEqual([]);
    expect(values(model2)).toEqual(values(model));
    expect(opt2.paramGroups[0].lr).toBe(opt.paramGroups[0].lr);
    expect(sched2.lastEpoch).toBe(sched.lastEpoch);
    expect(sched2.getLastLr()).toEqual(sched.getLastLr());
    const params = [...model.parameters()];
    const params2 = [...model2.parameters()];
    params.forEach((p, i) => {
      const s = opt.state.get(p)!;
      const s2 = opt2.state.get(params2[i])!;
      expect(s2.steps).toBe(3);
      expect([...(s2.momentumBuffer as Tensor).data]).toEqual([...(s.momentumBuffer as Tensor).data]);
    });
    expect(g2.getState()).toEqual(g.getState());
    expect(g2.nextNormal()).toBe(g.nextNormal());
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('is a plain safetensors file (model.* and optimizer.state.* tensors)', () => {
    const model = makeModel();
    const opt = new TinyMomentum(model.parameters(), { lr: 0.1 });
    setGrads(model, zeros([1]));
    opt.step();
    const path = join(dir, 'plain.ckpt');
    saveCheckpoint(path, { model, optimizer: opt });
    expect(Object.keys(loadSafetensors(path)).sort()).toEqual([
      'model.0.bias',
      'model.0.weight',
      'model.1.bias',
      'model.1.weight',
      'optimizer.state.0.momentumBuffer',
      'optimizer.state.1.momentumBuffer',
      'optimizer.state.2.momentumBuffer',
      'optimizer.state.3.momentumBuffer',
    ]);
    const ck = readCheckpoint(path);
    expect(ck.classes).toEqual({ model: 'Sequential', optimizer: 'TinyMomentum', scheduler: null });
    expect(ck.optimizer!.state[2].steps).toBe(1);
  });

  it('resuming from a checkpoint gives the same parameters as uninterrupted training', () => {
    const x = Tensor.fromData(
      Float32Array.from({ length: 40 }, (_, i) => (i % 7) - 3),
      [20, 2],
    );
    const data = new TensorDataset(x);
    const setup = () => {
      defaultGenerator.manualSeed(1);
      const model = makeModel();
      const opt = new TinyMomentum(model.parameters(), { lr: 0.05 });
      const sched = new StepLR(opt, 1, 0.9);
      const gen = new Generator().manualSeed(123);
      const loader = new DataLoader(data, { batchSize: 6, shuffle: true, generator: gen });
      return { model, opt, sched, gen, loader };
    };
    const epoch = (s: ReturnType<typeof setup>) => {
      for (const [b] of s.loader) {
        setGrads(s.model, b);
        s.opt.step();
      }
      s.sched.step();
    };
    const straight = setup();
    for (let e = 0; e < 4; e++) epoch(straight);

    const path = join(dir, 'resume.ckpt');
    const first = setup();
    for (let e = 0; e < 2; e++) epoch(first);
    saveCheckpoint(path, {
      model: first.model,
      optimizer: first.opt,
      scheduler: first.sched,
      epoch: 2,
      rng: first.gen,
    });
    const resumed = setup(); // fresh objects, as a new process would have
    const info = loadCheckpoint(path, {
      model: resumed.model,
      optimizer: resumed.opt,
      scheduler: resumed.sched,
      rng: resumed.gen,
    });
    for (let e = info.epoch!; e < 4; e++) epoch(resumed);
    expect(values(resumed.model)).toEqual(values(straight.model));
    expect(values(resumed.model)).not.toEqual(values(first.model));
  });
});

describe('mismatched and corrupt checkpoints', () => {
  const path = join(dir, 'm.ckpt');
  const model = makeModel();
  const opt = new TinyMomentum(model.parameters(), { lr: 0.1 });
  setGrads(model, zeros([1]));
  opt.step();
  saveCheckpoint(path, { model, optimizer: opt, epoch: 1 });

  it('wrong shapes name the key and change nothing', () => {
    const other = new Sequential(new Linear(3, 5), new Linear(5, 4));
    const before = values(other);
    expect(() => loadCheckpoint(path, { model: other })).toThrow(
      /size mismatch for '1\.weight': the checkpoint has shape \[2,5\], the model has \[4,5\]/,
    );
    expect(values(other)).toEqual(before);
  });

  it('missing and unexpected keys: an error naming them, or reported with strict: false', () => {
    const bigger = new Sequential(new Linear(3, 5), new Linear(5, 2), new Linear(2, 2));
    expect(() => loadCheckpoint(path, { model: bigger })).toThrow(
      /missing keys: 2\.weight, 2\.bias.*pass strict: false/,
    );
    const info = loadCheckpoint(path, { model: bigger, strict: false });
    expect(info.missingKeys).toEqual(['2.weight', '2.bias']);
    expect(info.unexpectedKeys).toEqual([]);
    expect([...bigger.stateDict()['0.weight'].data]).toEqual([...model.stateDict()['0.weight'].data]);
    const smaller = new Sequential(new Linear(3, 5));
    expect(() => loadCheckpoint(path, { model: smaller })).toThrow(/unexpected keys: 1\.bias, 1\.weight/);
    expect(loadCheckpoint(path, { model: smaller, strict: false }).unexpectedKeys.sort()).toEqual([
      '1.bias',
      '1.weight',
    ]);
  });

  it('optimizer mismatches', () => {
    const m = makeModel();
    const fewer = new TinyMomentum([...m.parameters()].slice(0, 2), { lr: 0.1 });
    expect(() => loadCheckpoint(path, { model: m, optimizer: fewer })).toThrow(
      /optimizer group 0 has 4 parameters in the checkpoint, 2 in the optimizer/,
    );
    const noOpt = join(dir, 'noopt.ckpt');
    saveCheckpoint(noOpt, { model: m });
    expect(() => loadCheckpoint(noOpt, { model: m, optimizer: new TinyMomentum(m.parameters(), { lr: 1 }) })).toThrow(
      /the checkpoint has no optimizer state/,
    );
    expect(() => loadCheckpoint(noOpt, { model: m, rng: new Generator() })).toThrow(/the checkpoint has no RNG state/);
  });

  it('a plain safetensors file, a truncated file, bad options', () => {
    const plain = join(dir, 'plain.safetensors');
    saveSafetensors(plain, model.stateDict());
    expect(() => loadCheckpoint(plain, { model })).toThrow(/not a myelin checkpoint/);
    const cut = join(dir, 'cut.ckpt');
    const bytes = readFileSync(path);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
    expect(() => loadCheckpoint(cut, { model })).toThrow(/cut\.ckpt: .*(out of range|unaccounted)/);
    expect(() => saveCheckpoint(join(dir, 'x.ckpt'), { model, epoch: -1 })).toThrow(
      /epoch must be a non-negative integer/,
    );
    expect(() => saveCheckpoint(join(dir, 'x.ckpt'), { model, extra: { t: zeros([1]) } })).toThrow(/'t' is a Tensor/);
    expect(() => saveCheckpoint(join(dir, 'x.ckpt'), {} as never)).toThrow(/options.model must be an nn.Module/);
    expect(existsSync(join(dir, 'x.ckpt'))).toBe(false);
  });

  it('a failed save leaves the previous checkpoint and no temporary file', () => {
    const before = readFileSync(path);
    expect(() => saveCheckpoint(path, { model, extra: { f: () => 1 } as never })).toThrow(/function/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('loadCheckpoint is all or nothing', () => {
  /** Rewrites a saved checkpoint's JSON through `edit`, keeping its tensors. */
  function tamper(from: string, to: string, edit: (header: Record<string, any>) => void): void {
    const { tensors, metadata } = readSafetensors(from);
    const header = JSON.parse(metadata['myelin.checkpoint']);
    edit(header);
    saveSafetensors(to, tensors, { ...metadata, 'myelin.checkpoint': JSON.stringify(header) });
  }

  function setup() {
    const model = makeModel();
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const sched = new StepLR(opt, 2, 0.5);
    const gen = new Generator().manualSeed(5);
    return { model, opt, sched, gen };
  }
  const saved = setup();
  for (const p of saved.model.parameters()) p.grad = Tensor.fromData(new Float32Array(p.numel()).fill(0.5), p.shape);
  saved.opt.step();
  saved.sched.step();
  const good = join(dir, 'good.ckpt');
  saveCheckpoint(good, { model: saved.model, optimizer: saved.opt, scheduler: saved.sched, rng: saved.gen, epoch: 1 });

  /** Loads `path` into a fresh set-up, expects `message`, and checks that nothing changed. */
  function expectUntouched(path: string, message: RegExp): void {
    const t = setup();
    t.gen.nextUint32();
    const before = {
      model: values(t.model),
      opt: JSON.stringify(t.opt.stateDict().paramGroups),
      state: t.opt.state.size,
      sched: JSON.stringify(t.sched.stateDict()),
      rng: t.gen.getState(),
    };
    expect(() => loadCheckpoint(path, { model: t.model, optimizer: t.opt, scheduler: t.sched, rng: t.gen })).toThrow(
      message,
    );
    expect(values(t.model)).toEqual(before.model);
    expect(JSON.stringify(t.opt.stateDict().paramGroups)).toBe(before.opt);
    expect(t.opt.state.size).toBe(before.state);
    expect(JSON.stringify(t.sched.stateDict())).toBe(before.sched);
    expect(t.gen.getState()).toEqual(before.rng);
  }

  it('the untampered file loads', () => {
    const t = setup();
    loadCheckpoint(good, { model: t.model, optimizer: t.opt, scheduler: t.sched, rng: t.gen });
    expect(values(t.model)).toEqual(values(saved.model));
    expect(t.opt.paramGroups[0].lr).toBe(saved.opt.paramGroups[0].lr);
  });
  it('a learning rate of "abc" is an error at load', () => {
    const path = join(dir, 'lr.ckpt');
    tamper(good, path, (h) => {
      h.optimizer.paramGroups[0].lr = 'abc';
    });
    expectUntouched(path, /lr\.ckpt: .*'lr' must be a number, got "abc"/);
  });
  it('hyper-parameters out of range or of the wrong kind', () => {
    const path = join(dir, 'hyper.ckpt');
    tamper(good, path, (h) => {
      h.optimizer.paramGroups[0].betas = [0.9, 2];
    });
    expectUntouched(path, /Adam: invalid beta parameter at index 1 2/);
    tamper(good, path, (h) => {
      h.optimizer.paramGroups[0].amsgrad = 'yes';
    });
    expectUntouched(path, /'amsgrad' must be a boolean, got "yes"/);
    tamper(good, path, (h) => {
      h.optimizer.state['0'].step = 'many';
    });
    expectUntouched(path, /state 'step' of parameter 0 must be a tensor, a finite number or a boolean/);
  });
  it('a bad RNG state is an error before the model is touched', () => {
    const path = join(dir, 'rng.ckpt');
    tamper(good, path, (h) => {
      h.rng.offset = -4;
    });
    expectUntouched(path, /generator offset must be a non-negative integer, got -4/);
    tamper(good, path, (h) => {
      h.rng = { seed: 1 };
    });
    expectUntouched(path, /generator offset must be a non-negative integer, got undefined/);
  });
  it('a scheduler state of another shape', () => {
    const path = join(dir, 'sched.ckpt');
    tamper(good, path, (h) => {
      h.scheduler.lastEpoch = 'one';
    });
    expectUntouched(path, /state\.lastEpoch must be a number, got the string 'one'/);
    tamper(good, path, (h) => {
      h.scheduler.bogus = 1;
    });
    expectUntouched(path, /unknown key 'bogus'/);
  });
  it('corrupt counters and optimizer layout', () => {
    const path = join(dir, 'layout.ckpt');
    tamper(good, path, (h) => {
      h.epoch = 'x';
    });
    expectUntouched(path, /epoch must be null or a non-negative integer/);
    tamper(good, path, (h) => {
      h.optimizer.paramGroups[0].params = [0, 0, 1, 2];
    });
    expectUntouched(path, /optimizer group 0 lists parameter index 0 twice/);
  });
  it('an optimizer state tensor of the wrong dtype', () => {
    const path = join(dir, 'dtype.ckpt');
    const { tensors, metadata } = readSafetensors(good);
    const key = Object.keys(tensors).find((k) => k.startsWith('optimizer.state.0.'))!;
    tensors[key] = Tensor.fromData(new Int32Array(tensors[key].numel()), tensors[key].shape);
    saveSafetensors(path, tensors, metadata);
    expectUntouched(path, /is int32, expected float32/);
  });
});

describe('atomic saves under SIGKILL', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child = fileURLToPath(new URL('./checkpoint_child.ts', import.meta.url));
  const running = new Set<ChildProcess>();
  afterAll(() => {
    for (const proc of running) proc.kill('SIGKILL');
  });

  /** Starts the saving child; resolves with it once it has saved `wantSaves` times. */
  function startChild(path: string, start: number, wantSaves: number): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', './test/helpers/ts_loader.mjs', child, path, String(start)], {
        cwd: root,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      running.add(proc);
      proc.on('exit', () => running.delete(proc));
      let saves = 0;
      let err = '';
      proc.stderr!.on('data', (d) => (err += d));
      proc.stdout!.on('data', (d: Buffer) => {
        saves += d
          .toString()
          .split('\n')
          .filter((l) => l.startsWith('saved')).length;
        if (saves >= wantSaves) resolve(proc);
      });
      proc.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`checkpoint child exited early (${code ?? signal}): ${err}`));
      });
    });
  }

  it('the previous checkpoint always loads after the saver is killed mid-save, and temporaries never pile up', async () => {
    const path = join(dir, 'atomic.ckpt');
    let start = 0;
    let strays = 0;
    let last = -1;
    const temporaries = () => readdirSync(dir).filter((f) => f.startsWith('.atomic.ckpt.tmp-'));
    // At least 4 kills; more (up to 10) until one has provably landed inside a save.
    for (let round = 0; round < 10 && (round < 4 || strays === 0); round++) {
      const proc = await startChild(path, start, 2);
      // Kill at a varying moment: the child spends nearly all its time inside saveCheckpoint.
      await new Promise((r) => setTimeout(r, 3 + ((round * 7) % 23)));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));

      // The next saver removed what earlier kills left: only this kill's temporary can be here.
      const leftovers = temporaries();
      expect(leftovers.length).toBeLessThanOrEqual(1);
      strays += leftovers.length;

      const ck = readCheckpoint(path); // throws if the file were torn; removes the stale temporary
      expect(temporaries()).toEqual([]);
      const epoch = ck.epoch!;
      expect(epoch).toBeGreaterThanOrEqual(Math.max(start + 1, last));
      expect(ck.extra).toEqual({ round: epoch });
      const a = ck.model.a.data as Float32Array;
      const b = ck.model.b.data as Float32Array;
      expect(a.length).toBe(BIG);
      expect(a.every((v) => v === epoch) && b.every((v) => v === epoch)).toBe(true);
      last = epoch;
      start = epoch + 1;
      // Put this round's temporary back in every other round, so that the next saver (not this
      // load) has to remove it.
      if (leftovers.length && round % 2 === 0) writeFileSync(join(dir, leftovers[0]), 'x');
    }
    // The kills did land inside saves (leaving temporary files), so the test exercised the danger.
    expect(strays).toBeGreaterThan(0);
  }, 180_000);

  it("removes only its own checkpoint's stale temporaries: not another file's, not a live writer's", async () => {
    const path = join(dir, 'own.ckpt');
    const model = makeModel();
    saveCheckpoint(path, { model });
    // A live process (sleep) and a dead one (a child that has exited) as writers.
    const sleeper = spawn('sleep', ['30']);
    running.add(sleeper);
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    const startOf = (pid: number) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    };
    // Names as writeFileAtomic makes them: the host and boot tags of this machine are in our own.
    const ours = temporaryName(path);
    const [host, boot, , selfStart] = /tmp-(\w{8})-(\w{8})-(\d+)-(\d+)-/.exec(ours)!.slice(1);
    const name = (target: string, pid: number, start: string) =>
      `.${target}.tmp-${host}-${boot}-${pid}-${start}-0badc0de`;
    const liveWriter = name('own.ckpt', sleeper.pid!, startOf(sleeper.pid!));
    const deadWriter = name('own.ckpt', dead.pid!, '12345');
    const reusedPid = name('own.ckpt', sleeper.pid!, '1'); // the pid lives, but is another process now
    const otherFile = name('other.ckpt', dead.pid!, '12345');
    const otherHost = `.own.ckpt.tmp-00000000-${boot}-${dead.pid}-12345-0badc0de`;
    const olderStyle = `.own.ckpt.tmp-${dead.pid}-0badc0de`;
    const selfLive = name('own.ckpt', process.pid, selfStart);
    for (const f of [liveWriter, deadWriter, reusedPid, otherFile, otherHost, olderStyle, selfLive])
      writeFileSync(join(dir, f), 'partial');
    saveCheckpoint(path, { model });
    const mine = (f: string) => f.startsWith('.own.ckpt.tmp-') || f.startsWith('.other.ckpt.tmp-');
    const left = readdirSync(dir).filter(mine);
    expect(left.sort()).toEqual([liveWriter, otherFile, otherHost, selfLive].sort());
    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('exit', r));
    loadCheckpoint(path, { model });
    expect(
      readdirSync(dir)
        .filter((f) => f.includes('.tmp-'))
        .sort(),
    ).toEqual([otherFile, otherHost, selfLive].sort());
    for (const f of [otherFile, otherHost, selfLive]) rmSync(join(dir, f));
  });
});

describe('writeFileAtomic', () => {
  it('names the target when its directory does not exist', () => {
    expect(() => saveSafetensors(join(dir, 'no', 'such', 'dir', 'm.safetensors'), {})).toThrow(
      /cannot write .*m\.safetensors: ENOENT creating a temporary file/,
    );
  });
});
