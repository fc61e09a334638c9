// examples/train_server.mjs as a child process (against the sources): the main thread serves
// HTTP on loopback while a worker trains; progress advances, the worker finishes and saves its
// checkpoint, /predict answers with the trained weights, and the server shuts down cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../lib/io/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Server {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

interface Status {
  state: string;
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number | null;
  samples: number;
  loss: number | null;
  samplesPerSec: number;
  testAccuracy: number | null;
  modelEpoch: number;
  checkpoint: string | null;
  done: boolean;
  error: string | null;
}

const running: Server[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const s of running.splice(0))
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-train-server-'));
  dirs.push(d);
  return d;
}

function start(...args: string[]): Promise<Server> {
  const child = spawn(
    process.execPath,
    ['--import', './test/helpers/examples_loader.mjs', 'examples/train_server.mjs', '--port', '0', ...args],
    {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'listening on' within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        const server = { child, port: Number(m[1]), output: () => output, exited };
        running.push(server);
        resolve(server);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
}

function request(
  port: number,
  method: string,
  pathname: string,
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: pathname, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${pathname}: no reply within 5 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function status(port: number): Promise<Status> {
  return (await request(port, 'GET', '/status')).json as unknown as Status;
}

/** Polls /status until `until` holds (every 20 ms, 20 s at most); returns every status seen. */
async function pollStatus(port: number, until: (s: Status) => boolean): Promise<Status[]> {
  const seen: Status[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await status(port);
    seen.push(s);
    if (until(s)) return seen;
    if (s.error || Date.now() > deadline)
      throw new Error(`status never reached the condition; last: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('examples/train_server.mjs: serving HTTP while a worker trains', () => {
  it('reports progress, finishes training, serves the trained model and shuts down cleanly', async () => {
    const out = tempDir();
    const server = await start(
      '--model',
      'mlp',
      '--epochs',
      '3',
      '--limit',
      '512',
      '--batch',
      '32',
      '--out',
      out,
      '--duration',
      '60',
    );
    const seen = await pollStatus(server.port, (s) => s.done);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({
      state: 'done',
      epoch: 3,
      epochs: 3,
      step: 16,
      stepsPerEpoch: 16,
      samples: 3 * 512,
      modelEpoch: 3,
      error: null,
    });
    expect(last.loss).toBeGreaterThan(0);
    expect(last.testAccuracy).toBeGreaterThan(0.5); // 10 classes: far above chance after 3 epochs
    // Progress only moves forward, and the server answered while it moved.
    const samples = seen.map((s) => s.samples);
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
    expect(samples[0]).toBeLessThan(last.samples);

    const byIndex = await request(server.port, 'GET', '/predict?index=7');
    expect(byIndex.status).toBe(200);
    expect(byIndex.json).toMatchObject({ index: 7, modelEpoch: 3 });
    expect(byIndex.json.predicted).toBeGreaterThanOrEqual(0);
    expect(byIndex.json.predicted).toBeLessThan(10);
    expect(byIndex.json.probability).toBeGreaterThan(0.1);
    const posted = await request(server.port, 'POST', '/predict', JSON.stringify({ image: new Array(784).fill(0.25) }));
    expect(posted.status).toBe(200);
    expect(typeof posted.json.class).toBe('string');
    expect((await request(server.port, 'GET', '/predict?index=-1')).status).toBe(400);
    expect((await request(server.port, 'POST', '/predict', '{"image": [1, 2]}')).status).toBe(400);
    expect((await request(server.port, 'POST', '/predict', 'not json')).status).toBe(400);
    expect((await request(server.port, 'DELETE', '/status')).status).toBe(405);
    expect((await request(server.port, 'GET', '/nope')).status).toBe(404);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/training done after 3 epochs \(48 steps\)/);
    expect(server.output()).toMatch(/shut down cleanly: training done, model epoch 3/);
    const checkpoint = readCheckpoint(path.join(out, 'checkpoint.safetensors'));
    expect(checkpoint.epoch).toBe(3);
    expect(checkpoint.step).toBe(48);
    expect(checkpoint.model['1.weight'].shape).toEqual([256, 784]);
  }, 30_000);

  it('SIGTERM in the middle of training stops the worker, which saves its checkpoint, and the process exits 0', async () => {
    const out = tempDir();
    // --nice lowers the training threads' priority (per thread on Linux): the path runs, too.
    const server = await start(
      '--model',
      'mlp',
      '--epochs',
      '100000',
      '--batch',
      '16',
      '--nice',
      '5',
      '--out',
      out,
      '--duration',
      '60',
    );
    const seen = await pollStatus(server.port, (s) => s.state === 'training' && s.samples > 0);
    expect(seen[seen.length - 1].done).toBe(false);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/training stopped after \d+ epochs \(\d+ steps\)/);
    expect(server.output()).toMatch(/shut down cleanly: training stopped/);
    expect(readCheckpoint(path.join(out, 'checkpoint.safetensors')).step).toBeGreaterThan(0);
  }, 30_000);

  it('--duration shuts a serve-only server (--epochs 0) down by itself', async () => {
    const server = await start('--model', 'mlp', '--epochs', '0', '--duration', '1.5');
    const s = await status(server.port);
    expect(s).toMatchObject({ state: 'serving', done: true, epochs: 0 });
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(
      /shutting down \(--duration 1\.5 s\)\nshut down cleanly: no training, model epoch 0/,
    );
  }, 30_000);
});
