// An ONNX graph under construction: nodes, initializers and value names, and its encoding as a
// ModelProto (protobuf) through proto.ts.
import type { DType, TypedArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { AttributeType, DataType, ModelProto } from './proto.js';

export type AttrValue = number | string | number[] | string[] | { float: number } | { floats: number[] } | TensorValue;

/** A constant tensor for an attribute or an initializer. */
export interface TensorValue {
  dtype: DType | 'int64';
  shape: readonly number[];
  data: ArrayLike<number> | readonly bigint[];
}

interface NodeSpec {
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  name: string;
}

export interface ValueInfo {
  name: string;
  dtype: DType;
  /** Numbers for fixed dims, strings for symbolic (dynamic) ones. */
  shape: (number | string)[];
}

const ELEM: Partial<Record<TensorValue['dtype'], number>> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int32: DataType.INT32,
  bool: DataType.BOOL,
  int64: DataType.INT64,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
};

/**
 * Why a bfloat16 tensor cannot be exported: ONNX has a BFLOAT16 type, but onnxruntime's CPU
 * provider (1.31) has no bfloat16 kernel for Add, Mul, MatMul, Gemm, Relu, Sigmoid (nor does
 * its Node binding take bfloat16 tensors), so such a model would not run where myelin checks it.
 */
export function bfloat16ExportError(what: string): TypeError {
  return new TypeError(
    `onnx.export: ${what} is bfloat16, which is not exported (onnxruntime's CPU provider has no bfloat16 kernels for the ops of a model); export model.float() instead`,
  );
}

export function elemType(dtype: TensorValue['dtype']): number {
  if (dtype === 'bfloat16') throw bfloat16ExportError('a tensor of the traced graph');
  const e = ELEM[dtype];
  if (e === undefined) throw new TypeError(`onnx.export: ${dtype} tensors cannot be exported (dequantize() first)`);
  return e;
}

function rawBytes(v: TensorValue): Uint8Array {
  const n = v.data.length;
  switch (v.dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(v.data as ArrayLike<number>).buffer);
    case 'float64':
      return new Uint8Array(Float64Array.from(v.data as ArrayLike<number>).buffer);
    case 'int32':
      return new Uint8Array(Int32Array.from(v.data as ArrayLike<number>).buffer);
    case 'bool':
      return Uint8Array.from(v.data as ArrayLike<number>, (x) => (x ? 1 : 0));
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(v.data[i] as number | bigint);
      return new Uint8Array(out.buffer);
    }
    case 'int8':
      return new Uint8Array(Int8Array.from(v.data as ArrayLike<number>).buffer);
    case 'uint8':
      return Uint8Array.from(v.data as ArrayLike<number>);
    default:
      throw new TypeError(`onnx.export: ${v.dtype} tensors cannot be exported (dequantize() first)`);
  }
}

function tensorProto(name: string, v: TensorValue) {
  return { name, dims: [...v.shape], dataType: elemType(v.dtype), rawData: rawBytes(v) };
}

function isTensorValue(v: AttrValue): v is TensorValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dtype' in v;
}

function attribute(name: string, v: AttrValue) {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`onnx: attribute ${name} = ${v} must be an integer (wrap floats)`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: Buffer.from(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string'))
      return { name, type: AttributeType.STRINGS, strings: (v as string[]).map((s) => Buffer.from(s)) };
    return { name, type: AttributeType.INTS, ints: v as number[] };
  }
  if (isTensorValue(v)) return { name, type: AttributeType.TENSOR, t: tensorProto('', v) };
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

/** The values of a myelin tensor as a TensorValue (row-major copy). */
export function tensorValue(t: Tensor): TensorValue {
  return { dtype: t.dtype, shape: t.shape, data: t.toTypedArray() as TypedArray };
}

export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers = new Map<string, TensorValue>();
  private counter = 0;
  private readonly usedNames = new Set<string>();

  /** A value name not used before, from a readable stem. */
  fresh(stem: string): string {
    let name = stem;
    while (this.usedNames.has(name)) name = `${stem}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  reserve(name: string): void {
    if (this.usedNames.has(name)) throw new Error(`onnx.export: the name '${name}' is used twice`);
    this.usedNames.add(name);
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
  node(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    outputs: number | string[] = 1,
  ): string[] {
    const outs =
      typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(`/${opType}_out`)) : outputs;
    this.nodes.push({ opType, inputs, outputs: outs, attrs, name: this.fresh(`/${opType}`) });
    return outs;
  }

  /** Adds a node with one output and returns it. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, attrs, 1)[0];
  }

  /** An initializer holding `value`; returns its name. */
  constant(value: TensorValue, stem = 'const'): string {
    const name = this.fresh(stem);
    this.initializers.set(name, value);
    return name;
  }

  /** A 1-D int64 initializer (shapes, axes, pads). */
  ints(values: readonly number[], stem = 'const'): string {
    return this.constant({ dtype: 'int64', shape: [values.length], data: values }, stem);
  }

  /** A float32 scalar (0-d) initializer. */
  scalar(value: number, dtype: DType = 'float32'): string {
    return this.constant({ dtype, shape: [], data: [value] }, 'scalar');
  }

  /** Renames a value everywhere (for naming graph outputs). */
  rename(from: string, to: string): void {
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((x) => (x === from ? to : x));
      n.outputs = n.outputs.map((x) => (x === from ? to : x));
    }
  }

  /** The ModelProto bytes. */
  encode(inputs: ValueInfo[], outputs: ValueInfo[], opset: number, producerVersion: string): Uint8Array {
    const info = (v: ValueInfo) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: elemType(v.dtype),
          shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
    const model = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      producerName: 'myelin',
      producerVersion,
      graph: {
        name: 'main_graph',
        node: this.nodes.map((n) => ({
          input: n.inputs,
          output: n.outputs,
          name: n.name,
          opType: n.opType,
          attribute: Object.entries(n.attrs).map(([k, v]) => attribute(k, v)),
        })),
        initializer: [...this.initializers].map(([name, v]) => tensorProto(name, v)),
        input: inputs.map(info),
        output: outputs.map(info),
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`onnx.export: internal error encoding the model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}
