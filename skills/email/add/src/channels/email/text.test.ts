import { describe, expect, it } from 'vitest';
import { parseMail } from './parse.js';
import { messageText, stripQuoted, stripSignature } from './text.js';

describe('mail text', () => {
  it('drops the quoted history of a reply (one- and two-line attributions)', () => {
    expect(
      stripQuoted(
        'Sounds good.\n\nOn Mon, 1 Dec 2026 at 10:00, Andy <bot@x.io> wrote:\n> old\n> older',
      ),
    ).toBe('Sounds good.');
    expect(stripQuoted('Yes.\n\nOn Mon, 1 Dec 2026 at 10:00, Andy\n<bot@x.io> wrote:\n> old')).toBe(
      'Yes.',
    );
    expect(stripQuoted('Fine\n> trailing quote')).toBe('Fine');
    expect(stripQuoted('Ok\n\nFrom: Andy <bot@x.io>\nSent: Monday\nSubject: x\n\nold text')).toBe(
      'Ok',
    );
    expect(stripQuoted('From: Paris to Rome by train')).toBe('From: Paris to Rome by train');
    // A quote in the middle, answered below, is kept.
    expect(stripQuoted('> question?\nanswer')).toBe('> question?\nanswer');
  });

  it('drops a signature after "-- "', () => {
    expect(stripSignature('hi\n-- \nAnn\nphone')).toBe('hi');
  });

  it('puts the subject first; an empty body is the subject alone', () => {
    expect(messageText('Trip', 'Where?')).toBe('Subject: Trip\n\nWhere?');
    expect(messageText('ABCD-EFGH', '\n-- \nsent from my phone')).toBe('ABCD-EFGH');
    expect(messageText('', 'only body')).toBe('only body');
  });

  it('HTML-only mail becomes text (tags, scripts and styles gone, links kept)', async () => {
    const raw = [
      'From: Ann <ann@example.com>',
      'Subject: html',
      'Message-ID: <h1@example.com>',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<style>p{color:red}</style><p>Hello <b>there</b>, see <a href="https://x.io/a">this</a></p><ul><li>one</li></ul><script>evil()</script>',
      '--b--',
      '',
    ].join('\r\n');
    const parsed = await parseMail(Buffer.from(raw), false);
    expect(parsed.text).toContain('Subject: html');
    expect(parsed.text).toContain('Hello there, see this [https://x.io/a]');
    expect(parsed.text).toContain('* one');
    expect(parsed.text).not.toMatch(/evil|color:red|<p>/);
    expect(parsed.key).toBe('mid:<h1@example.com>');
  });

  it('a truncated mail says so and brings no attachments', async () => {
    const parsed = await parseMail(
      Buffer.from('From: a@x.io\r\nSubject: big\r\n\r\nstart of it'),
      true,
    );
    expect(parsed.text).toMatch(/only its beginning is here/);
    expect(parsed.attachments).toEqual([]);
  });
});
