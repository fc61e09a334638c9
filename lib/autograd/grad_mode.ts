// Whether ops record history for autograd (torch.no_grad / enable_grad).
import { checkBoolean, checkFunction } from '../errors.js';
let enabled = true;

/** Whether ops record history now (`torch.is_grad_enabled`): false inside `noGrad`. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Turns history recording on or off (`torch.set_grad_enabled`).
 * @throws TypeError if value is not a boolean.
 */
export function setGradEnabled(value: boolean): void {
  checkBoolean('setGradEnabled', 'value', value);
  enabled = value;
}

/** Runs fn without recording history (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  checkFunction('noGrad', 'fn', fn);
  const before = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = before;
  }
}

/** Runs fn with history recording on, even inside noGrad (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  checkFunction('enableGrad', 'fn', fn);
  const before = enabled;
  enabled = true;
  try {
    return fn();
  } finally {
    enabled = before;
  }
}
