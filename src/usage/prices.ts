/**
 * The price table: USD per million tokens for each model family, matched by the longest model id
 * prefix. The built-in table (docs/USAGE.md lists it) can be overridden or extended by
 * `$NANOCLAW_HOME/prices.json`; a model with no entry is counted in tokens only.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { Tokens } from './tap.js';

export interface Price {
  input: number;
  output: number;
  /** Cache writes (5-minute); default 1.25 × input. */
  cacheWrite: number;
  /** Cache reads; default 0.1 × input. */
  cacheRead: number;
}

const p = (input: number, output: number): Price => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheRead: input * 0.1,
});

/** Anthropic's published list prices (USD per million tokens), as of 2025. */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'claude-opus-4-5': p(5, 25),
  'claude-opus-4': p(15, 75),
  'claude-3-opus': p(15, 75),
  'claude-sonnet-4': p(3, 15),
  'claude-3-7-sonnet': p(3, 15),
  'claude-3-5-sonnet': p(3, 15),
  'claude-haiku-4-5': p(1, 5),
  'claude-3-5-haiku': p(0.8, 4),
  'claude-3-haiku': p(0.25, 1.25),
};

const Rate = z.number().nonnegative().finite();
const PriceFileSchema = z
  .object({
    models: z.record(
      z.string().min(1).max(200),
      z
        .object({
          input: Rate,
          output: Rate,
          cacheWrite: Rate.optional(),
          cacheRead: Rate.optional(),
        })
        .strict(),
    ),
  })
  .strict();

export interface PriceBook {
  /** The price for a model id, or undefined when none is known. */
  priceOf(model: string): Price | undefined;
  /** Cost in USD of these tokens, or undefined for a model without a price. */
  costOf(model: string, tokens: Tokens): number | undefined;
}

export function priceBook(table: Readonly<Record<string, Price>>): PriceBook {
  const prefixes = Object.keys(table).sort((a, b) => b.length - a.length);
  const priceOf = (model: string) => {
    const key = prefixes.find((prefix) => model === prefix || model.startsWith(prefix));
    return key === undefined ? undefined : table[key];
  };
  return {
    priceOf,
    costOf(model, tokens) {
      const price = priceOf(model);
      if (!price) return undefined;
      const micro =
        tokens.input * price.input +
        tokens.output * price.output +
        tokens.cacheRead * price.cacheRead +
        tokens.cacheWrite * price.cacheWrite;
      return micro / 1_000_000;
    },
  };
}

/** Parses a price file's text over the defaults (pure); throws ConfigError saying what is wrong. */
export function parsePriceFile(text: string, file: string): Record<string, Price> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
  const parsed = PriceFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}. Expected ` +
        '{"models": {"<model id prefix>": {"input": 3, "output": 15}}} in USD per million tokens.',
    );
  }
  const table: Record<string, Price> = { ...DEFAULT_PRICES };
  for (const [model, rate] of Object.entries(parsed.data.models)) {
    table[model] = {
      input: rate.input,
      output: rate.output,
      cacheWrite: rate.cacheWrite ?? rate.input * 1.25,
      cacheRead: rate.cacheRead ?? rate.input * 0.1,
    };
  }
  return table;
}

/** The price book for a data directory: defaults, plus its prices.json when there is one. */
export function loadPriceBook(file: string): PriceBook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return priceBook(DEFAULT_PRICES);
    throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}`, {}, { cause: error });
  }
  return priceBook(parsePriceFile(text, file));
}
