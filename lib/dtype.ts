// Element types and their typed-array storage.
/** The element types a Tensor holds: float32 (the default), int32 (indices, counts) and bool (masks). */
export type DType = 'float32' | 'int32' | 'bool';
export type TypedArray = Float32Array | Int32Array | Uint8Array;

export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

/** The dtype a typed array stores; any other kind of array is an error (a Float64Array is not 'bool'). */
export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array && data.constructor === Uint8Array) return 'bool';
  const what = ArrayBuffer.isView(data) ? `a ${data.constructor.name}` : data === null ? 'null' : typeof data;
  throw new TypeError(
    `Storage: data must be a Float32Array (float32), an Int32Array (int32) or a Uint8Array (bool), got ${what}; ` +
      'copy other data with tensor(...), which converts it',
  );
}

export function isDType(x: unknown): x is DType {
  return x === 'float32' || x === 'int32' || x === 'bool';
}

/** The dtype two operands promote to (bool < int32 < float32), as torch's type promotion. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}
