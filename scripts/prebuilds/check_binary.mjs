#!/usr/bin/env node
// Checks that built native modules are portable, from what the files themselves declare:
//   node scripts/prebuilds/check_binary.mjs [--glibc-floor 2.28] FILE_OR_DIR...
// Linux (ELF, read with binutils' readelf, any architecture):
//   - the shared libraries it needs are glibc's own (libc, libm, libpthread, libdl, librt, the
//     dynamic linker) plus those its module is allowed below: no libstdc++, no libgcc_s;
//   - no symbol version newer than the floor (GLIBC_x.y <= floor; GLIBC_PRIVATE never), and no
//     GLIBCXX_/CXXABI_/GCC_ version at all (libstdc++ and libgcc are linked in statically);
//   - every strong undefined symbol is versioned (bound to a library at link time) or is
//     Node-API's (napi_*, node_api_*, resolved from the node executable): an unversioned one is a
//     function the floor's glibc lacks, which would fail at load or at its first call;
//   - it exports only Node-API's module entry points (a static libstdc++ stays private);
//   - no RPATH/RUNPATH and no text relocations.
// Windows (PE, read with mingw-w64's objdump): imports only system DLLs and node.exe (no
// libstdc++-6.dll, libgcc_s_*.dll, libwinpthread-1.dll), exports only the module entry points.
// Prints what each file needs; exits 1 on any violation.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVersions } from './glibc_stubs.mjs';
import { GLIBC_FLOOR } from './targets.mjs';

const GLIBC_LIBS = [
  'libc.so.6',
  'libm.so.6',
  'libpthread.so.0',
  'libdl.so.2',
  'librt.so.1',
  'ld-linux-x86-64.so.2',
  'ld-linux-aarch64.so.1',
];

// Shared libraries a module other than the core may need beyond glibc, by module (file name
// up to its first dot), with their symbol versions. The core addon, `myelin`, needs nothing but
// glibc; a module missing here may need nothing else either.
const EXTRA_LIBS = {
  // Distributed training over Debian's Gloo (libgloo0), loaded only when used; libgloo.so.0
  // passes C++ objects and exceptions across its interface, so the C++ runtime is shared there.
  myelin_distributed: ['libgloo.so.0', 'libstdc++.so.6', 'libgcc_s.so.1'],
};
// Unversioned symbols a module may take from its extra libraries (libgloo.so.0 has no symbol
// versions): C++ names in Gloo's namespace.
const UNVERSIONED_FROM_EXTRA = { myelin_distributed: /^_Z\w*4gloo/ };

const ENTRY_POINTS = new Set(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
const WINDOWS_SYSTEM_DLLS = /^(kernel32|msvcrt|ucrtbase|api-ms-win-[a-z0-9-]+|advapi32|ws2_32|ntdll|bcrypt)\.dll$/i;

function run(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
}

function moduleName(file) {
  return path.basename(file).split('.')[0];
}

/** What an ELF shared object needs and provides, from readelf. */
export function readElf(file) {
  const header = run('readelf', ['--file-header', '--wide', file]);
  const machine = /Machine:\s+(.+)/.exec(header)?.[1].trim() ?? '?';
  const dynamic = run('readelf', ['--dynamic', '--wide', file]);
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g)].map((m) => m[1]);
  const rpath = [...dynamic.matchAll(/\((RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.+?)\]/g)].map((m) => m[2]);
  const textrel = /\(TEXTREL\)|\(FLAGS\).*TEXTREL/.test(dynamic);
  // Version needs: "  0x0010:   Name: GLIBC_2.14  Flags: none  Version: 3" under "File: libc.so.6".
  const versions = run('readelf', ['--version-info', '--wide', file]);
  const needs = [];
  const needsPart = versions.split('Version needs section')[1] ?? '';
  let lib = '';
  for (const line of needsPart.split('\n')) {
    const f = /File: (\S+)/.exec(line);
    if (f) lib = f[1];
    const v = /Name: (\S+)\s+Flags: (\S+)/.exec(line);
    if (v && lib) needs.push({ lib, version: v[1], weak: v[2] === 'WEAK' });
  }
  const undefinedSyms = [];
  const exported = [];
  for (const line of run('readelf', ['--dyn-syms', '--wide', file]).split('\n')) {
    // "    12: 0000000000000000     0 FUNC    GLOBAL DEFAULT  UND memcpy@GLIBC_2.14 (4)"
    const m = /^\s*\d+:\s+[0-9a-f]+\s+\S+\s+(\w+)\s+(\w+)\s+\w+\s+(\w+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, type, bind, ndx, full] = m;
    if (bind === 'LOCAL') continue;
    const [name, version] = full.split(/@@?/);
    if (ndx === 'UND') undefinedSyms.push({ name, version, weak: bind === 'WEAK', type });
    else exported.push(name);
  }
  return { machine, needed, rpath, textrel, needs, undefinedSyms, exported };
}

/** Violations of the policy above for one ELF file, and a summary of what it needs. */
export function checkElf(file, floor = GLIBC_FLOOR) {
  const info = readElf(file);
  const problems = [];
  const allowed = new Set([...GLIBC_LIBS, ...(EXTRA_LIBS[moduleName(file)] ?? [])]);
  for (const lib of info.needed) {
    if (!allowed.has(lib))
      problems.push(
        `needs shared library ${lib} (allowed: glibc's own${allowed.size > GLIBC_LIBS.length ? " and this module's list" : ''})`,
      );
  }
  for (const p of info.rpath) problems.push(`has an RPATH/RUNPATH (${p})`);
  if (info.textrel) problems.push('has text relocations');
  let maxGlibc = '';
  for (const { lib, version } of info.needs) {
    const g = /^GLIBC_([0-9.]+)$/.exec(version);
    if (g) {
      if (compareVersions(g[1], floor) > 0)
        problems.push(`needs ${version} from ${lib}, newer than the floor GLIBC_${floor}`);
      if (!maxGlibc || compareVersions(g[1], maxGlibc) > 0) maxGlibc = g[1];
    } else if (version === 'GLIBC_PRIVATE' || !EXTRA_LIBS[moduleName(file)]?.includes(lib)) {
      problems.push(
        /^(GLIBCXX|CXXABI|GCC)_/.test(version)
          ? `needs ${version} from ${lib}: libstdc++/libgcc must be linked statically`
          : `needs ${version} from ${lib}`,
      );
    }
  }
  for (const s of info.undefinedSyms) {
    if (s.version || s.weak || /^(napi|node_api)_/.test(s.name)) continue;
    if (UNVERSIONED_FROM_EXTRA[moduleName(file)]?.test(s.name)) continue;
    problems.push(`undefined symbol ${s.name} is bound to no library (not in glibc ${floor}?)`);
  }
  const extraExports = info.exported.filter((n) => !ENTRY_POINTS.has(n));
  if (extraExports.length > 0) {
    problems.push(
      `exports ${extraExports.length} symbols besides the module entry points (e.g. ${extraExports.slice(0, 3).join(', ')}): a static library's symbols are not hidden`,
    );
  }
  if (!info.exported.includes('napi_register_module_v1')) problems.push('does not export napi_register_module_v1');
  const summary = `${info.machine}; needs ${info.needed.join(', ') || 'nothing'}; newest symbol version GLIBC_${maxGlibc || '-'}`;
  return { problems, summary, info };
}

/** Violations for one PE (Windows) DLL. */
export function checkPe(file) {
  const dump = run('x86_64-w64-mingw32-objdump', ['--private-headers', file]);
  const machine = /architecture: (\S+)/.exec(run('x86_64-w64-mingw32-objdump', ['-f', file]))?.[1] ?? '?';
  const dlls = [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]);
  const problems = [];
  for (const dll of dlls) {
    if (!WINDOWS_SYSTEM_DLLS.test(dll) && dll.toLowerCase() !== 'node.exe') {
      problems.push(`imports ${dll}, which a Windows machine does not have (link it statically)`);
    }
  }
  const exportPart = dump.split('[Ordinal/Name Pointer] Table')[1] ?? '';
  const exported = [...exportPart.matchAll(/^\s+\[\s*\d+\] (\S+)/gm)].map((m) => m[1]);
  const extra = exported.filter((n) => !ENTRY_POINTS.has(n));
  if (extra.length > 0) problems.push(`exports ${extra.join(', ')} besides the module entry points`);
  if (!exported.includes('napi_register_module_v1')) problems.push('does not export napi_register_module_v1');
  return { problems, summary: `${machine}; imports ${dlls.join(', ')}`, info: { dlls, exported } };
}

export function checkFile(file, floor = GLIBC_FLOOR) {
  const magic = fs.readFileSync(file).subarray(0, 4);
  if (magic[0] === 0x7f && magic.toString('latin1', 1, 4) === 'ELF') return checkElf(file, floor);
  if (magic[0] === 0x4d && magic[1] === 0x5a) return checkPe(file);
  return { problems: ['is neither an ELF nor a PE file'], summary: '?', info: {} };
}

function nodeFiles(entry) {
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry, { recursive: true })
    .filter((f) => f.endsWith('.node'))
    .map((f) => path.join(entry, f))
    .sort();
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  const args = process.argv.slice(2);
  let floor = GLIBC_FLOOR;
  const i = args.indexOf('--glibc-floor');
  if (i >= 0) [floor] = args.splice(i, 2).slice(1);
  const files = args.flatMap(nodeFiles);
  if (files.length === 0) {
    console.error('check_binary: no .node files given');
    process.exit(1);
  }
  let failed = 0;
  for (const file of files) {
    const { problems, summary } = checkFile(file, floor);
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${path.relative(process.cwd(), file)}: ${summary}`);
    for (const p of problems) console.log(`       ${p}`);
    if (problems.length) failed++;
  }
  process.exit(failed ? 1 : 0);
}
