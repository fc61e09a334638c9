// Makes Jazzer.js's libFuzzer addon load on glibc 2.36 (Debian 12), where the prebuilt binary
// that @jazzer.js/fuzzer 4.0.0 ships does not: it was linked against glibc 2.38 and GCC 13's
// libstdc++, and asks for three symbols of those versions, nothing else newer:
//   __isoc23_strtol, __isoc23_strtoul (GLIBC_2.38): strtol/strtoul as C23 defines them, which
//     differ from C17's only in also reading a 0b prefix when the base is 0 or 2;
//   std::ios_base_library_init() (GLIBCXX_3.4.32): named by GCC 13's <iostream> only to pull
//     libstdc++'s stream initialisation into the link; never called (no relocation uses it).
// The package ships no sources to rebuild it (and the sources of 2.x need a libFuzzer fork from
// GitHub). So where the stock binary does not load, this writes a copy beside it in which the two
// strto* imports are the C17 functions (their names in .dynstr shortened in place, their version
// index set to "global": the default strtol of the running glibc), and the two version needs are
// marked weak (VER_FLG_WEAK: a missing weak version is not an error for the dynamic loader).
// @jazzer.js/fuzzer's loader looks in dist/prebuilds before prebuilds, so it picks the copy up.
// Anything else in the binary that needs a newer version is refused with an error.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const SHT_DYNSYM = 11;
const SHT_GNU_VERNEED = 0x6ffffffe;
const SHT_GNU_VERSYM = 0x6fffffff;
const VER_FLG_WEAK = 2;
const VER_NDX_GLOBAL = 1;
/** The versions the binary may ask for that Debian 12 lacks, and what each import becomes. */
const NEWER = new Set(['GLIBC_2.38', 'GLIBCXX_3.4.32']);
const RENAME = { __isoc23_strtol: 'strtol', __isoc23_strtoul: 'strtoul', _ZSt21ios_base_library_initv: null };

function cstring(buf, at) {
  return buf.toString('latin1', at, buf.indexOf(0, at));
}

/** The bytes of `elf` (a 64-bit little-endian shared object) with the imports above rebound. */
export function rebindNewerImports(elf) {
  const out = Buffer.from(elf);
  if (out.readUInt32BE(0) !== 0x7f454c46 || out[4] !== 2 || out[5] !== 1) {
    throw new Error('jazzer_addon: not a 64-bit little-endian ELF file');
  }
  const shoff = Number(out.readBigUInt64LE(0x28));
  const shentsize = out.readUInt16LE(0x3a);
  const sections = Array.from({ length: out.readUInt16LE(0x3c) }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      type: out.readUInt32LE(at + 4),
      offset: Number(out.readBigUInt64LE(at + 0x18)),
      size: Number(out.readBigUInt64LE(at + 0x20)),
      link: out.readUInt32LE(at + 0x28),
    };
  });
  const find = (type) => {
    const s = sections.find((x) => x.type === type);
    if (!s) throw new Error(`jazzer_addon: no section of type 0x${type.toString(16)}`);
    return s;
  };
  const dynsym = find(SHT_DYNSYM);
  const dynstr = sections[dynsym.link].offset;
  const versym = find(SHT_GNU_VERSYM).offset;
  // The version needs: weaken the newer ones and note their indices.
  const newer = new Map();
  const verneed = find(SHT_GNU_VERNEED).offset;
  for (let vn = verneed, more = true; more; ) {
    const count = out.readUInt16LE(vn + 2);
    let aux = vn + out.readUInt32LE(vn + 8);
    for (let k = 0; k < count; k++) {
      const name = cstring(out, dynstr + out.readUInt32LE(aux + 8));
      if (NEWER.has(name)) {
        out.writeUInt16LE(out.readUInt16LE(aux + 4) | VER_FLG_WEAK, aux + 4);
        newer.set(out.readUInt16LE(aux + 6) & 0x7fff, name);
      }
      aux += out.readUInt32LE(aux + 12);
    }
    const next = out.readUInt32LE(vn + 12);
    more = next !== 0;
    vn += next;
  }
  // The imports of those versions.
  const symbols = dynsym.size / 24;
  const nameOffsets = Array.from({ length: symbols }, (_, i) => out.readUInt32LE(dynsym.offset + i * 24));
  for (let i = 0; i < symbols; i++) {
    const version = newer.get(out.readUInt16LE(versym + 2 * i) & 0x7fff);
    if (!version) continue;
    const name = cstring(out, dynstr + nameOffsets[i]);
    if (!(name in RENAME))
      throw new Error(`jazzer_addon: the addon needs ${name}@${version}, which this cannot rebind`);
    const to = RENAME[name];
    if (to === null) continue;
    // The new name is a prefix-free rewrite of the old one's bytes: no other symbol may share them.
    const start = nameOffsets[i];
    const end = start + name.length;
    if (nameOffsets.some((o, j) => j !== i && o >= start && o <= end)) {
      throw new Error(`jazzer_addon: ${name}'s name is shared with another symbol`);
    }
    out.fill(0, dynstr + start, dynstr + end);
    out.write(to, dynstr + start, 'latin1');
    out.writeUInt16LE(VER_NDX_GLOBAL, versym + 2 * i);
  }
  return out;
}

/**
 * Checks that @jazzer.js/fuzzer's addon loads here; where the stock binary cannot, writes the
 * rebound copy where the package's loader looks first. Returns what it did, for the log.
 */
export function ensureLoadableFuzzer() {
  const pkg = dirname(require.resolve('@jazzer.js/fuzzer/package.json'));
  const file = `fuzzer-${process.platform}-${process.arch}.node`;
  const stock = join(pkg, 'prebuilds', file);
  const preferred = join(pkg, 'dist', 'prebuilds', file);
  try {
    require(stock);
    return `the stock ${file} loads`;
  } catch (e) {
    if (!/version `(GLIBC|GLIBCXX)_[0-9.]+' not found/.test(e.message)) throw e;
    if (!existsSync(stock)) throw e;
    mkdirSync(dirname(preferred), { recursive: true });
    writeFileSync(preferred, rebindNewerImports(readFileSync(stock)));
    require(preferred);
    return `the stock ${file} needs a newer glibc (${e.message.match(/version `[^']+'/)[0]}): using a copy with its C23 strtol/strtoul imports rebound to C17's`;
  }
}
