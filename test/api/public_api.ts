// The package's public API as the type checker sees it (lib/index.ts and every namespace it
// exports): each function, class constructor and method, with its parameters' types. The
// options test and the bad-input sweep enumerate it, so a new export is covered (or the test
// asks for it) without anyone remembering to list it.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type TS from 'typescript';

// Loaded only when the analysis runs (a cache miss): the sweep's child processes never pay for it.
let ts: typeof TS;

export interface ParamInfo {
  name: string;
  optional: boolean;
  /** A rest parameter (...sizes). */
  rest: boolean;
  /** The declared type as the checker prints it ('Tensor', 'number | readonly number[]', ...). */
  type: string;
  /** The keys of the parameter's options object type, when it is one (see isOptionsType). */
  optionKeys: string[] | null;
}

export interface Callable {
  /**
   * As the user writes it: 'conv2d', 'nn.LSTM' (the constructor), 'nn.Module.zeroGrad' (an
   * instance method), 'Tensor.sum', 'Tensor.fromData' (a static method: kind 'function').
   */
  name: string;
  kind: 'function' | 'constructor' | 'method';
  params: ParamInfo[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * An options object type: an object type (or interface) with named properties, no index
 * signature, no call signatures, not a class instance, not an array or tensor, with at least
 * one optional property, a name ending in Options/Option, or written inline.
 */
function optionKeysOf(checker: TS.TypeChecker, type: TS.Type): string[] | null {
  const parts = type.isUnion() ? type.types : [type];
  for (const t of parts) {
    if (!(t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) continue;
    if (checker.isArrayType(t) || checker.isTupleType(t)) continue;
    if (t.getCallSignatures().length || t.getConstructSignatures().length) continue;
    if (t.getStringIndexType() || t.getNumberIndexType()) continue;
    const sym = t.getSymbol() ?? t.aliasSymbol;
    const decl = sym?.declarations?.[0];
    if (decl && ts.isClassDeclaration(decl)) continue;
    const name = t.aliasSymbol?.name ?? sym?.name ?? '';
    const props = checker.getPropertiesOfType(t);
    if (props.length === 0) continue;
    const anyOptional = props.some((p) => p.flags & ts.SymbolFlags.Optional);
    // An inline object type ({ asTuple: true }) is an options bag too, unless it only describes
    // data it reads (every property readonly: { readonly length: number }).
    const readonlyOnly = props.every((p) =>
      (p.declarations ?? []).every((d) => ts.getCombinedModifierFlags(d) & ts.ModifierFlags.Readonly),
    );
    if (!anyOptional && !/Options?$/.test(name) && (name !== '__type' || readonlyOnly)) continue;
    // Iterables (a Sampler, a dataset) are not options.
    if (props.some((p) => p.name.startsWith('__@iterator'))) continue;
    return props.map((p) => p.name);
  }
  return null;
}

function paramsOf(checker: TS.TypeChecker, sig: TS.Signature, at: TS.Node): ParamInfo[] {
  return sig.getParameters().map((p) => {
    const decl = p.valueDeclaration as TS.ParameterDeclaration | undefined;
    const type = checker.getTypeOfSymbolAtLocation(p, at);
    return {
      name: p.name,
      optional: Boolean(decl && (decl.questionToken || decl.initializer || decl.dotDotDotToken)),
      rest: Boolean(decl?.dotDotDotToken),
      type: checker.typeToString(type, at, ts.TypeFormatFlags.NoTruncation).replace(/import\("[^"]*"\)\./g, ''),
      optionKeys: optionKeysOf(checker, checker.getNonNullableType(type)),
    };
  });
}

function isPublicMember(sym: TS.Symbol): boolean {
  if (sym.name.startsWith('_') || sym.name.startsWith('__@') || sym.name === 'constructor') return false;
  const decl = sym.declarations?.[0];
  if (!decl) return false;
  const flags = ts.getCombinedModifierFlags(decl as TS.Declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  // @internal members are not part of the API.
  return !ts.getJSDocTags(decl).some((t) => t.tagName.text === 'internal');
}

function libFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    )
    .sort();
}

let memo: Callable[] | null = null;

/**
 * Every callable of the public API, in a stable order. The type checker takes seconds, so the
 * result is cached on disk, keyed by the contents of lib/ and of this file: the tests that use
 * it pay for one analysis per change of the sources.
 */
export function publicApi(): Callable[] {
  if (memo) return memo;
  const hash = createHash('sha256');
  for (const f of [...libFiles(path.join(root, 'lib')), fileURLToPath(import.meta.url)]) {
    hash.update(f);
    hash.update(fs.readFileSync(f));
  }
  const cacheDir = path.join(root, 'node_modules/.cache/myelin');
  const cacheFile = path.join(cacheDir, `public_api-${hash.digest('hex').slice(0, 16)}.json`);
  if (fs.existsSync(cacheFile)) {
    memo = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Callable[];
    return memo;
  }
  memo = analyse();
  fs.mkdirSync(cacheDir, { recursive: true });
  for (const old of fs.readdirSync(cacheDir))
    if (old.startsWith('public_api-')) fs.rmSync(path.join(cacheDir, old), { force: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(memo));
  fs.renameSync(tmp, cacheFile);
  return memo;
}

function analyse(): Callable[] {
  ts = createRequire(import.meta.url)('typescript') as typeof TS;
  const program = ts.createProgram([path.join(root, 'lib/index.ts')], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(root, 'lib/index.ts'))!;
  const out: Callable[] = [];
  const seenClasses = new Set<TS.Symbol>();

  const addMethods = (
    prefix: string,
    type: TS.Type,
    at: TS.Node,
    declaredIn: (d: TS.Declaration) => boolean,
    kind: 'method' | 'function' = 'method',
  ) => {
    for (const m of checker.getPropertiesOfType(type)) {
      if (!isPublicMember(m)) continue;
      const decls = m.declarations ?? [];
      if (!decls.some(declaredIn)) continue;
      const mt = checker.getTypeOfSymbolAtLocation(m, at);
      const sigs = mt.getCallSignatures();
      if (sigs.length === 0) continue;
      const sig = sigs.reduce((a, b) => (b.getParameters().length > a.getParameters().length ? b : a));
      out.push({ name: `${prefix}.${m.name}`, kind, params: paramsOf(checker, sig, at) });
    }
  };

  const walk = (moduleSym: TS.Symbol, prefix: string) => {
    for (let sym of checker.getExportsOfModule(moduleSym)) {
      const name = prefix ? `${prefix}.${sym.name}` : sym.name;
      if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      if (sym.flags & ts.SymbolFlags.ValueModule || (sym.flags & ts.SymbolFlags.Module && sym.exports)) {
        if (sym.valueDeclaration && ts.isSourceFile(sym.valueDeclaration)) {
          walk(sym, name);
          continue;
        }
      }
      if (sym.flags & ts.SymbolFlags.Class) {
        if (seenClasses.has(sym)) continue;
        seenClasses.add(sym);
        const decl = sym.valueDeclaration as TS.ClassDeclaration;
        const ctorType = checker.getTypeOfSymbolAtLocation(sym, index);
        const abstract = ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Abstract;
        const ctors = ctorType.getConstructSignatures();
        if (!abstract && ctors.length) {
          const sig = ctors.reduce((a, b) => (b.getParameters().length > a.getParameters().length ? b : a));
          out.push({ name, kind: 'constructor', params: paramsOf(checker, sig, index) });
        }
        // Methods declared by this class (inherited ones are listed under the class declaring them),
        // plus, for Tensor, the methods the ops files add by interface augmentation.
        const instance = checker.getDeclaredTypeOfSymbol(sym);
        addMethods(name, instance, index, (d) => d.parent === decl || sym.name === 'Tensor');
        // Static methods (nn.Embedding.fromPretrained) are functions reached through the class.
        addMethods(
          name,
          ctorType,
          index,
          (d) => d.parent === decl && d.kind === ts.SyntaxKind.MethodDeclaration,
          'function',
        );
        continue;
      }
      if (sym.flags & ts.SymbolFlags.Function || sym.flags & ts.SymbolFlags.Variable) {
        const t = checker.getTypeOfSymbolAtLocation(sym, index);
        const sigs = t.getCallSignatures();
        if (sigs.length === 0) continue;
        const sig = sigs.reduce((a, b) => (b.getParameters().length > a.getParameters().length ? b : a));
        out.push({ name, kind: 'function', params: paramsOf(checker, sig, index) });
      }
    }
  };
  walk(checker.getSymbolAtLocation(index)!, '');
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
