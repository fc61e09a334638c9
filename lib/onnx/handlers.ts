// The registry of ONNX mappings: op handlers by the name the op was declared with (defineOp),
// module handlers by class name for the modules mapped as a whole (their inner ops are not
// recorded).
import type { OpHandler } from './export.js';
import { registerDiag } from './ops_diag.js';
import { registerDivision } from './ops_division.js';
import { registerIndex } from './ops_index.js';
import { registerLoss } from './ops_loss.js';
import { registerMath } from './ops_math.js';
import { registerModules, registerNn } from './ops_nn.js';
import { registerShape } from './ops_shape.js';
import { registerSpecial } from './ops_special.js';
import { registerWindows } from './ops_window.js';

/**
 * The ONNX mapping of each exportable op, by the name it was declared with (defineOp's
 * `name`): a handler adds the op's nodes to the graph and returns the names of its outputs.
 * An op recorded in a forward with no entry here makes `onnx.export` throw ExportError naming
 * it; set an entry to export an op of your own (torch.onnx.register_custom_op_symbolic).
 */
export const opHandlers = new Map<string, OpHandler>();
/**
 * The modules exported as a whole, by class name (their inner ops are not recorded): a
 * handler emits the module's nodes from its parameters and inputs, as opHandlers' do.
 */
export const moduleHandlers = new Map<string, OpHandler>();

const reg = (name: string, h: OpHandler) => opHandlers.set(name, h);
registerMath(reg);
registerDivision(reg);
registerShape(reg);
registerSpecial(reg);
registerDiag(reg);
registerWindows(reg);
registerNn(reg);
registerIndex(reg);
registerLoss(reg);
registerModules((name, h) => moduleHandlers.set(name, h));
