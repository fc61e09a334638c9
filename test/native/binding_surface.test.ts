// The seam between lib/native.ts and the addon: the functions NativeBinding declares are the ones
// the addon exports (names, order, arity), and every op-code table of lib/native.ts matches the
// addon's (the names in code order). The addon's side comes from bindingInfo(), which reads the
// C++ export and op-code tables themselves; lib/native.ts is read with the TypeScript compiler.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as nativeModule from '../../lib/native.js';
import { native } from '../../lib/native.js';
import { repoRoot } from '../helpers/addon_path.js';

/**
 * [name, arity] of each function of interface NativeBinding, in declaration order: its methods,
 * and its properties typed by a function type alias of the same file (layerNorm: RowNorm).
 */
function declaredMethods(): [string, number][] {
  const file = path.join(repoRoot, 'lib/native.ts');
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const functionTypes = new Map<string, ts.FunctionTypeNode>();
  source.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node) && ts.isFunctionTypeNode(node.type))
      functionTypes.set(node.name.text, node.type);
  });
  const parameters = (m: ts.TypeElement): ts.NodeArray<ts.ParameterDeclaration> | undefined => {
    if (ts.isMethodSignature(m)) return m.parameters;
    if (ts.isPropertySignature(m) && m.type && ts.isTypeReferenceNode(m.type) && ts.isIdentifier(m.type.typeName))
      return functionTypes.get(m.type.typeName.text)?.parameters;
    return undefined;
  };
  let out: [string, number][] | null = null;
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== 'NativeBinding') return;
    out = node.members.flatMap((m): [string, number][] => {
      const params = parameters(m);
      if (!params) return [];
      // The arity counts the parameters before any rest parameter (rnnCell's arrays).
      const fixed = params.filter((p) => !p.dotDotDotToken && !p.questionToken).length;
      return [[(m.name as ts.Identifier).text, fixed]];
    });
  });
  if (!out) throw new Error('lib/native.ts declares no interface NativeBinding');
  return out;
}

describe('lib/native.ts against the addon', () => {
  const info = native.bindingInfo();

  it('declares exactly the exported functions, in export order, with their arities', () => {
    expect(declaredMethods()).toEqual(info.functions);
    expect(Object.keys(native).sort()).toEqual(info.functions.map(([name]) => name).sort());
  });

  it('mirrors every op-code table, name for name in code order', () => {
    const tables = nativeModule as unknown as Record<string, Record<string, number> | undefined>;
    expect(Object.keys(info.opCodes).length).toBeGreaterThanOrEqual(7);
    for (const [table, names] of Object.entries(info.opCodes)) {
      const mirror = tables[table];
      expect(mirror, `lib/native.ts exports no op-code table ${table}`).toBeTypeOf('object');
      const entries = Object.entries(mirror as Record<string, number>).sort((a, b) => a[1] - b[1]);
      expect(
        entries.map(([, code]) => code),
        `${table}: codes 0..n-1`,
      ).toEqual(names.map((_, i) => i));
      expect(
        entries.map(([name]) => name),
        table,
      ).toEqual(names);
    }
  });

  it('checks the arity of every function before its arguments', () => {
    const call = native as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const [name, arity] of info.functions) {
      if (arity === 0) continue;
      expect(() => call[name](), name).toThrow(new RegExp(`^${name}: expected ${arity} arguments, got 0$`));
    }
  });
});
