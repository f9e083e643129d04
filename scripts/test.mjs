#!/usr/bin/env node
// `npm test`: the whole suite from a fresh clone. Installs and builds what is missing exactly
// as `npm start` does (scripts/prepare.mjs), plus what only the tests need (prlimit, Chromium),
// then runs vitest. Extra arguments go to vitest: `npm test -- test/host-e2e.test.ts`.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { prepare, root } from './prepare.mjs';

prepare({ tests: true });

const vitest = spawn(
  process.execPath,
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit' },
);
process.on('SIGINT', () => {}); // vitest gets Ctrl-C too and ends its workers itself
process.on('SIGTERM', () => vitest.kill('SIGTERM'));
vitest.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
