#!/usr/bin/env node
// `npm run size`: the trusted core's files and lines, by folder. The core is the host's src/
// (the agent runner, src/agent/, included) minus tests, the CLI (src/cli/, and src/skills/,
// src/setup/ and src/service/, which only `nanoclaw skills|setup|doctor|service|uninstall` run,
// never the running host), the web page's
// assets (HTML, script, style) and files added by applied skills (any path a skills/*/add/
// folder provides: skills only add files, so such a path in src/ came from a skill).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB_ASSETS = ['page.ts', 'page-script.ts', 'page-style.ts'].map(
  (f) => `src/channels/web/${f}`,
);

function files(dir) {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

function skillPaths() {
  const skills = path.join(root, 'skills');
  if (!fs.existsSync(skills)) return new Set();
  const out = new Set();
  for (const name of fs.readdirSync(skills)) {
    const add = path.join(skills, name, 'add');
    if (!fs.existsSync(add)) continue;
    for (const e of fs.readdirSync(add, { withFileTypes: true, recursive: true })) {
      if (e.isFile())
        out.add(path.relative(add, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
    }
  }
  return out;
}

const fromSkills = skillPaths();
const core = files('src')
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .filter(
    (f) =>
      !f.startsWith('src/cli/') &&
      !f.startsWith('src/skills/') &&
      !f.startsWith('src/setup/') &&
      !f.startsWith('src/service/') &&
      !WEB_ASSETS.includes(f) &&
      !fromSkills.has(f),
  )
  .sort();
const byFolder = new Map();
let total = 0;
for (const file of core) {
  const lines = fs.readFileSync(path.join(root, file), 'utf8').split('\n').length - 1;
  const folder = path.dirname(file);
  const entry = byFolder.get(folder) ?? { files: 0, lines: 0 };
  entry.files += 1;
  entry.lines += lines;
  byFolder.set(folder, entry);
  total += lines;
}
for (const [folder, { files: n, lines }] of byFolder) {
  process.stdout.write(
    `${folder.padEnd(28)} ${String(n).padStart(3)} files ${String(lines).padStart(6)} lines\n`,
  );
}
process.stdout.write(
  `${'trusted core'.padEnd(28)} ${String(core.length).padStart(3)} files ${String(total).padStart(6)} lines\n`,
);
process.stdout.write(
  '(excluded: tests, src/cli/, src/skills/, src/setup/, src/service/, web page assets, files of applied skills; see docs/READING.md)\n',
);
