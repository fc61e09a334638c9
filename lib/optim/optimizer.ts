// Optimizer base: parameter groups with their hyper-parameters, per-parameter state, zeroGrad,
// and state dicts in PyTorch's shape ({ state: {index: {...}}, paramGroups: [{..., params: [index]}] }).
import { checkIterable, checkOptions, describe, given, type OptionKeys } from '../errors.js';
import { copyRaw, fillRaw } from '../raw/strided.js';
import { Tensor } from '../tensor.js';
import { type DType, isFloatingDType, STORAGE_FLOATING_DTYPES } from '../dtype.js';

/** A group of parameters and the hyper-parameters they are updated with (PyTorch's `param_groups[i]`). */
export interface ParamGroup {
  /** The parameters of the group. */
  params: Tensor[];
  /** The group's learning rate (what the lr schedulers change). */
  lr: number;
  [option: string]: unknown;
}

/**
 * What an optimizer takes, as in PyTorch: the parameters (`model.parameters()`), or parameter
 * groups `{ params, ...options }` whose options override the optimizer's for that group.
 */
export type ParamsInput =
  | Iterable<Tensor>
  | ({
      /** The group's parameters. */
      params: Iterable<Tensor>;
    } & Record<string, unknown>)[];

/** One parameter's optimizer state (momentum buffer, moment estimates, step count...). */
export type OptimizerState = Record<string, Tensor | number | boolean>;

/**
 * An optimizer's state dict, shaped as PyTorch's: parameters are named by their index across the
 * groups.
 */
export interface OptimizerStateDict {
  /** Each parameter's state by its index. */
  state: Record<number, OptimizerState>;
  /** Each group's hyper-parameters, with its parameters' indices as `params`. */
  paramGroups: (Record<string, unknown> & {
    /** The indices of the group's parameters. */
    params: number[];
  })[];
}

/**
 * A hyper-parameter checked to be a finite number within [min, max] (bounds exclusive when told).
 * @throws RangeError naming the optimizer, the hyper-parameter and the value.
 */
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

/**
 * The base of the optimizers, as PyTorch's `torch.optim.Optimizer`: parameter groups with their
 * hyper-parameters, per-parameter state, `zeroGrad`, `step` and state dicts in PyTorch's shape.
 * Constructing one throws on an empty parameter list, a `model.parameters` passed uncalled, a
 * parameter that is not a floating leaf tensor (float32, float64, bfloat16; LBFGS: not bfloat16),
 * or one that is in two groups.
 */
export abstract class Optimizer {
  /** The parameter groups with their hyper-parameters (PyTorch's `param_groups`). */
  readonly paramGroups: ParamGroup[] = [];
  /** Per-parameter state (momentum buffers, moment estimates, step counts). */
  readonly state = new Map<Tensor, OptimizerState>();

  protected constructor(
    params: ParamsInput,
    /** The hyper-parameters a group takes when it does not set them (PyTorch's `defaults`). */
    readonly defaults: Record<string, unknown>,
  ) {
    const op = `optim.${new.target.name}`;
    if (typeof params === 'function') {
      throw new TypeError(
        `${op}: params must be an iterable of Tensors or of parameter groups, got ${describe(params)}; ` +
          'did you mean model.parameters() (the method called)?',
      );
    }
    const list = [...checkIterable(op, 'params', params, 'an iterable of Tensors or of parameter groups')];
    if (list.length === 0) throw new Error(`${op}: got an empty parameter list`);
    if (list[0] instanceof Tensor) this.addParamGroup({ params: list as Tensor[] });
    else for (const g of list as ({ params: Iterable<Tensor> } & Record<string, unknown>)[]) this.addParamGroup(g);
  }

  /**
   * The parameter dtypes the optimizer steps: float32, float64 and bfloat16 (stepped in float32,
   * its state kept in bfloat16), unless a subclass says less.
   */
  protected parameterDtypes(): readonly DType[] {
    return STORAGE_FLOATING_DTYPES;
  }

  /** Checks a group's hyper-parameters; subclasses validate their own. */
  protected abstract validateGroup(group: ParamGroup): void;

  /** Adds a group of parameters with its own hyper-parameters (the defaults fill the rest). */
  addParamGroup(group: { params: Iterable<Tensor> } & Record<string, unknown>): void {
    const name = `optim.${this.constructor.name}`;
    if (typeof group !== 'object' || group === null || group instanceof Tensor || !('params' in group)) {
      throw new TypeError(
        `${name}: a parameter group must be an object { params, ...options }, got ${describe(group)}`,
      );
    }
    const keys = Object.fromEntries(['params', ...Object.keys(this.defaults)].map((k) => [k, true]));
    checkOptions(`${name} parameter group`, group, keys as OptionKeys<typeof group>);
    const params = [
      ...checkIterable<unknown>(name, "a parameter group's params", group.params, 'an iterable of Tensors'),
    ];
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: parameter ${i} must be a Tensor, got ${describe(p)}`);
      const dtypes = this.parameterDtypes();
      if (!dtypes.includes(p.dtype))
        throw new TypeError(`${name}: parameter ${i} is ${p.dtype}; only ${dtypes.join(' or ')} can be optimized`);
      if (!p.isLeaf) throw new Error(`${name}: can't optimize a non-leaf Tensor (parameter ${i})`);
      for (const g of this.paramGroups) {
        if (g.params.includes(p)) throw new Error(`${name}: some parameters appear in more than one parameter group`);
      }
    }
    const full = { ...this.defaults, ...given(group), params } as ParamGroup;
    this.validateGroup(full);
    this.paramGroups.push(full);
  }

  /**
   * Clears the gradients of every parameter (PyTorch's `zero_grad`).
   * @param options.setToNone true (the default): `grad` becomes null; false: filled with zeros.
   * @throws TypeError on an unknown option.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone =
      checkOptions(`optim.${this.constructor.name}.zeroGrad`, options, { setToNone: 'boolean' }).setToNone ?? true;
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
    if (closure !== undefined && typeof closure !== 'function')
      throw new TypeError(`optim.${this.constructor.name}.step: closure must be a function, got ${describe(closure)}`);
    const loss = closure ? closure() : undefined;
    for (const group of this.paramGroups) {
      this.validateGroup(group);
      for (const p of group.params) if (p.grad) this.updateParameter(p, p.grad, group);
    }
    return loss;
  }

  /** Updates one parameter from its gradient with its group's hyper-parameters (each optimizer's rule). */
  protected abstract updateParameter(param: Tensor, grad: Tensor, group: ParamGroup): void;

  /**
   * The state as PyTorch's `state_dict()`: per-parameter state and the groups' hyper-parameters,
   * parameters named by index; tensors are detached views, not copies.
   */
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

  /**
   * Throws unless `sd` can be loaded: the same groups and parameter counts, hyper-parameters of
   * the kinds the optimizer has (each group as it would be, checked as the constructor checks
   * it: a learning rate of "abc" is an error here, not at the next step), and per-parameter
   * state of float tensors (cast to the parameter's dtype on load) the parameter's size (or one element) and finite numbers or
   * booleans. Changes nothing.
   */
  checkStateDict(sd: OptimizerStateDict): void {
    const name = this.constructor.name;
    const op = `${name}.loadStateDict`;
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || !sd.state || typeof sd.state !== 'object') {
      throw new TypeError(`${op}: expected { state, paramGroups }`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `${op}: the state dict has ${sd.paramGroups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      if (!saved || typeof saved !== 'object' || !Array.isArray(saved.params))
        throw new TypeError(`${op}: group ${gi} must be an object with a params array`);
      if (saved.params.length !== group.params.length) {
        throw new RangeError(
          `${op}: group ${gi} has ${saved.params.length} parameters in the state dict, ${group.params.length} in the optimizer`,
        );
      }
      saved.params.forEach((idx, j) => {
        if (!Number.isSafeInteger(idx) || idx < 0 || byIndex[idx] !== undefined)
          throw new RangeError(
            `${op}: group ${gi} lists parameter index ${String(idx)} (not a new non-negative integer)`,
          );
        byIndex[idx] = group.params[j];
      });
      const { params: _ignored, ...hyper } = saved;
      for (const [k, v] of Object.entries(hyper)) {
        const mine = group[k];
        const kindOf = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
        if (mine !== undefined && kindOf(mine) !== kindOf(v))
          throw new TypeError(
            `${op}: group ${gi}: '${k}' must be a ${kindOf(mine)}, got ${JSON.stringify(v) ?? String(v)}`,
          );
      }
      if (typeof hyper.lr !== 'number' || !Number.isFinite(hyper.lr))
        throw new TypeError(
          `${op}: group ${gi}: lr must be a finite number, got ${JSON.stringify(hyper.lr) ?? String(hyper.lr)}`,
        );
      this.validateGroup({ ...group, ...hyper, params: group.params } as ParamGroup);
    });
    for (const [k, s] of Object.entries(sd.state)) {
      const p = byIndex[Number(k)];
      if (!p) throw new RangeError(`${op}: state for parameter ${k}, which no group lists`);
      if (!s || typeof s !== 'object') throw new TypeError(`${op}: the state of parameter ${k} must be an object`);
      for (const [key, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (!isFloatingDType(v.dtype))
            throw new TypeError(
              `${op}: state '${key}' of parameter ${k} is ${v.dtype}, expected float32, float64 or bfloat16`,
            );
          if (v.numel() !== p.numel() && v.numel() !== 1) {
            throw new RangeError(
              `${op}: state '${key}' of parameter ${k} has ${v.numel()} elements, the parameter has ${p.numel()}`,
            );
          }
        } else if (!(typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
          throw new TypeError(
            `${op}: state '${key}' of parameter ${k} must be a tensor, a finite number or a boolean, got ${JSON.stringify(v) ?? String(v)}`,
          );
        }
      }
    }
  }

  /** Restores a state dict; one that does not fit is an error and changes nothing. */
  loadStateDict(sd: OptimizerStateDict): void {
    this.checkStateDict(sd);
    const byIndex: Tensor[] = [];
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      saved.params.forEach((idx, j) => {
        byIndex[idx] = group.params[j];
      });
      const { params: _ignored, ...hyper } = saved;
      Object.assign(group, hyper);
    });
    this.state.clear();
    for (const [k, s] of Object.entries(sd.state)) {
      const copy: OptimizerState = {};
      // A state tensor takes its parameter's dtype, as PyTorch's load_state_dict casts it.
      const dtype = byIndex[Number(k)].dtype;
      for (const [key, v] of Object.entries(s))
        copy[key] = v instanceof Tensor ? copyRaw(v, isFloatingDType(v.dtype) ? dtype : v.dtype) : v;
      this.state.set(byIndex[Number(k)], copy);
    }
  }
}
