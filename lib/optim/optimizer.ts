// Optimizer base: parameter groups with their hyper-parameters, per-parameter state, zeroGrad,
// and state dicts in PyTorch's shape ({ state: {index: {...}}, paramGroups: [{..., params: [index]}] }).
import { fillRaw } from '../raw/strided.js';
import { Tensor } from '../tensor.js';

export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

export type ParamsInput = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Record<string, unknown>)[];

export type OptimizerState = Record<string, Tensor | number | boolean>;

export interface OptimizerStateDict {
  state: Record<number, OptimizerState>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

export function checkHyper(
  op: string,
  name: string,
  value: unknown,
  { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false } = {},
): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${op}: ${name} must be a finite number, got ${String(value)}`);
  }
  if (value < min || (minExclusive && value === min) || value > max || (maxExclusive && value === max)) {
    const lo = `${minExclusive ? '(' : '['}${min}`;
    const hi = `${max}${maxExclusive ? ')' : ']'}`;
    throw new RangeError(`${op}: invalid ${name} ${value} (expected ${lo}, ${hi})`);
  }
  return value;
}

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts). */
  readonly state = new Map<Tensor, OptimizerState>();

  protected constructor(
    params: ParamsInput,
    readonly defaults: Record<string, unknown>,
  ) {
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new Error(`${this.constructor.name}: got an empty parameter list`);
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] });
    else for (const g of list as ({ params: Iterable<Tensor> } & Record<string, unknown>)[]) this.addParamGroup(g);
  }

  /** Checks a group's hyper-parameters; subclasses validate their own. */
  protected abstract validateGroup(group: ParamGroup): void;

  addParamGroup(group: { params: Iterable<Tensor> } & Record<string, unknown>): void {
    const name = this.constructor.name;
    const params = [...group.params];
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: parameter ${i} is not a Tensor`);
      if (p.dtype !== 'float32')
        throw new TypeError(`${name}: parameter ${i} is ${p.dtype}; only float32 can be optimized`);
      if (!p.isLeaf) throw new Error(`${name}: can't optimize a non-leaf Tensor (parameter ${i})`);
      for (const g of this.paramGroups) {
        if (g.params.includes(p)) throw new Error(`${name}: some parameters appear in more than one parameter group`);
      }
    }
    const full = { ...this.defaults, ...group, params } as ParamGroup;
    this.validateGroup(full);
    this.paramGroups.push(full);
  }

  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        if (setToNone) p.grad = null;
        else fillRaw(p.grad, 0);
      }
    }
  }

  /** One update of every parameter that has a gradient. Returns the closure's loss if given. */
  step(closure?: () => number): number | undefined {
    const loss = closure ? closure() : undefined;
    for (const group of this.paramGroups) {
      this.validateGroup(group);
      for (const p of group.params) if (p.grad) this.updateParameter(p, p.grad, group);
    }
    return loss;
  }

  protected abstract updateParameter(param: Tensor, grad: Tensor, group: ParamGroup): void;

  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...hyper } = g;
      return {
        ...hyper,
        params: params.map((p) => {
          const i = index.size;
          index.set(p, i);
          return i;
        }),
      };
    });
    const state: Record<number, OptimizerState> = {};
    for (const [p, s] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v instanceof Tensor ? v.detach() : v]));
    }
    return { state, paramGroups };
  }

  loadStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object') {
      throw new TypeError(`${name}.loadStateDict: expected { state, paramGroups }`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `${name}.loadStateDict: the state dict has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      if (saved.params.length !== group.params.length) {
        throw new RangeError(
          `${name}.loadStateDict: group ${gi} has ${saved.params.length} parameters in the state dict, ${group.params.length} in the optimizer`,
        );
      }
      saved.params.forEach((idx, j) => {
        byIndex[idx] = group.params[j];
      });
      const { params: _ignored, ...hyper } = saved;
      Object.assign(group, hyper);
    });
    this.state.clear();
    for (const [k, s] of Object.entries(sd.state)) {
      const p = byIndex[Number(k)];
      if (!p) throw new RangeError(`${name}.loadStateDict: state for parameter ${k}, which no group lists`);
      const copy: OptimizerState = {};
      for (const [key, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (v.numel() !== p.numel() && v.numel() !== 1) {
            throw new RangeError(
              `${name}.loadStateDict: state '${key}' of parameter ${k} has ${v.numel()} elements, the parameter has ${p.numel()}`,
            );
          }
          copy[key] = Tensor.fromData(v.toTypedArray().slice(), v.shape);
        } else {
          copy[key] = v;
        }
      }
      this.state.set(p, copy);
    }
  }
}
