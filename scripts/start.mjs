#!/usr/bin/env node
// `npm start`: from a fresh clone to a running assistant. Installs and builds what is missing
// (scripts/prepare.mjs, shared with `npm test`), then starts the host.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { prepare, root } from './prepare.mjs';

prepare({ tests: false });

const host = spawn(
  process.execPath,
  [path.join(root, 'bin', 'nanoclaw.js'), 'start', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
// Ctrl-C reaches the host too (same process group); wait for its clean shutdown.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => host.kill('SIGTERM'));
host.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
