// The device shim: myelin computes on the CPU only, and code ported from PyTorch names devices
// (device = torch.device('cuda' if torch.cuda.is_available() else 'cpu'); x.to(device)). So
// device() describes any of PyTorch's device types as torch.device does, 'cpu' is the one a
// tensor or module can be on (.to('cpu'), .cpu(), { device: 'cpu' } on creation: no-ops), every
// other device is a clear error where it would be used, and cuda.isAvailable() is false.
import { inspect } from 'node:util';

/** PyTorch 1.13's device types, in its order (c10/core/DeviceType.cpp). */
const DEVICE_TYPES = [
  'cpu',
  'cuda',
  'ipu',
  'xpu',
  'mkldnn',
  'opengl',
  'opencl',
  'ideep',
  'hip',
  've',
  'fpga',
  'ort',
  'xla',
  'lazy',
  'vulkan',
  'mps',
  'meta',
  'hpu',
  'privateuseone',
] as const;

/** The device types PyTorch names (`torch.device`'s type); only 'cpu' runs here. */
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** torch.device: a type and an optional index. */
export class Device {
  constructor(
    /** 'cpu', 'cuda', ... */
    readonly type: DeviceType,
    /** The device index ('cuda:1' has 1), or null. */
    readonly index: number | null = null,
  ) {}

  /** 'cpu', 'cuda:0' (str(torch.device)). */
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  /** As PyTorch prints it: `device(type='cpu')`. */
  [inspect.custom](): string {
    return `device(type='${this.type}'${this.index === null ? '' : `, index=${this.index}`})`;
  }
}

/** A device, or its name as PyTorch spells it ('cpu', 'cuda:0'). */
export type DeviceLike = Device | string;

function deviceIndex(op: string, v: unknown, spec: string): number {
  if (!Number.isInteger(v) || (v as number) < 0)
    throw new RangeError(`${op}: the device index must be a non-negative integer, got ${String(v)} in '${spec}'`);
  return v as number;
}

/**
 * torch.device('cpu'), device('cuda:1'), device('cuda', 1): a device description. Only 'cpu'
 * can hold tensors here; the others are errors where a tensor or module would go to them.
 */
export function device(type: DeviceLike, index?: number): Device {
  return parseDevice('device', type, index);
}

/** Whether s has the form of a device string (a known type, then optionally ':' and an index). */
export function isDeviceString(s: string): boolean {
  const m = /^([a-z]+)(?::(\d+))?$/.exec(s);
  return m !== null && (DEVICE_TYPES as readonly string[]).includes(m[1]);
}

export function parseDevice(op: string, spec: unknown, index?: number): Device {
  if (spec instanceof Device) {
    if (index !== undefined) throw new TypeError(`${op}: an index cannot be given with a Device`);
    return spec;
  }
  if (typeof spec !== 'string')
    throw new TypeError(
      `${op}: expected a device (a string such as 'cpu', or a Device), got ${spec === null ? 'null' : typeof spec}`,
    );
  const m = /^([a-z]+)(?::(\d+))?$/.exec(spec);
  if (!m || !(DEVICE_TYPES as readonly string[]).includes(m[1]))
    throw new RangeError(
      `${op}: expected one of ${DEVICE_TYPES.join(', ')} device type at start of device string: ${spec}`,
    );
  if (m[2] !== undefined && index !== undefined)
    throw new RangeError(`${op}: type (string) must not include an index because index was passed explicitly: ${spec}`);
  const i = m[2] !== undefined ? Number(m[2]) : index !== undefined ? deviceIndex(op, index, spec) : null;
  return new Device(m[1] as DeviceType, i);
}

/** The CPU device, where every tensor is. */
export const cpuDevice = new Device('cpu');

/** Checks that `spec` names the CPU (what op may put a tensor on); throws otherwise. */
export function requireCpu(op: string, spec: unknown): Device {
  const d = parseDevice(op, spec);
  if (d.type !== 'cpu')
    throw new RangeError(
      `${op}: myelin computes on the CPU only; device '${d}' is not available (cuda.isAvailable() is false): use 'cpu'`,
    );
  return d;
}

/** torch.cuda as it is on a machine without CUDA. */
export const cuda = {
  /** false: myelin has no CUDA backend. */
  isAvailable(): boolean {
    return false;
  },
  /** 0: no CUDA device. */
  deviceCount(): number {
    return 0;
  },
  /** Ignored, as torch.cuda.manual_seed is where CUDA is not available. */
  manualSeed(_seed: number): void {},
  /** Ignored, as torch.cuda.manual_seed_all is where CUDA is not available. */
  manualSeedAll(_seed: number): void {},
};

/** torch.backends.mps as it is on a machine without Metal. */
export const backends = {
  /** torch.backends.mps: Apple's Metal backend, not available. */
  mps: {
    /** false: myelin has no Metal backend. */
    isAvailable(): boolean {
      return false;
    },
  },
};
