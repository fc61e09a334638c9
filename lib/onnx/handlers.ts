// The registry of ONNX mappings: op handlers by the name the op was declared with (defineOp),
// module handlers by class name for the modules mapped as a whole (their inner ops are not
// recorded).
import type { OpHandler } from './export.js';
import { registerDiag } from './ops_diag.js';
import { registerIndex } from './ops_index.js';
import { registerLoss } from './ops_loss.js';
import { registerMath } from './ops_math.js';
import { registerModules, registerNn } from './ops_nn.js';
import { registerShape } from './ops_shape.js';
import { registerSpecial } from './ops_special.js';
import { registerWindows } from './ops_window.js';

export const opHandlers = new Map<string, OpHandler>();
export const moduleHandlers = new Map<string, OpHandler>();

const reg = (name: string, h: OpHandler) => opHandlers.set(name, h);
registerMath(reg);
registerShape(reg);
registerSpecial(reg);
registerDiag(reg);
registerWindows(reg);
registerNn(reg);
registerIndex(reg);
registerLoss(reg);
registerModules((name, h) => moduleHandlers.set(name, h));
