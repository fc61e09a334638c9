// nn.Module: parameters, buffers and submodules are discovered from the instance's fields (in
// assignment order, which is PyTorch's registration order). `call(...)` is PyTorch's
// `module(...)`: it runs the forward pre-hooks, forward, then the forward hooks.
import { noGrad } from '../autograd/grad_mode.js';
import { Device, type DeviceLike, isDeviceString, requireCpu } from '../device.js';
import { type DType, type FloatDType, isDType, isFloatingDType } from '../dtype.js';
import { checkFunction, checkOptions, describe } from '../errors.js';
import { copyRaw, fillRaw } from '../raw/strided.js';
import { formatShape, sameShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { activeTracer } from '../trace.js';
import { Parameter } from './parameter.js';

/**
 * A hook run before a module's forward (PyTorch's forward pre-hook): it gets the module and the
 * arguments of `call`; returning an array replaces the arguments, returning nothing keeps them.
 */
export type ForwardPreHook = (module: Module, inputs: unknown[]) => unknown[] | void;
/**
 * A hook run after a module's forward (PyTorch's forward hook): it gets the module, the arguments
 * and the output; returning a value replaces the output, returning nothing keeps it.
 */
export type ForwardHook = (module: Module, inputs: unknown[], output: unknown) => unknown | void;

/** What registering a hook returns (PyTorch's `RemovableHandle`). */
export interface RemovableHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

/** What `Module.loadStateDict` returns (PyTorch's `_IncompatibleKeys`). */
export interface LoadResult {
  /** Keys of the module's state dict that the loaded one lacks (left unchanged). */
  missingKeys: string[];
  /** Keys of the loaded state dict that the module has not (ignored). */
  unexpectedKeys: string[];
}

/** A module's parameters and persistent buffers by PyTorch's dotted key (`'layers.0.weight'`). */
export type StateDict = Record<string, Tensor>;

// A forward's parameter list is exactly never[] only on Module itself (a module of unknown kind).
type IsAnyForward<A> = [A] extends [never[]] ? ([never[]] extends [A] ? true : false) : false;

/** What `module.call(...)` takes: its forward's arguments (anything for a Module of unknown kind). */
export type CallInputs<M> = M extends { forward(...args: infer A): unknown }
  ? IsAnyForward<A> extends true
    ? unknown[]
    : A
  : unknown[];

/** What `module.call(...)` returns: its forward's result (any for a Module of unknown kind, as a forward hook may replace it). */
export type CallOutput<M> = M extends { forward(...args: infer A): infer R }
  ? IsAnyForward<A> extends true
    ? // biome-ignore lint/suspicious/noExplicitAny: a Module of unknown kind returns what its forward does
      any
    : R
  : // biome-ignore lint/suspicious/noExplicitAny: as above
    any;

// Fields of Module itself that are never parameters, buffers or children.
const INTERNAL = new Set(['training', '_buffers', '_nonPersistent', '_preHooks', '_hooks']);

/**
 * The base class of every layer and model, as PyTorch's `torch.nn.Module`: subclass it, assign
 * parameters, buffers and submodules to fields in the constructor, and write `forward`; then call
 * the model with `model.call(x)` (PyTorch's `model(x)`). Parameters, buffers and submodules are
 * found from the fields, in assignment order (PyTorch's registration order), so the state dict
 * keys are PyTorch's.
 */
export abstract class Module {
  /** True in training mode (the default), false after `eval()`: dropout and batch norm read it. */
  training = true;
  /** @internal names of fields that are buffers (registerBuffer). */
  _buffers = new Set<string>();
  /** @internal buffers left out of the state dict. */
  _nonPersistent = new Set<string>();
  /** @internal */
  _preHooks: ForwardPreHook[] = [];
  /** @internal */
  _hooks: ForwardHook[] = [];

  /**
   * The computation (PyTorch's `forward`), written by each subclass. Call the module with
   * `call(...)` rather than `forward(...)`, so that the hooks run.
   */
  abstract forward(...inputs: never[]): unknown;

  /**
   * module(...inputs) in PyTorch: hooks around forward. Typed from the subclass's forward, so
   * `model.call(x).bakward()` does not compile.
   */
  call<M extends Module>(this: M, ...inputs: CallInputs<M>): CallOutput<M> {
    const args = inputs as unknown[];
    // While onnx.export traces a forward, the tracer sees every module call (and its path).
    if (activeTracer !== null) return activeTracer.module(this, args, () => this.runCall(args)) as CallOutput<M>;
    return this.runCall(args) as CallOutput<M>;
  }

  private runCall(inputs: unknown[]): unknown {
    let args = inputs;
    for (const hook of this._preHooks) {
      const replaced = hook(this, args);
      if (replaced !== undefined) args = replaced;
    }
    let output = (this.forward as (...a: unknown[]) => unknown)(...args);
    for (const hook of this._hooks) {
      const replaced = hook(this, args, output);
      if (replaced !== undefined) output = replaced;
    }
    return output;
  }

  /**
   * Runs `hook` before each forward of this module (PyTorch's `register_forward_pre_hook`); it may
   * replace the arguments. Hooks run in registration order.
   * @throws TypeError if `hook` is not a function.
   */
  registerForwardPreHook(hook: ForwardPreHook): RemovableHandle {
    checkFunction(`${this.constructor.name}.registerForwardPreHook`, 'hook', hook);
    this._preHooks.push(hook);
    return { remove: () => removeFrom(this._preHooks, hook) };
  }

  /**
   * Runs `hook` after each forward of this module (PyTorch's `register_forward_hook`); it may
   * replace the output. Hooks run in registration order.
   * @throws TypeError if `hook` is not a function.
   */
  registerForwardHook(hook: ForwardHook): RemovableHandle {
    checkFunction(`${this.constructor.name}.registerForwardHook`, 'hook', hook);
    this._hooks.push(hook);
    return { remove: () => removeFrom(this._hooks, hook) };
  }

  /** Registers a tensor field as a buffer (state that is not a parameter, e.g. running stats). */
  registerBuffer(name: string, tensor: Tensor | null, options: { persistent?: boolean } = {}): void {
    checkOptions(`${this.constructor.name}.registerBuffer`, options, { persistent: 'boolean' });
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this._buffers.add(name);
    if (options.persistent === false) this._nonPersistent.add(name);
  }

  /** Registers a parameter under a computed name (fields assigned directly work too). */
  registerParameter(name: string, param: Parameter | null): void {
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  // ---- discovery ----

  /** Own (name, value) entries, in field order. */
  private ownEntries(): [string, unknown][] {
    return Object.entries(this).filter(([k]) => !INTERNAL.has(k));
  }

  /** The direct submodules with their field names (PyTorch's `named_children`). */
  *namedChildren(): Generator<[string, Module]> {
    for (const [k, v] of this.ownEntries()) if (v instanceof Module) yield [k, v];
  }

  /** The direct submodules (PyTorch's `children`). */
  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant, each once, in pre-order. */
  *namedModules(prefix = '', seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [k, m] of this.namedChildren()) yield* m.namedModules(prefix ? `${prefix}.${k}` : k, seen);
  }

  /** This module and every descendant, each once, in pre-order (PyTorch's `modules`). */
  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /**
   * The parameters with their dotted names (PyTorch's `named_parameters`), each once even where
   * shared, in registration order.
   * @param prefix prepended to every name.
   * @param recurse false: this module's own parameters only.
   */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modPrefix, m] of mods) {
      for (const [k, v] of m.ownEntries()) {
        if (v instanceof Parameter && !seen.has(v)) {
          seen.add(v);
          yield [modPrefix ? `${modPrefix}.${k}` : k, v];
        }
      }
    }
  }

  /**
   * The parameters (PyTorch's `parameters`), each once, in registration order: what an optimizer
   * takes.
   * @param recurse false: this module's own parameters only.
   */
  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  /**
   * The buffers with their dotted names (PyTorch's `named_buffers`), non-persistent ones included.
   * @param prefix prepended to every name.
   * @param recurse false: this module's own buffers only.
   */
  *namedBuffers(prefix = '', recurse = true): Generator<[string, Tensor]> {
    const mods: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modPrefix, m] of mods) {
      for (const name of m._buffers) {
        const v = (m as unknown as Record<string, unknown>)[name];
        if (v instanceof Tensor) yield [modPrefix ? `${modPrefix}.${name}` : name, v];
      }
    }
  }

  /**
   * The buffers (PyTorch's `buffers`): state that is not trained, such as batch norm's running
   * statistics.
   * @param recurse false: this module's own buffers only.
   */
  *buffers(recurse = true): Generator<Tensor> {
    for (const [, b] of this.namedBuffers('', recurse)) yield b;
  }

  // ---- modes and bulk operations ----

  /**
   * Sets training mode on this module and every descendant (PyTorch's `train`); returns this.
   * @param mode false is `eval()`.
   */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Sets evaluation mode on this module and every descendant (PyTorch's `eval`); returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * torch's Module.to(device), to(dtype), to(device, dtype), to(tensor): the device must be the
   * CPU; a floating dtype (float32, float64, bfloat16) converts every floating parameter and
   * buffer to it (see `double`). Returns this module.
   */
  to(...args: (DeviceLike | DType | Tensor | { device?: DeviceLike; dtype?: DType; nonBlocking?: boolean })[]): this {
    const op = 'Module.to';
    const last = args[args.length - 1];
    const named: { device?: DeviceLike; dtype?: DType } = {};
    if (typeof last === 'object' && last !== null && Object.getPrototypeOf(last) === Object.prototype) {
      args.pop();
      checkOptions(op, last, ['device', 'dtype', 'nonBlocking']);
      Object.assign(named, last);
    }
    if (args.length > 2) throw new TypeError(`${op}: expected at most 2 positional arguments, got ${args.length}`);
    const dtypes: unknown[] = named.dtype === undefined ? [] : [named.dtype];
    if (named.device !== undefined) requireCpu(op, named.device);
    for (const a of args) {
      if (a instanceof Tensor) dtypes.push(a.dtype);
      else if (typeof a === 'string' && isDType(a)) dtypes.push(a);
      else if (a instanceof Device || (typeof a === 'string' && isDeviceString(a))) requireCpu(op, a);
      else
        throw new TypeError(
          `${op}: expected a device ('cpu'), a dtype ('float32') or a Tensor, got ${typeof a === 'string' ? `'${a}'` : typeof a}`,
        );
    }
    for (const d of dtypes) {
      if (!isDType(d) || !isFloatingDType(d))
        throw new TypeError(
          `${op}: only floating point dtypes are accepted (here float32, float64 or bfloat16), but got desired dtype=${String(d)}`,
        );
    }
    return dtypes.length ? this.castFloating(dtypes[dtypes.length - 1] as FloatDType) : this;
  }

  /**
   * Converts every floating parameter and buffer (and a parameter's gradient) to float64
   * (PyTorch's `Module.double`); returns this module. The converted parameters are new Parameter
   * objects (a parameter shared by several modules stays shared): make the optimizer after
   * converting, as PyTorch asks for `.cuda()`.
   */
  double(): this {
    return this.castFloating('float64');
  }

  /** Converts every floating parameter and buffer to float32 (PyTorch's `Module.float`); see `double`. */
  float(): this {
    return this.castFloating('float32');
  }

  /**
   * Converts every floating parameter and buffer to bfloat16 (PyTorch's `Module.bfloat16`,
   * rounding to nearest even); see `double`. The optimizers step bfloat16 parameters.
   */
  bfloat16(): this {
    return this.castFloating('bfloat16');
  }

  private castFloating(dtype: FloatDType): this {
    const converted = new Map<Tensor, Tensor>();
    const convert = (t: Tensor): Tensor => {
      let c = converted.get(t);
      if (c === undefined) {
        const data = noGrad(() => t.detach().to(dtype));
        if (t instanceof Parameter) {
          const p = new Parameter(data, t.requiresGrad);
          if (t.grad) p.grad = noGrad(() => (t.grad as Tensor).to(dtype));
          c = p;
        } else {
          c = data;
        }
        converted.set(t, c);
      }
      return c;
    };
    for (const m of this.modules()) {
      const fields = m as unknown as Record<string, unknown>;
      for (const [k, v] of m.ownEntries()) {
        if (!(v instanceof Tensor) || !isFloatingDType(v.dtype) || v.dtype === dtype) continue;
        if (v instanceof Parameter || m._buffers.has(k)) fields[k] = convert(v);
      }
    }
    return this;
  }

  /** This module (every parameter is on the CPU). */
  cpu(): this {
    return this;
  }

  /** An error: myelin has no CUDA backend. */
  cuda(device: DeviceLike | number = 'cuda'): this {
    requireCpu('Module.cuda', typeof device === 'number' ? `cuda:${device}` : device);
    return this;
  }

  /** Calls fn on every submodule (children first) and then on this module. */
  apply(fn: (m: Module) => void): this {
    checkFunction(`${this.constructor.name}.apply`, 'fn', fn);
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Clears the parameters' gradients (PyTorch's `zero_grad`).
   * @param options.setToNone true (the default): `grad` becomes null; false: filled with zeros.
   * @throws TypeError on an unknown option.
   */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone =
      checkOptions(`${this.constructor.name}.zeroGrad`, options, { setToNone: 'boolean' }).setToNone ?? true;
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) p.grad = null;
      else fillRaw(p.grad, 0);
    }
  }

  /**
   * Sets `requiresGrad` on every parameter (PyTorch's `requires_grad_`), to freeze (false) or
   * unfreeze them; returns this.
   */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad = requiresGrad;
    return this;
  }

  // ---- state dict ----

  /** Parameters and persistent buffers by PyTorch key ('0.weight', 'layers.2.bias'). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [key, , , v] of this.stateEntries()) out[key] = v.detach();
    return out;
  }

  /** The state dict's tensors as [key, the module that holds it, its field there, the tensor]. */
  private *stateEntries(): Generator<[string, Module, string, Tensor]> {
    for (const [prefix, m] of this.namedModules()) {
      const key = (k: string) => (prefix ? `${prefix}.${k}` : k);
      for (const [k, v] of m.ownEntries()) if (v instanceof Parameter) yield [key(k), m, k, v];
      for (const name of m._buffers) {
        const v = (m as unknown as Record<string, unknown>)[name];
        if (v instanceof Tensor && !m._nonPersistent.has(name)) yield [key(name), m, name, v];
      }
    }
  }

  /**
   * Copies tensors into this module's parameters and buffers. strict (default): missing or
   * unexpected keys are an error naming them; a shape mismatch is always an error naming the key.
   * A floating tensor is converted to its parameter's or buffer's floating dtype (float32,
   * float64, bfloat16), as PyTorch's `load_state_dict` copies: the module keeps its dtypes; other
   * dtypes must match.
   * A quantized buffer (the weight of a dynamically quantized Linear) is replaced by a copy of the
   * loaded one, its scales and zero points included; its quantization scheme must match.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): LoadResult {
    const strict = checkOptions('loadStateDict', options, { strict: 'boolean' }).strict ?? true;
    if (typeof state !== 'object' || state === null || Array.isArray(state) || state instanceof Tensor)
      throw new TypeError(
        `loadStateDict: state must be a state dict (an object of tensors by name), got ${describe(state)}`,
      );
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in state));
    const unexpectedKeys = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missingKeys.length || unexpectedKeys.length)) {
      const parts = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(', ')}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(', ')}`);
      throw new Error(`loadStateDict: ${parts.join('; ')}`);
    }
    // Every key is checked before any is copied, so a bad state dict changes nothing.
    const copies: (() => void)[] = [];
    for (const [k, m, field, target] of this.stateEntries()) {
      if (!(k in state)) continue;
      const src = state[k];
      if (!(src instanceof Tensor)) throw new TypeError(`loadStateDict: '${k}' must be a Tensor, got ${typeof src}`);
      if (!sameShape(src.shape, target.shape)) {
        throw new RangeError(
          `loadStateDict: size mismatch for '${k}': copying a tensor of shape ${formatShape(src.shape)}, the module has ${formatShape(target.shape)}`,
        );
      }
      if (src.dtype !== target.dtype && !(isFloatingDType(src.dtype) && isFloatingDType(target.dtype))) {
        throw new TypeError(
          `loadStateDict: dtype mismatch for '${k}': got ${src.dtype}, the module has ${target.dtype}`,
        );
      }
      const q = target.storage.quantizer;
      // Between floating dtypes the values are converted into the module's (torch's copy_).
      if (q === null)
        copies.push(() => copyInto(target, src.dtype === target.dtype ? src : copyRaw(src, target.dtype)));
      else {
        const sq = src.storage.quantizer as NonNullable<typeof q>;
        if (sq.scheme !== q.scheme || sq.axis !== q.axis)
          throw new TypeError(
            `loadStateDict: quantization mismatch for '${k}': got ${sq.scheme} (axis ${sq.axis}), the module has ${q.scheme} (axis ${q.axis})`,
          );
        copies.push(() => {
          (m as unknown as Record<string, unknown>)[field] = src.clone();
        });
      }
    }
    noGrad(() => {
      for (const copy of copies) copy();
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** The text inside the parentheses of this module's repr (e.g. 'in_features=2, ...'). */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's repr: the class name, `extraRepr()`, and each child indented on its own line. */
  toString(): string {
    const children = [...this.namedChildren()];
    const name = this.constructor.name;
    const extra = this.extraRepr();
    if (children.length === 0) return `${name}(${extra})`;
    const lines = children.map(([k, m]) => `  (${k}): ${m.toString().split('\n').join('\n  ')}`);
    return `${name}(${extra ? `${extra}\n` : '\n'}${lines.join('\n')}\n)`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A Module argument, or a TypeError naming the function and what it got. */
export function checkModule(op: string, name: string, value: unknown): Module {
  if (!(value instanceof Module)) throw new TypeError(`${op}: ${name} must be an nn.Module, got ${describe(value)}`);
  return value;
}

function removeFrom<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** Writes src's elements into target's storage (same shape), bumping its version. */
export function copyInto(target: Tensor, src: Tensor): void {
  if (src.dtype !== target.dtype) throw new Error(`copyInto: ${src.dtype} into ${target.dtype} (cast it first)`);
  const values = src.toTypedArray();
  const data = target.storage.data;
  const nd = target.ndim;
  const idx = new Array<number>(nd).fill(0);
  let off = target.offset;
  for (let i = 0; i < values.length; i++) {
    data[off] = values[i];
    for (let d = nd - 1; d >= 0; d--) {
      off += target.strides[d];
      if (++idx[d] < target.shape[d]) break;
      off -= idx[d] * target.strides[d];
      idx[d] = 0;
    }
  }
  target.storage.version++;
}
