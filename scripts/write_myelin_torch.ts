// Writes a torch.save-format file with myelin's saveTorch, for scripts/check_save_torch.py to read
// back with torch.load (the myelin -> PyTorch direction). The object is test/io/torch_interop.ts's.
//   node --import ./test/helpers/ts_loader.mjs scripts/write_myelin_torch.ts OUT [--state | --resave IN]
// --state writes only the object's tensors (its 'state' dict); --resave IN writes what loadTorch
// read from IN (a file torch.save wrote: the quantized tensors' way back).
import { loadTorch, saveTorch } from '../lib/io/torch.js';
import { torchInteropObject } from '../test/io/torch_interop.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_myelin_torch.ts OUT');
if (process.argv[3] === '--resave') {
  saveTorch(loadTorch(process.argv[4]), out);
} else {
  const obj = torchInteropObject();
  saveTorch(process.argv[3] === '--state' ? obj.state : obj, out);
}
