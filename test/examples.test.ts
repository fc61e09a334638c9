// Runs every example as a child process (small settings) against the sources and checks what it prints.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(example: string, ...args: string[]): string {
  return execFileSync(
    process.execPath,
    ['--import', './test/helpers/examples_loader.mjs', `examples/${example}`, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: process.env,
      timeout: 30_000,
    },
  );
}

/** Runs an example that may fail: its exit status and what it wrote to stdout and stderr. */
function runStatus(example: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', './test/helpers/examples_loader.mjs', `examples/${example}`, ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: process.env,
      timeout: 30_000,
    },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the demo, fashion_mnist.mjs', () => {
  it('trains, saves its checkpoint and curves, and prints a labelled confusion matrix', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-demo-'));
    try {
      const text = run('fashion_mnist.mjs', '--model', 'mlp', '--epochs', '1', '--out', out);
      expect(text).toContain('confusion matrix (rows: true class, columns: predicted class)');
      expect(text).toMatch(/^true \\ predicted +0 +1 +2 +3 +4 +5 +6 +7 +8 +9 +recall$/m);
      expect(text).toMatch(/^0 T-shirt\/top +(\d+ +){10}[\d.]+%$/m);
      expect(text).toMatch(/^9 Ankle boot +(\d+ +){10}[\d.]+%$/m);
      const acc = Number(text.match(/test accuracy ([\d.]+)% after 1 epochs/)![1]);
      expect(acc).toBeGreaterThan(50);
      expect(fs.existsSync(path.join(out, 'checkpoint.safetensors'))).toBe(true);
      expect(fs.readFileSync(path.join(out, 'curves.svg'), 'utf8')).toMatch(/^<svg/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('--help prints the options and exits 0', () => {
    const r = runStatus('fashion_mnist.mjs', '--help');
    expect(r.status).toBe(0);
    for (const option of [
      '--model cnn|mlp',
      '--epochs N',
      '--batch N',
      '--lr X',
      '--full',
      '--root DIR',
      '--out DIR',
      '--threads N',
      '--seed N',
    ])
      expect(r.stdout).toContain(option);
  });

  it.each([
    [['--epochs', '0'], "--epochs must be an integer >= 1, got '0'"],
    [['--epochs', 'abc'], "--epochs must be an integer >= 1, got 'abc'"],
    [['--batch', '1.5'], "--batch must be an integer >= 1, got '1.5'"],
    [['--lr', 'fast'], "--lr must be a number > 0, got 'fast'"],
    [['--threads', '0'], "--threads must be an integer >= 1, got '0'"],
    [['--model', 'rnn'], "--model must be cnn or mlp, got 'rnn'"],
    [['--epoch', '2'], "Unknown option '--epoch'"],
    [['--epochs'], "Option '--epochs <value>' argument missing"],
  ])('%j is a usage error that says what was wrong (exit 2, no stack trace)', (args, message) => {
    const r = runStatus('fashion_mnist.mjs', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`fashion_mnist: ${message}`);
    expect(r.stderr).toContain('run with --help');
    expect(r.stderr).not.toMatch(/\n +at /);
  });
});

describe('examples', () => {
  it('xor.mjs learns XOR (seed 002)', () => {
    const out = run('xor.mjs', '300');
    expect(out).toMatch(/predictions: \[0,1,1,0\]/);
    expect(out).toMatch(/accuracy: 100%/);
  });

  it('init_variance.mjs: He keeps the variance, Xavier decays, N(0,0.01) vanishes', () => {
    const rows = run('init_variance.mjs').trim().split('\n');
    expect(rows[0]).toMatch(/layer +Xavier +He +N\(0,0\.01\)/);
    const last = rows[rows.length - 1].trim().split(/ +/).map(Number);
    expect(last[0]).toBe(10);
    expect(last[1]).toBeLessThan(0.01); // Xavier + ReLU: about halved per layer
    expect(last[2]).toBeGreaterThan(0.2); // He: about constant
    expect(last[2]).toBeLessThan(5);
    expect(last[3]).toBeLessThan(1e-15); // N(0, 0.01): vanished
  });

  it('jvp_vs_vjp.mjs: gradients on the graph, forward mode by hand and with dual tensors, reverse mode', () => {
    const out = run('jvp_vs_vjp.mjs', '64', '3');
    expect(out).toContain('z = 19\ndz/dx = 7\ndz/dy = 8');
    expect(out).toContain("f(3) = 16, f'(3) = 8\nforwardAD: f(3) = 16, f'(3) = 8");
    expect(out).toContain('x.grad shape: [3]\nw.grad shape: [3,2]\nb.grad shape: [2]\nLoss: 1370');
    expect(out).toMatch(/reverse mode time: [\d.]+ s\nparameters: 12,288\none backward pass computed every gradient/);
    expect(out).toMatch(/f: R\^64 -> R\^1: reverse mode 1 backward pass\(es\) .* both equal A: true/);
    expect(out).toMatch(
      /f: R\^1 -> R\^64: reverse mode 64 backward pass\(es\) .* forward mode 1 JVP\(s\) .* both equal A: true/,
    );
  });

  it('batchnorm_running_stats.mjs: train normalises, running stats converge, eval leaves them alone', () => {
    const out = run('batchnorm_running_stats.mjs', '50');
    expect(out).toMatch(/train-mode output: mean -?0\.0000, std 1\.0000/);
    const [, rm, rv] = out.match(/running_mean ~ ([\d.-]+), running_var ~ ([\d.]+)/)!.map(Number);
    expect(Math.abs(rm - 5)).toBeLessThan(1);
    expect(Math.abs(rv - 100)).toBeLessThan(20);
    expect(out).toMatch(/num_batches_tracked 50/);
    expect(out).toMatch(/eval leaves the running statistics alone: true/);
  });

  it('residual_gradient_flow.mjs: the residual network keeps its gradient, the plain one loses it', () => {
    const out = run('residual_gradient_flow.mjs', '50');
    const grad = (name: string) =>
      Number(out.match(new RegExp(`${name} +network: .*gradient norm at layer 1 ([\\d.e+-]+)`))![1]);
    expect(grad('plain')).toBeLessThan(1e-20);
    expect(grad('residual')).toBeGreaterThan(1);
  });

  it('optimization_methods.mjs: second-order methods reach the minimum in tens of evaluations, the others do not', () => {
    const out = run('optimization_methods.mjs', '2000');
    const loss = (name: string) => Number(out.match(new RegExp(`${name} +\\d+ evaluations .* J = ([\\d.e+-]+)`))![1]);
    expect(loss('black box')).toBeLessThan(1); // J = 12.5 at the start
    expect(loss('first order')).toBeLessThan(1);
    expect(loss('first order')).toBeGreaterThan(1e-4);
    expect(out).toMatch(/L-BFGS +49 evaluations/); // PyTorch 1.13 takes the same 49 (test/fixtures/lbfgs.json)
    expect(loss('L-BFGS')).toBeLessThan(1e-9);
    expect(loss('Newton')).toBeLessThan(1e-9);
  });

  it('locally_connected_layers.mjs: parameter counts, tied locally-connected == Conv2d, position-dependent fit', () => {
    const out = run('locally_connected_layers.mjs', '120');
    expect(out).toMatch(/fully-connected parameters: +346,400/);
    expect(out).toMatch(/locally-connected parameters: +22,400/);
    expect(out).toMatch(/convolution parameters: +224/);
    expect(out).toMatch(/tied locally-connected layer == Conv2d/);
    const [, lc, conv] = out.match(/locally-connected MSE ([\d.e+-]+), conv MSE ([\d.e+-]+)/)!.map(Number);
    expect(lc).toBeLessThan(1e-3);
    expect(conv).toBeGreaterThan(100 * lc);
  });

  it("simple_cnn.mjs: PyTorch reprs, the seed's parameter counts, shapes, falling loss", () => {
    const out = run('simple_cnn.mjs', '20');
    expect(out).toMatch(/MLP\(784, \[256\], 10\) parameters: 203,530 /);
    // torch 1.13's repr of the seed's SimpleCNN, line by line
    expect(out).toContain(
      [
        'SimpleCNN(',
        '  (features): Sequential(',
        '    (0): Conv2d(3, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
        '    (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
        '    (2): ReLU()',
        '    (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
        '    (4): Conv2d(32, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
        '    (5): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
        '    (6): ReLU()',
        '    (7): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)',
        '    (8): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
        '    (9): BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)',
        '    (10): ReLU()',
        '    (11): AdaptiveAvgPool2d(output_size=(1, 1))',
        '  )',
        '  (classifier): Linear(in_features=128, out_features=10, bias=True)',
        ')',
      ].join('\n'),
    );
    expect(out).toContain('(conv2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))');
    // counts from torch: sum(p.numel() for p in model.parameters())
    expect(out).toMatch(/SimpleCNN parameters: 94,986\n/);
    expect(out).toMatch(/Bottleneck\(256, 256\) parameters: 70,016 /);
    expect(out).toMatch(/input \[16, 3, 32, 32\] -> output \[16, 10\]/);
    expect(out).toMatch(/input \[2, 256, 8, 8\] -> output \[2, 256, 8, 8\], min 0\.000 /);
    const losses = [...out.matchAll(/step \d+: loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(5); // steps 1, 5, 10, 15, 20
    expect(losses[0]).toBeGreaterThan(2); // about ln 10 at the start
    expect(losses[4]).toBeLessThan(0.6 * losses[0]);
  });

  it('unet_segmentation.mjs: the U-Net learns to segment the discs', () => {
    const out = run('unet_segmentation.mjs', '3');
    const losses = [...out.matchAll(/U-Net epoch \d: train loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(3);
    expect(losses[2]).toBeLessThan(0.7 * losses[0]);
    const background = Number(out.match(/all-background accuracy ([\d.]+)%/)![1]);
    const [, acc, iou] = out.match(/U-Net: test pixel accuracy ([\d.]+)%, disc IoU ([\d.]+)/)!.map(Number);
    expect(acc).toBeGreaterThan(background + 1.5);
    expect(iou).toBeGreaterThan(0.35);
  });

  it('debug_training.mjs: overfit, gradient and activation tables, named NaNs, LR range test', () => {
    const out = run('debug_training.mjs', '200');
    expect(out).toMatch(/overfit with Adam\(lr=0\.01\): passed: the loss fell below 0\.001/);
    expect(out).toMatch(/overfit with SGD\(lr=0\): FAILED/);
    expect(out).toMatch(/^4\.weight +\[3, 32\] /m);
    expect(out).toMatch(/dead ReLU ratio 3: 75\.0% +\[WARNING\]/);
    expect(out).toMatch(/^0 +Conv2d +\[16, 4, 8, 8\] /m);
    expect(out).toContain(
      'caught: detectAnomaly: 0 (Conv2d) produced NaN in its output at index [0, 0, 0, 0] (its inputs were finite)',
    );
    expect(out).toMatch(
      /caught: detectAnomaly: the gradient arriving at the output of the model \(Sequential\) from the loss has NaN/,
    );
    expect(out).toMatch(/stopped at lr [\d.e+-]+ \(diverged\)/);
    const suggested = Number(out.match(/suggested lr ([\d.e+-]+)/)![1]);
    expect(suggested).toBeGreaterThan(1e-3);
    expect(suggested).toBeLessThan(2);
    expect(out).toMatch(/model restored: true, optimizer lr 0\.1/);
  });

  it('training_pipeline.mjs: the PyTorch pipeline with its device idiom runs on the CPU and learns', () => {
    const out = run('training_pipeline.mjs', '2');
    expect(out).toMatch(/device: cpu; model parameters on cpu/);
    const epochs = [...out.matchAll(/Epoch (\d): Train Loss=([\d.]+), Val Loss=([\d.]+), Val Acc=([\d.]+)/g)];
    expect(epochs.map((m) => Number(m[1]))).toEqual([1, 2]);
    expect(Number(epochs[1][2])).toBeLessThan(Number(epochs[0][2]));
    expect(Number(epochs[1][4])).toBeGreaterThan(0.7);
  });

  it('mlp_synthetic.mjs: the loss falls and the test accuracy is high', () => {
    const out = run('mlp_synthetic.mjs', '3');
    expect(out).toMatch(/Total params: /);
    const losses = [...out.matchAll(/train loss ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(losses.length).toBe(3);
    expect(losses[2]).toBeLessThan(losses[0] / 2);
    const acc = Number(out.match(/epoch 3: .*test accuracy ([\d.]+)%/)![1]);
    expect(acc).toBeGreaterThan(90);
  });

  it('onnx_fashion_serve.mjs: the exported CNN served by ONNX Runtime answers as myelin does', () => {
    const out = run('onnx_fashion_serve.mjs', '--steps', '2', '--requests', '2');
    expect(out).toMatch(/exported .*fashion_cnn\.onnx/);
    expect(out).toMatch(/ONNX Runtime answered 100 images: accuracy [\d.]+%, same class as myelin for 100\/100/);
  });

  it('onnx_text_classifier.mjs: the exported LSTM classifier matches myelin at two sequence lengths', () => {
    const out = run('onnx_text_classifier.mjs', '0');
    const diffs = [...out.matchAll(/max \|ONNX Runtime - myelin\| ([\d.e+-]+)/g)].map((m) => Number(m[1]));
    expect(diffs.length).toBe(2);
    for (const d of diffs) expect(d).toBeLessThan(1e-4);
  });
});
