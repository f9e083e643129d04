import { describe, expect, it } from 'vitest';
import { parseSpecialist, specialistFile } from './specialists.js';

describe('specialist files', () => {
  it('parses front matter and prompt; writes what it parses', () => {
    const text =
      '---\ndescription: Finds flights\ntools: WebFetch, Read\nmodel: inherit\n---\nBe brief.\n';
    const parsed = parseSpecialist(text);
    expect(parsed).toEqual({
      ok: true,
      value: {
        description: 'Finds flights',
        tools: ['WebFetch', 'Read'],
        model: 'inherit',
        prompt: 'Be brief.',
      },
    });
    if (parsed.ok) expect(parseSpecialist(specialistFile(parsed.value))).toEqual(parsed);
  });

  it('says what is wrong, never throws', () => {
    expect(parseSpecialist('just text')).toMatchObject({ ok: false, error: /no front matter/ });
    expect(parseSpecialist('---\ntools: Read\n---\nhi')).toMatchObject({
      ok: false,
      error: /^description: /,
    });
    expect(parseSpecialist('---\ndescription: x\ncolour: red\n---\nhi')).toMatchObject({
      ok: false,
    });
    expect(parseSpecialist('---\ndescription: x\n---\n')).toMatchObject({
      ok: false,
      error: /^prompt: /,
    });
  });
});
