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
