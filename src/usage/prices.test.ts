import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { DEFAULT_PRICES, loadPriceBook, parsePriceFile, priceBook } from './prices.js';

const tokens = { input: 1_000_000, output: 1_000_000, cacheRead: 1_000_000, cacheWrite: 1_000_000 };

describe('price book', () => {
  it('prices a model by its longest id prefix, cache reads and writes included', () => {
    const book = priceBook(DEFAULT_PRICES);
    // Sonnet 4.5: 3 in, 15 out, 0.30 cache read, 3.75 cache write per million.
    expect(book.costOf('claude-sonnet-4-5-20250929', tokens)).toBeCloseTo(3 + 15 + 0.3 + 3.75, 6);
    // claude-opus-4-5 is cheaper than claude-opus-4(-1): the longer prefix wins.
    expect(book.priceOf('claude-opus-4-5-20251101')?.input).toBe(5);
    expect(book.priceOf('claude-opus-4-1-20250805')?.input).toBe(15);
  });

  it('has no price for an unknown model: tokens only', () => {
    expect(priceBook(DEFAULT_PRICES).costOf('llama3.1:8b', tokens)).toBeUndefined();
  });

  it('a price file adds models and overrides defaults, cache rates derived when not given', () => {
    const table = parsePriceFile(
      JSON.stringify({
        models: {
          'llama3.1': { input: 0.1, output: 0.2 },
          'claude-sonnet-4': { input: 2, output: 10, cacheRead: 0 },
        },
      }),
      'prices.json',
    );
    const book = priceBook(table);
    const llama = book.priceOf('llama3.1:8b');
    expect(llama).toMatchObject({ input: 0.1, output: 0.2, cacheWrite: 0.125 });
    expect(llama?.cacheRead).toBeCloseTo(0.01, 10);
    expect(book.priceOf('claude-sonnet-4-5')).toEqual({
      input: 2,
      output: 10,
      cacheWrite: 2.5,
      cacheRead: 0,
    });
    expect(book.priceOf('claude-haiku-4-5')?.input).toBe(1);
  });

  it('refuses a bad price file with what is wrong and the expected shape', () => {
    expect(() => parsePriceFile('{', 'p.json')).toThrow(ConfigError);
    expect(() => parsePriceFile('{"models":{"x":{"input":-1,"output":1}}}', 'p.json')).toThrow(
      /p\.json: models\.x\.input: .*USD per million tokens/,
    );
    expect(() =>
      parsePriceFile('{"models":{"x":{"input":1,"output":1,"extra":1}}}', 'p.json'),
    ).toThrow(ConfigError);
  });

  it('loads the defaults when the data directory has no price file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-prices-'));
    expect(loadPriceBook(path.join(dir, 'prices.json')).priceOf('claude-haiku-4-5')?.output).toBe(
      5,
    );
    fs.writeFileSync(path.join(dir, 'prices.json'), '{"models":{"mine":{"input":1,"output":2}}}');
    expect(loadPriceBook(path.join(dir, 'prices.json')).priceOf('mine-7b')?.output).toBe(2);
    fs.rmSync(dir, { recursive: true });
  });
});
