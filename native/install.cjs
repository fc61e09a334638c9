'use strict';
// npm's install step. A prebuilt binary that loads on this machine is used as it is; otherwise
// (another platform, musl, a glibc older than the prebuilds need) the native modules are compiled
// with node-gyp, and if that fails the error says what this machine needs.
// `npm install --build-from-source` (or npm_config_build_from_source=true) always compiles.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { platformHelp } = require('./platform.cjs');

const root = path.resolve(__dirname, '..');

function prebuildLoads() {
  let file;
  try {
    file = require('node-gyp-build').resolve(root);
  } catch {
    return false; // no prebuild for this platform, arch or libc
  }
  // Load it in a child: a binary that cannot load here (say, an older glibc) must not take the
  // install down with it.
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'ignore' });
  return r.status === 0;
}

function nodeGyp() {
  // The package's own node-gyp where there is one (a development checkout), else the one npm
  // hands to install scripts.
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return process.env.npm_config_node_gyp;
  }
}

if (process.env.npm_config_build_from_source !== 'true' && prebuildLoads()) process.exit(0);

// The running node's own headers where it has them (Debian's and NodeSource's packages do), so
// node-gyp need not download them; npm's nodedir setting, when there is one, wins.
const args = ['rebuild'];
const prefix = path.resolve(path.dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const gyp = nodeGyp();
const r = gyp
  ? spawnSync(process.execPath, [gyp, ...args], { cwd: root, stdio: 'inherit' })
  : { status: 1, error: new Error('node-gyp not found') };
if (r.status !== 0) {
  console.error(
    `\n${platformHelp(`no prebuilt binary fits this machine, and compiling one from source failed${r.error ? ` (${r.error.message})` : " (node-gyp's output is above)"}.`)}\n`,
  );
  process.exit(1);
}
