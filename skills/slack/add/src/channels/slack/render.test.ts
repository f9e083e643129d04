import { describe, expect, it } from 'vitest';
import { renderMrkdwn } from './render.js';

describe('renderMrkdwn', () => {
  it('bold, italic, strike, code and links in Slack’s markup', () => {
    expect(renderMrkdwn('**bold** and *it* and ~~gone~~ and `a<b`')).toBe(
      '*bold* and _it_ and ~gone~ and `a&lt;b`',
    );
    expect(renderMrkdwn('[the site](https://example.com/a|b>c) and https://x.y')).toBe(
      '<https://example.com/a%7Cb%3Ec|the site> and <https://x.y>',
    );
  });

  it('code fences lose their language and keep their text escaped', () => {
    expect(renderMrkdwn('```ts\nif (a < b && c) {}\n```')).toBe(
      '```\nif (a &lt; b &amp;&amp; c) {}\n```',
    );
  });

  it('headings bold, lists as bullets (nested, numbered), quotes with >', () => {
    expect(renderMrkdwn('# Title\n\n- one\n- two\n  - deeper\n\n3. c\n4. d\n\n> quoted')).toBe(
      '*Title*\n\n• one\n• two\n    • deeper\n\n3. c\n4. d\n\n> quoted',
    );
  });

  it('nothing the agent writes becomes a mention or a link Slack would resolve', () => {
    expect(renderMrkdwn('<!channel> <@U123> <https://evil|innocent>')).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|innocent&gt;',
    );
    expect(renderMrkdwn('[click](javascript:alert(1))')).toBe('click');
  });
});
