// Writes a safetensors file with myelin, for scripts/gen_fixtures_safetensors.py to read back in
// Python (the myelin -> Python direction of the interop check). The tensors are the ones
// test/io/safetensors.test.ts builds with sameTensors().
//   node --import ./test/helpers/ts_loader.mjs scripts/write_myelin_safetensors.ts OUT
import { saveSafetensors } from '../lib/io/safetensors.js';
import { interopTensors } from '../test/io/safetensors_interop.js';

const out = process.argv[2];
if (!out) throw new Error('usage: write_myelin_safetensors.ts OUT');
saveSafetensors(out, interopTensors(), { written_by: 'myelin' });
