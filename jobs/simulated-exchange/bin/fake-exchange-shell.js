#!/usr/bin/env node
'use strict';
// The simulated Exchange shell's executable (point NODE_POWERSHELL at it). It runs the compiled
// simulator from dist/, or the TypeScript sources through tsx when EXCHANGE_SIMULATOR_FROM_SOURCE=1
// (tests) or when nothing is compiled yet. The arguments node-powershell passes
// (-NoLogo -NoExit -Command -) need no handling: stdin is always the script.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const compiled = path.join(root, 'dist', 'jobs', 'simulated-exchange', 'main.js');
const source = path.join(root, 'jobs', 'simulated-exchange', 'main.ts');

let main;
if (process.env.EXCHANGE_SIMULATOR_FROM_SOURCE === '1' || !fs.existsSync(compiled)) {
  require('tsx/cjs');
  main = require(source);
} else {
  main = require(compiled);
}
main.runFromProcess().catch((err) => {
  process.stderr.write(`fake-exchange-shell: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
