#!/usr/bin/env node
// `npm start`: from a fresh clone to a running assistant. Installs dependencies when missing or
// stale, builds when the sources changed, checks for a sandbox runtime, then starts the host.
// Plain JavaScript with no dependencies, because it runs before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function step(message, command, args) {
  process.stdout.write(`${message}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(
      `\nnanoclaw: "${command} ${args.join(' ')}" failed; see the output above.\n`,
    );
    process.exit(result.status ?? 1);
  }
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0; // missing counts as oldest
  }
}

function newestIn(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, mtime(path.join(entry.parentPath, entry.name)));
  }
  return newest;
}

function onPath(name) {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir && fs.existsSync(path.join(dir, name)));
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`nanoclaw needs Node.js 20 or newer (this is ${process.version}).\n`);
  process.exit(1);
}
const installed = path.join(root, 'node_modules', '.package-lock.json');
if (mtime(installed) < mtime(path.join(root, 'package-lock.json'))) {
  step('Installing dependencies (first run takes a minute or two)…', npm, [
    'ci',
    '--no-audit',
    '--no-fund',
  ]);
}
// Applied skills' npm dependencies (deps/*.json), installed --no-save; see scripts/skill-deps.mjs.
step('Checking skill dependencies…', process.execPath, [
  path.join(root, 'scripts', 'skill-deps.mjs'),
]);
if (mtime(path.join(root, 'dist', 'cli', 'index.js')) < newestIn(path.join(root, 'src'))) {
  step('Building…', npm, ['run', 'build', '--silent']);
}
if (process.platform === 'linux' && !onPath('bwrap') && !onPath('docker') && !onPath('podman')) {
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    step('Installing bubblewrap (the sandbox)…', 'apt-get', ['install', '-y', '-qq', 'bubblewrap']);
  } else {
    process.stdout.write(
      'No sandbox runtime found. Install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap;\n' +
        'Fedora: sudo dnf install bubblewrap) or Docker, then run npm start again.\n',
    );
    process.exit(1);
  }
}

const host = spawn(
  process.execPath,
  [path.join(root, 'bin', 'nanoclaw.js'), 'start', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
// Ctrl-C reaches the host too (same process group); wait for its clean shutdown.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => host.kill('SIGTERM'));
host.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
