#!/usr/bin/env node
// Installs the npm dependencies of applied skills. Each applied skill with dependencies has a
// committed `deps/<name>.json` ({ skill, version, dependencies: { pkg: "1.2.3" } }). package.json
// is a core file that skills never edit, so these are installed with `npm install --no-save`,
// all in one command (npm prunes packages it does not know of on every install, so installing
// one skill's at a time would drop the others'). `npm ci` wipes them; `npm start` runs this
// script after it, so they come back. Plain JavaScript: it runs before anything is built.
//
//   node scripts/skill-deps.mjs [--dry-run] [--root <dir>]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const EXACT = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Every applied skill's pinned dependencies; a conflict between two skills is an error. */
export function wantedDeps(root) {
  const dir = path.join(root, 'deps');
  const wanted = new Map();
  if (!fs.existsSync(dir)) return wanted;
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const [pkg, version] of Object.entries(dependencies)) {
      if (!EXACT.test(version)) throw new Error(`deps/${file}: ${pkg} is not pinned (${version})`);
      const other = wanted.get(pkg);
      if (other && other.version !== version) {
        throw new Error(
          `${pkg}: deps/${other.file} wants ${other.version}, deps/${file} ${version}`,
        );
      }
      wanted.set(pkg, { version, file });
    }
  }
  return wanted;
}

function installedVersion(root, pkg) {
  try {
    const file = path.join(root, 'node_modules', pkg, 'package.json');
    return JSON.parse(fs.readFileSync(file, 'utf8')).version;
  } catch {
    return undefined; // not installed (or unreadable): install it
  }
}

/** The `npm install` arguments, or undefined when everything wanted is installed. */
export function installArgs(root) {
  const wanted = [...wantedDeps(root)];
  if (wanted.every(([pkg, { version }]) => installedVersion(root, pkg) === version))
    return undefined;
  const specs = wanted.map(([pkg, { version }]) => `${pkg}@${version}`);
  return ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', ...specs];
}

function main(argv) {
  const dryRun = argv.includes('--dry-run');
  const at = argv.indexOf('--root');
  const root =
    at >= 0
      ? path.resolve(argv[at + 1])
      : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const args = installArgs(root);
  if (!args) return 0;
  process.stdout.write(`Installing skill dependencies: npm ${args.join(' ')}\n`);
  if (dryRun) return 0;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`skill-deps: ${error.message}\n`);
    process.exit(2);
  }
}
