import { describe, expect, it } from 'vitest';
import { appliedSkills, commitMessage, parseTrailers, type SkillCommit } from './history.js';
import { compareVersions, parseManifest } from './manifest.js';
import { settingProblem, updateDotenvText } from './settings.js';

const base = { name: 'x', kind: 'tool', version: '1.0.0', description: 'One line' };

describe('manifest', () => {
  it('fails closed, naming each bad field', () => {
    expect(() =>
      parseManifest({ ...base, dependencies: { grammy: '^1.2.0' }, extra: 1 }, 'm.json'),
    ).toThrow(/dependencies\.grammy: must be pinned exactly[\s\S]*Unrecognized key/);
    expect(() => parseManifest({ ...base, kind: 'plugin' }, 'm.json')).toThrow(/kind/);
    expect(() =>
      parseManifest(
        {
          ...base,
          settings: [{ name: 'A', description: 'a', secret: false, obtain: 'o', pattern: '(' }],
        },
        'm',
      ),
    ).toThrow(/not a valid regular expression/);
    expect(parseManifest(base, 'm').dependencies).toEqual({});
  });

  it('orders versions numerically', () => {
    expect(compareVersions('1.10.0', '1.9.2')).toBe(1);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
  });
});

describe('history', () => {
  const c = (action: SkillCommit['action'], version: string, changes: SkillCommit['changes']) => ({
    sha: version,
    skill: 'x',
    version,
    action,
    changes,
  });

  it('round-trips trailers and ignores other commits', () => {
    expect(parseTrailers(commitMessage('update', 'x', '1.2.0', 'd'))).toEqual({
      skill: 'x',
      version: '1.2.0',
      action: 'update',
    });
    expect(parseTrailers('fix: something\n\nNanoclaw-Skill: x\n')).toBeUndefined();
  });

  it('the newest commit decides; owned files replay since the last add', () => {
    const newestFirst = [
      c('update', '1.1.0', [
        { status: 'D', path: 'a' },
        { status: 'A', path: 'c' },
      ]),
      c('add', '1.0.0', [
        { status: 'A', path: 'a' },
        { status: 'A', path: 'b' },
      ]),
      c('remove', '0.9.0', [{ status: 'D', path: 'old' }]),
    ];
    expect(appliedSkills(newestFirst).get('x')).toEqual({
      name: 'x',
      version: '1.1.0',
      files: ['b', 'c'],
    });
    expect(appliedSkills([c('remove', '1.1.0', []), ...newestFirst]).has('x')).toBe(false);
  });
});

describe('settings', () => {
  const setting = {
    name: 'T',
    description: 'd',
    secret: true,
    obtain: 'Ask.',
    pattern: '\\d+:\\w+',
    required: true,
  };

  it('matches the whole value and never repeats it', () => {
    expect(settingProblem(setting, '12:ab')).toBeUndefined();
    const problem = settingProblem(setting, 'x12:ab-secretvalue');
    expect(problem).toMatch(/T does not look right/);
    expect(problem).not.toContain('secretvalue');
  });

  it('updates .env lines in place, appends new ones, quotes when needed', () => {
    const text = '# mine\nexport T=old\nOTHER=1\n';
    expect(updateDotenvText(text, { T: 'new', N: 'a b' })).toBe(
      "# mine\nT=new\nOTHER=1\nN='a b'\n",
    );
    expect(updateDotenvText('', { A: '1' })).toBe('A=1\n');
  });
});
