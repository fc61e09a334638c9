// The CPU device shim: PyTorch's device idioms run unchanged on the CPU, and every other device
// is a clear error naming the call and the device.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  arange,
  backends,
  cuda,
  Device,
  device,
  eye,
  full,
  nn,
  rand,
  randint,
  randn,
  tensor,
  zeros,
  zerosLike,
} from '../lib/index.js';

describe('device', () => {
  it('describes devices as torch.device does', () => {
    const cpu = device('cpu');
    expect(cpu).toBeInstanceOf(Device);
    expect(cpu.type).toBe('cpu');
    expect(cpu.index).toBeNull();
    expect(String(cpu)).toBe('cpu');
    expect(inspect(cpu)).toBe("device(type='cpu')");
    const c1 = device('cuda:1');
    expect([c1.type, c1.index, String(c1)]).toEqual(['cuda', 1, 'cuda:1']);
    expect(inspect(device('cuda', 0))).toBe("device(type='cuda', index=0)");
    expect(device(cpu)).toBe(cpu);
    expect(() => device('gpu')).toThrow(
      /device: expected one of cpu, cuda, .*, mps, meta, hpu, privateuseone device type at start of device string: gpu/,
    );
    expect(() => device('cuda:0', 1)).toThrow(/must not include an index because index was passed explicitly: cuda:0/);
    expect(() => device('cuda', -1)).toThrow(/device index must be a non-negative integer, got -1/);
    expect(() => device(3 as never)).toThrow(/device: expected a device .* got number/);
  });

  it('cuda and mps are not available; seeding them is ignored as in PyTorch', () => {
    expect(cuda.isAvailable()).toBe(false);
    expect(cuda.deviceCount()).toBe(0);
    expect(() => cuda.manualSeed(1)).not.toThrow();
    expect(() => cuda.manualSeedAll(1)).not.toThrow();
    expect(backends.mps.isAvailable()).toBe(false);
  });
});

describe('tensors on the CPU', () => {
  it('to(device), cpu(), device, isCpu/isCuda: the same tensor', () => {
    const x = randn([2, 3]);
    const dev = device(cuda.isAvailable() ? 'cuda' : 'cpu');
    expect(x.to(dev)).toBe(x);
    expect(x.to('cpu')).toBe(x);
    expect(x.to('cpu:0')).toBe(x);
    expect(x.cpu()).toBe(x);
    expect(x.to({ device: 'cpu', nonBlocking: true })).toBe(x);
    expect(x.device.type).toBe('cpu');
    expect(x.isCpu).toBe(true);
    expect(x.isCuda).toBe(false);
  });

  it('to(dtype), to(device, dtype), to(other), copy', () => {
    const x = tensor([1.5, -2, 0]);
    expect(x.to('int32').tolist()).toEqual([1, -2, 0]);
    expect(x.to('cpu', 'int32').dtype).toBe('int32');
    expect(x.to(device('cpu'), { dtype: 'bool' }).tolist()).toEqual([true, true, false]);
    expect(x.to(tensor([1], { dtype: 'int32' })).dtype).toBe('int32');
    expect(x.to('float32')).toBe(x);
    const c = x.to('cpu', { copy: true });
    expect(c).not.toBe(x);
    expect(c.tolist()).toEqual(x.tolist());
    // copy keeps the graph: the copy's gradient reaches x.
    const w = tensor([1, 2, 3]).requiresGrad_();
    w.to({ copy: true }).mul(2).sum().backward();
    expect(w.grad!.tolist()).toEqual([2, 2, 2]);
  });

  it('every other device is an error naming it', () => {
    const x = zeros([2]);
    expect(() => x.to('cuda')).toThrow(
      /to: myelin computes on the CPU only; device 'cuda' is not available \(cuda.isAvailable\(\) is false\): use 'cpu'/,
    );
    expect(() => x.to(device('mps'))).toThrow(/to: .*device 'mps' is not available/);
    expect(() => x.to(0 as never)).toThrow(/to: .*device 'cuda:0' is not available/);
    expect(() => x.to({ device: 'cuda:1' })).toThrow(/device 'cuda:1' is not available/);
    expect(() => x.cuda()).toThrow(/cuda: myelin computes on the CPU only; device 'cuda' is not available/);
    expect(() => x.to('float16' as never)).toThrow(
      /to: dtype must be 'float32', 'float64', 'bfloat16', 'int32', 'int8', 'uint8' or 'bool' \(or a device: 'cpu'\), got float16/,
    );
    expect(() => x.to({ non_blocking: true } as never)).toThrow(
      /to: unknown option 'non_blocking'; did you mean 'nonBlocking'\?/,
    );
    expect(() => x.to('cpu', 'int32', 'bool' as never)).toThrow(/to: expected at most 2 positional arguments, got 3/);
  });

  it('creation takes device: cpu, and refuses the others', () => {
    expect(zeros([2], { device: 'cpu' }).tolist()).toEqual([0, 0]);
    expect(full([1], 3, { device: device('cpu') }).tolist()).toEqual([3]);
    expect(arange(3, undefined, 1, { device: 'cpu' }).tolist()).toEqual([0, 1, 2]);
    expect(randn([2], { device: 'cpu' }).shape).toEqual([2]);
    expect(() => zeros([2], { device: 'cuda' })).toThrow(/zeros: myelin computes on the CPU only; device 'cuda'/);
    expect(() => tensor([1], { device: 'cuda:0' })).toThrow(/tensor: .*device 'cuda:0' is not available/);
    expect(() => eye(2, 2, { device: 'mps' })).toThrow(/device 'mps' is not available/);
    expect(() => zerosLike(zeros([1]), { device: 'cuda' })).toThrow(/device 'cuda' is not available/);
    expect(() => rand([2], { device: 'cuda' })).toThrow(/rand: .*device 'cuda' is not available/);
    expect(() => randint(0, 3, [2], { device: 'xpu' })).toThrow(/randint: .*device 'xpu' is not available/);
    expect(() => zeros([2], { device: 'tpu' })).toThrow(/zeros: expected one of cpu, cuda.* device string: tpu/);
  });
});

describe('modules on the CPU', () => {
  it('seed 004: model.to(device) and batches to(device)', () => {
    const dev = device(cuda.isAvailable() ? 'cuda' : 'cpu');
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU()).to(dev);
    const x = randn([2, 4]).to(dev);
    expect((model.call(x) as ReturnType<typeof zeros>).shape).toEqual([2, 3]);
    expect(model.cpu()).toBe(model);
    expect(model.to('cpu', 'float32')).toBe(model);
    expect(model.to({ device: 'cpu', dtype: 'float32' })).toBe(model);
    expect(model.to(randn([1]))).toBe(model);
  });

  it('errors name the device or dtype', () => {
    const model = new nn.Linear(2, 2);
    expect(() => model.to('cuda')).toThrow(
      /Module.to: myelin computes on the CPU only; device 'cuda' is not available/,
    );
    expect(() => model.cuda()).toThrow(/Module.cuda: .*device 'cuda' is not available/);
    expect(() => model.cuda(1)).toThrow(/device 'cuda:1' is not available/);
    expect(() => model.to('int32')).toThrow(
      /Module.to: only floating point dtypes are accepted \(here float32, float64 or bfloat16\), but got desired dtype=int32/,
    );
    expect(() => model.to('gpu' as never)).toThrow(
      /Module.to: expected a device \('cpu'\), a dtype \('float32'\) or a Tensor, got 'gpu'/,
    );
    expect(() => model.to({ non_blocking: true } as never)).toThrow(
      /unknown option 'non_blocking'; did you mean 'nonBlocking'\?/,
    );
  });
});
