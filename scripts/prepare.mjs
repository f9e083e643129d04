// What `npm start` and `npm test` both need before they run, from a fresh clone on: a supported
// Node, dependencies installed (again when package-lock.json changed) and their native parts
// built for THIS Node, a build newer than the sources, and the system tools (a sandbox runtime;
// for the tests also prlimit and Chromium), installed with apt-get when run as root on Debian.
// Plain JavaScript with no dependencies, because it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Node versions NanoClaw is tested on; the newest is the recommended one. */
export const SUPPORTED_NODE = [20, 22, 24];

function fail(message) {
  process.stderr.write(`\nnanoclaw: ${message}\n`);
  process.exit(1);
}

function step(message, command, args, env = process.env) {
  process.stdout.write(`${message}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) fail(`"${command} ${args.join(' ')}" failed; see the output above.`);
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

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < SUPPORTED_NODE[0]) {
    fail(`NanoClaw needs Node.js ${SUPPORTED_NODE.join(', ')} (this is ${process.version}).`);
  }
  if (major === 20) {
    process.stdout.write(
      `Note: Node.js 20 reached its end of life in April 2026; use Node.js 24 (or 22).\n`,
    );
  }
}

/** Whether better-sqlite3's compiled addon loads in this Node (it is built per Node ABI). */
function nativeAddonLoads() {
  const probe = spawnSync(
    process.execPath,
    ['-e', "new (require('better-sqlite3'))(':memory:').close()"],
    { cwd: root, encoding: 'utf8' },
  );
  return probe.status === 0;
}

function installDependencies() {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(installed) < mtime(path.join(root, 'package-lock.json'))) {
    step('Installing dependencies (first run takes a minute or two)…', npm, [
      'ci',
      '--no-audit',
      '--no-fund',
    ]);
  }
  // Applied skills' npm dependencies (deps/*.json), installed --no-save: see skill-deps.mjs.
  if (fs.existsSync(path.join(root, 'deps'))) {
    step('Checking skill dependencies…', process.execPath, [
      path.join(root, 'scripts', 'skill-deps.mjs'),
    ]);
  }
  if (nativeAddonLoads()) return;
  // Installed under another Node (a different ABI): compile for this one. An official Node
  // build carries its headers in include/node, so node-gyp needs no download.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const env = fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))
    ? { ...process.env, npm_config_nodedir: prefix }
    : process.env;
  step(
    `Building better-sqlite3 for Node.js ${process.version} (a minute)…`,
    npm,
    ['rebuild', 'better-sqlite3'],
    env,
  );
  if (!nativeAddonLoads())
    fail(`better-sqlite3 still does not load in Node.js ${process.version}.`);
}

function build() {
  if (mtime(path.join(root, 'dist', 'cli', 'index.js')) < newestIn(path.join(root, 'src'))) {
    step('Building…', npm, ['run', 'build', '--silent']);
  }
}

/** apt packages still missing, as [what is missing, Debian package]. */
function missingTools(forTests) {
  const missing = [];
  const sandbox = onPath('bwrap') || (!forTests && (onPath('docker') || onPath('podman')));
  if (process.platform === 'linux' && !sandbox) missing.push(['bwrap', 'bubblewrap']);
  if (forTests && !onPath('prlimit')) missing.push(['prlimit', 'util-linux']);
  if (forTests && !fs.existsSync('/usr/bin/chromium')) missing.push(['chromium', 'chromium']);
  // The pdf-reader container skill's test (skills CI) reads a PDF with it.
  if (forTests && !onPath('pdftotext')) missing.push(['pdftotext', 'poppler-utils']);
  // The email channel skill's tests run a real IMAP server (dovecot, with its delivery agent).
  if (forTests && !fs.existsSync('/usr/sbin/dovecot')) missing.push(['dovecot', 'dovecot-imapd']);
  return missing;
}

function installTools(forTests) {
  const missing = missingTools(forTests);
  if (missing.length === 0) return;
  const packages = missing.map(([, pkg]) => pkg);
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    step('Updating the package lists…', 'apt-get', ['update', '-qq'], env);
    step(
      `Installing ${packages.join(', ')}…`,
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', ...packages],
      env,
    );
    return;
  }
  const what = missing.map(([tool]) => tool).join(', ');
  const purpose = forTests ? 'The tests need' : 'No sandbox runtime found; NanoClaw needs';
  fail(
    `${purpose} ${what}. Install ${forTests ? 'them' : 'bubblewrap or Docker'} ` +
      `(Debian/Ubuntu: sudo apt-get install ${packages.join(' ')}; Fedora: sudo dnf install ` +
      `${packages.join(' ')}), then run the command again.`,
  );
}

/**
 * As root, sandboxes run as uid 1000, which must pass through to the checkout (dist/,
 * node_modules/ and Node are mounted from there). For the tests, grant that traversal (o+x: no
 * listing) on their parents; `nanoclaw start` instead refuses with advice.
 */
function letSandboxUserThrough() {
  if (process.getuid?.() !== 0) return;
  // The checkout, and the Node binary sandboxes run (it may live under /root, e.g. ~/.nvm).
  for (const start of [root, path.dirname(fs.realpathSync(process.execPath))]) {
    for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = fs.statSync(dir).mode;
      if (mode & 0o001) continue;
      process.stdout.write(`Letting the sandbox user pass through ${dir} (chmod o+x)…\n`);
      fs.chmodSync(dir, mode | 0o001);
    }
  }
}

/** Everything `npm start` (tests: false) or `npm test` (tests: true) needs first. */
export function prepare({ tests }) {
  checkNode();
  installTools(tests);
  installDependencies();
  build();
  if (tests) letSandboxUserThrough();
}

// `node scripts/prepare.mjs [--tests]`: prepare only (.ci/run uses it before `npm run check`).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  prepare({ tests: process.argv.includes('--tests') });
}
