// Link-time stand-ins for glibc that carry only its ABI up to an older release (the "floor"), so
// that a binary linked on this machine (glibc 2.36) asks for no symbol version newer than the
// floor and loads on every glibc at or above it.
//
// How: glibc never drops a symbol version (old binaries must keep loading), so the machine's own
// libc.so.6, libm.so.6, ... still define every symbol@version back to the architecture's first
// release. For each library we emit a stub shared object with the same soname that defines, for
// every public symbol, the newest version at or below the floor as its default, and nothing
// newer. Linking against the stubs binds each reference to exactly the version a build on the
// floor release would have bound; a function that did not exist yet stays undefined (and
// check_binary.mjs fails the build on it). The stubs are never loaded: at run time the real
// glibc resolves the versioned references.
//
// Functions that moved from libpthread/libdl/librt into libc in glibc 2.34 keep their old
// version (e.g. pthread_create@GLIBC_2.2.5); the binaries also list libpthread.so.0 as needed,
// so on a glibc before 2.34, where pthread_create lives there, it is in the lookup scope.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The libraries a binary may link against, by soname, with the file name the linker asks for. */
const LIBRARIES = [
  { soname: 'libc.so.6', linkName: 'libc.so' },
  { soname: 'libm.so.6', linkName: 'libm.so' },
  { soname: 'libpthread.so.0', linkName: 'libpthread.so' },
  { soname: 'libdl.so.2', linkName: 'libdl.so' },
  { soname: 'librt.so.1', linkName: 'librt.so' },
];
const DYNAMIC_LINKER = { x64: 'ld-linux-x86-64.so.2', arm64: 'ld-linux-aarch64.so.1' };

/** '2.3.4' -> [2, 3, 4], for ordering versions. */
export function parseGlibcVersion(v) {
  return v.split('.').map(Number);
}

export function compareVersions(a, b) {
  const x = parseGlibcVersion(a);
  const y = parseGlibcVersion(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The public symbols a library defines: name -> [{ version, type, size }]. */
function definedSymbols(file) {
  const out = execFileSync('readelf', ['--dyn-syms', '--wide', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const symbols = new Map();
  for (const line of out.split('\n')) {
    // "  1432: 0000000000089380  3821 FUNC    GLOBAL DEFAULT   16 pthread_create@GLIBC_2.2.5"
    const m = /^\s*\d+:\s+[0-9a-f]+\s+(\d+)\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+([^@\s]+)@@?GLIBC_([0-9.]+)(\s|$)/.exec(
      line,
    );
    if (!m) continue;
    const [, size, type, bind, ndx, name, version] = m;
    if (ndx === 'UND' || ndx === 'ABS' || bind === 'LOCAL') continue;
    if (!symbols.has(name)) symbols.set(name, []);
    symbols.get(name).push({ version, type, size: Number(size), weak: bind === 'WEAK' });
  }
  return symbols;
}

/** Every GLIBC_x.y version node the library defines. */
function versionNodes(file) {
  const out = execFileSync('readelf', ['--version-info', '--wide', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const defs = out.split('Version definition section')[1]?.split('Version needs section')[0] ?? '';
  return [...new Set([...defs.matchAll(/Name: GLIBC_([0-9.]+)\b/g)].map((m) => m[1]))];
}

/** The assembly of a stub: each kept symbol bound to its newest version at or below the floor. */
function stubAssembly(symbols, floor) {
  const lines = [];
  let n = 0;
  for (const [name, defs] of [...symbols].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const eligible = defs.filter((d) => compareVersions(d.version, floor) <= 0);
    if (eligible.length === 0) continue;
    const best = eligible.reduce((a, b) => (compareVersions(a.version, b.version) >= 0 ? a : b));
    const local = `myelin_stub_${n++}`;
    const isObject = best.type === 'OBJECT' || best.type === 'TLS';
    const size = Math.max(best.size, 1);
    lines.push(
      isObject ? (best.type === 'TLS' ? '.section .tbss,"awT",%nobits' : '.bss') : '.text',
      `.globl ${local}`,
      best.weak ? `.weak ${local}` : '',
      `.type ${local}, ${best.type === 'TLS' ? '%tls_object' : isObject ? '%object' : '%function'}`,
      `.size ${local}, ${size}`,
      `${local}:`,
      `.zero ${size}`,
      `.symver ${local}, ${name}@@GLIBC_${best.version}`,
    );
  }
  return `${lines.filter(Boolean).join('\n')}\n`;
}

/**
 * Writes the stubs for one architecture and floor into outDir and returns the directory to put
 * first on the linker's search path (-L). `cc` is the target's C compiler (it assembles the
 * stubs and tells where the target's real glibc is).
 */
export function makeGlibcStubs({ arch, floor, cc, outDir }) {
  const stamp = path.join(outDir, 'stamp.json');
  const key = JSON.stringify({ arch, floor, cc, version: 1 });
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return outDir;
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const dynamicLinker = DYNAMIC_LINKER[arch];
  if (!dynamicLinker) throw new Error(`glibc stubs: no dynamic linker known for arch '${arch}'`);
  const realFile = (name) => {
    const p = execFileSync(cc, [`-print-file-name=${name}`], { encoding: 'utf8' }).trim();
    if (!path.isAbsolute(p) || !fs.existsSync(p)) {
      throw new Error(`glibc stubs: ${cc} does not find the target's ${name} (is the target's libc6-dev installed?)`);
    }
    return fs.realpathSync(p);
  };
  for (const soname of [...LIBRARIES.map((l) => l.soname), dynamicLinker]) {
    const real = realFile(soname);
    const nodes = versionNodes(real).filter((v) => compareVersions(v, floor) <= 0);
    const asm = path.join(outDir, `${soname}.s`);
    const map = path.join(outDir, `${soname}.map`);
    fs.writeFileSync(asm, stubAssembly(definedSymbols(real), floor));
    // One version node per release up to the floor; the local aliases stay out of the table.
    fs.writeFileSync(
      map,
      `${nodes.map((v, i) => `GLIBC_${v} {${i === 0 ? ' local: myelin_stub_*;' : ''} };`).join('\n')}\n`,
    );
    execFileSync(cc, [
      '-shared',
      '-nostdlib',
      '-o',
      path.join(outDir, soname),
      asm,
      `-Wl,--version-script=${map}`,
      `-Wl,-soname,${soname}`,
    ]);
  }
  // The names the linker looks for (-lc, -lm, -lpthread ...). libc keeps glibc's own static part
  // (libc_nonshared.a: atexit, pthread_atfork, __stack_chk_fail_local), which calls only
  // long-standing symbols, and pulls in the dynamic linker (for __tls_get_addr) as needed.
  for (const { soname, linkName } of LIBRARIES) {
    const stub = path.join(outDir, soname);
    const script =
      soname === 'libc.so.6'
        ? `GROUP ( ${stub} ${realFile('libc_nonshared.a')} AS_NEEDED ( ${path.join(outDir, dynamicLinker)} ) )`
        : `GROUP ( ${stub} )`;
    fs.writeFileSync(path.join(outDir, linkName), `/* glibc ${floor} ABI stub */\n${script}\n`);
  }
  fs.writeFileSync(stamp, key);
  return outDir;
}
