/**
 * pdf-reader (container skill): the host copies it into a group's Claude home, and its script
 * extracts a real PDF's text with pdftotext (skipped where pdftotext is not installed).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { containerSkillsDir, installContainerSkills } from '../../src/groups/container-skills.js';
import { APP_ROOT } from '../support/cli.js';

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;

/** A one-page PDF showing `text`, with a correct cross-reference table. */
function tinyPdf(text: string): Buffer {
  const stream = `BT /F1 18 Tf 40 100 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = objects.map((object, i) => {
    const at = body.length;
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) body += `${String(at).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('pdf-reader container skill', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-pdf-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('is installed into the Claude home with its script executable', () => {
    const home = tmp();
    expect(installContainerSkills(containerSkillsDir(APP_ROOT), home)).toContain('pdf-reader');
    const skill = path.join(home, 'skills', 'pdf-reader');
    expect(fs.readFileSync(path.join(skill, 'SKILL.md'), 'utf8')).toMatch(/^name: pdf-reader$/m);
    expect(fs.statSync(path.join(skill, 'pdf-text.sh')).mode & 0o111).not.toBe(0);
  });

  it.skipIf(!hasPdftotext)('extracts the text of a PDF', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'doc.pdf'), tinyPdf('NANOCLAW PDF MARKER'));
    const script = path.join(containerSkillsDir(APP_ROOT), 'pdf-reader', 'pdf-text.sh');
    const run = spawnSync(script, ['doc.pdf'], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('NANOCLAW PDF MARKER');
  });

  it('refuses a missing file with its usage', () => {
    const script = path.join(containerSkillsDir(APP_ROOT), 'pdf-reader', 'pdf-text.sh');
    const run = spawnSync(script, ['nope.pdf'], { cwd: tmp(), encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage/);
  });
});
