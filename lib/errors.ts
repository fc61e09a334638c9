// Errors thrown by the API: they name the op and the values that were wrong.
import { formatShape } from './shape.js';

export class MyelinError extends Error {
  override name = 'MyelinError';
}

export function typeError(op: string, message: string): TypeError {
  return new TypeError(`${op}: ${message}`);
}

export function rangeError(op: string, message: string): RangeError {
  return new RangeError(`${op}: ${message}`);
}

export function shapeError(op: string, message: string): RangeError {
  return new RangeError(`${op}: ${message}`);
}

export { formatShape };

/**
 * Throws when `options` is not a plain options object or has a key outside `allowed`, naming
 * the key and, for a snake_case key, its camelCase spelling (`async_op` -> `asyncOp`): a port
 * from Python must never run with an option silently dropped.
 */
export function checkOptions(op: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${op}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const hint = camel !== key && allowed.includes(camel) ? ` (did you mean '${camel}'?)` : '';
    throw new TypeError(`${op}: unknown option '${key}'${hint}; known options: ${allowed.join(', ')}`);
  }
}
