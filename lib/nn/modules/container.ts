// Containers: Sequential, ModuleList, ModuleDict; and the pass-through Identity.
import { checkIterable, describe } from '../../errors.js';
import { Module } from '../module.js';

/** Runs its modules in order, each on the previous output. Children are named '0', '1', ... */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.append(m, i));
  }

  private append(m: Module, i: number): void {
    if (!(m instanceof Module)) throw new TypeError(`Sequential: argument ${i} must be a Module, got ${typeof m}`);
    (this as unknown as Record<string, Module>)[String(i)] = m;
  }

  /** The number of modules. */
  get length(): number {
    return [...this.namedChildren()].length;
  }

  // What the first module takes and the last returns (a Tensor mostly, a tuple after an LSTM):
  // any, as PyTorch's Sequential, so call() results are used without a cast.
  // biome-ignore lint/suspicious/noExplicitAny: see above
  forward(x: any): any {
    let out: unknown = x;
    for (const m of this.children()) out = m.call(out);
    return out;
  }

  /** The modules, in order. */
  *[Symbol.iterator](): Iterator<Module> {
    yield* this.children();
  }
}

/** A list of modules, registered as children '0', '1', ...; it has no forward of its own. */
export class ModuleList extends Module {
  [index: number]: Module;

  constructor(modules: Iterable<Module> = []) {
    super();
    for (const m of checkIterable<Module>('nn.ModuleList', 'modules', modules, 'an iterable of Modules')) this.push(m);
  }

  /** The number of modules. */
  get length(): number {
    return [...this.namedChildren()].length;
  }

  /**
   * Appends a module (PyTorch's `append`); returns this.
   * @throws TypeError if m is not a Module.
   */
  push(m: Module): this {
    if (!(m instanceof Module)) throw new TypeError(`ModuleList.push: expected a Module, got ${typeof m}`);
    (this as unknown as Record<string, Module>)[String(this.length)] = m;
    return this;
  }

  forward(): never {
    throw new Error('nn.ModuleList.forward: a ModuleList has no forward; iterate over it and call its modules');
  }

  /** The modules, in order. */
  *[Symbol.iterator](): Iterator<Module> {
    yield* this.children();
  }
}

/** Modules by name; it has no forward of its own. */
export class ModuleDict extends Module {
  constructor(modules: Record<string, Module> = {}) {
    super();
    if (typeof modules !== 'object' || modules === null || Array.isArray(modules))
      throw new TypeError(`nn.ModuleDict: modules must be an object of Modules by name, got ${describe(modules)}`);
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  /**
   * Adds or replaces the module under key (PyTorch's `dict[key] = m`); returns this.
   * @throws TypeError if m is not a Module.
   */
  set(key: string, m: Module): this {
    if (!(m instanceof Module)) throw new TypeError(`ModuleDict.set: '${key}' must be a Module, got ${typeof m}`);
    (this as unknown as Record<string, Module>)[key] = m;
    return this;
  }

  /** The module under key, or undefined (PyTorch's `dict[key]`). */
  get(key: string): Module | undefined {
    const v = (this as unknown as Record<string, unknown>)[key];
    return v instanceof Module ? v : undefined;
  }

  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }

  forward(): never {
    throw new Error('nn.ModuleDict.forward: a ModuleDict has no forward; look modules up by key and call them');
  }
}

export class Identity extends Module {
  forward<T>(x: T): T {
    return x;
  }
}
