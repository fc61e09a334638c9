// Writes a torch.save-format file with myelin's saveTorch, for scripts/check_save_torch.py to read
// back with torch.load (the myelin -> PyTorch direction). The object is test/io/torch_interop.ts's.
//   node --import ./test/helpers/ts_loader.mjs scripts/write_myelin_torch.ts OUT [--state]
// --state writes only the object's tensors (its 'state' dict).
import { saveTorch } from '../lib/io/torch.js';
import { torchInteropObject } from '../test/io/torch_interop.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_myelin_torch.ts OUT');
const obj = torchInteropObject();
saveTorch(process.argv[3] === '--state' ? obj.state : obj, out);
