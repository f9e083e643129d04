/** The channel skills' bounded download against a real HTTP server on loopback. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachmentTooLargeError, downloadBounded, type BoundedDownload } from './download.js';

describe('bounded download', () => {
  let server: http.Server;
  let base = '';
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/small') return res.end('hello');
      if (req.url === '/announced') {
        res.writeHead(200, { 'content-length': '1000' });
        return res.end('x'.repeat(1000));
      }
      if (req.url === '/chunked') {
        // No Content-Length: the limit is found while reading.
        res.writeHead(200, { 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 10; i++) res.write('y'.repeat(100));
        return res.end();
      }
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/small' });
        return res.end();
      }
      if (req.url === '/hang') return undefined; // never answers
      res.writeHead(404);
      return res.end('no');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const get = (path: string, extra: Partial<BoundedDownload> = {}) =>
    downloadBounded({
      url: `${base}${path}`,
      headers: { authorization: 'Bearer skill-token' },
      kind: 'photo',
      maxBytes: 500,
      signal: AbortSignal.timeout(10_000),
      unreachable: (error) => new Error('unreachable', { cause: error }),
      failed: (why) => new Error(`failed: ${why}`),
      ...extra,
    });

  it('returns the file, sending the skill header', async () => {
    expect((await get('/small')).toString()).toBe('hello');
    expect(seen.at(-1)).toBe('Bearer skill-token');
  });

  it('refuses a file over the limit, announced or found while reading', async () => {
    await expect(get('/announced')).rejects.toBeInstanceOf(AttachmentTooLargeError);
    await expect(get('/chunked')).rejects.toThrow(/larger than the limit of 500 bytes/);
    expect((await get('/chunked', { maxBytes: 1000 })).length).toBe(1000);
  });

  it('follows no redirect (the header could go elsewhere), says what failed, checks first', async () => {
    const before = seen.length;
    await expect(get('/redirect')).rejects.toThrow('unreachable');
    expect(seen.length).toBe(before + 1); // /small was never asked
    await expect(get('/missing')).rejects.toThrow('failed: HTTP 404');
    const refuse = () => new Error('a login page, not the file');
    await expect(get('/small', { check: refuse })).rejects.toThrow('a login page');
  });

  it('ends with the signal', async () => {
    const stop = new AbortController();
    const pending = get('/hang', { signal: stop.signal });
    stop.abort();
    await expect(pending).rejects.toThrow('unreachable');
  });
});
