#!/usr/bin/env node
// `npm run setup`: from a fresh clone to a set-up assistant. Installs and builds what is missing
// (scripts/prepare.mjs, as `npm start` does), then runs `nanoclaw setup` with the given flags
// (e.g. `npm run setup -- --yes --json`).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { prepare, root } from './prepare.mjs';

prepare({ tests: false });

const setup = spawn(
  process.execPath,
  [path.join(root, 'bin', 'nanoclaw.js'), 'setup', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.on('SIGINT', () => {});
process.on('SIGTERM', () => setup.kill('SIGTERM'));
setup.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
