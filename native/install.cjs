'use strict';
// npm's install step. A prebuilt binary that loads on this machine is used as it is; otherwise
// (another platform, musl, a glibc older than the prebuilds need) the native modules are compiled
// with node-gyp, and if that fails the error says what this machine needs.
// `npm install --build-from-source` (or npm_config_build_from_source=true) always compiles.
const { spawnSync } = require('node:child_process');
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

const gyp = nodeGyp();
const r = gyp
  ? spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
  : { status: 1, error: new Error('node-gyp not found') };
if (r.status !== 0) {
  console.error(
    `\n${platformHelp(`no prebuilt binary fits this machine, and compiling one from source failed${r.error ? ` (${r.error.message})` : ' (the compiler output is above)'}.`)}\n`,
  );
  process.exit(1);
}
