import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sniffImage } from '../shared/mime.js';
import { loadImages, MAX_IMAGE_BYTES } from './images.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const at = (name: string) => `/workspace/group/${name}`;

describe('loadImages (inside the sandbox)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-images-'));
    fs.writeFileSync(path.join(dir, 'ok.png'), PNG);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('turns a real image into a base64 block typed by its bytes', () => {
    fs.writeFileSync(path.join(dir, 'named.gif'), PNG);
    const { images, notes } = loadImages([at('ok.png'), at('named.gif')], dir);
    expect(notes).toEqual([]);
    expect(images.map((i) => i.source)).toEqual([
      { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') },
      { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') },
    ]);
  });

  it('skips, with a note each, what is not a small image file in the group folder', () => {
    fs.writeFileSync(
      path.join(dir, 'big.png'),
      Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES)]),
    );
    fs.writeFileSync(path.join(dir, 'text.png'), 'hello');
    fs.symlinkSync(path.join(dir, 'ok.png'), path.join(dir, 'link.png'));
    execFileSync('mkfifo', [path.join(dir, 'pipe.png')]);
    const paths = ['big.png', 'text.png', 'link.png', 'pipe.png', 'none.png'].map(at);
    const { images, notes } = loadImages(paths, dir);
    const outside = loadImages(['/etc/passwd', at('../x.png')], dir);
    expect([...images, ...outside.images]).toEqual([]);
    expect(notes).toEqual([
      `(image ${at('big.png')} not shown: it is larger than 5 MB)`,
      `(image ${at('text.png')} not shown: it is not a JPEG, PNG, GIF or WebP image)`,
      `(image ${at('link.png')} not shown: it cannot be opened (ELOOP))`,
      `(image ${at('pipe.png')} not shown: it is not a regular file)`,
      `(image ${at('none.png')} not shown: it cannot be opened (ENOENT))`,
    ]);
    expect(outside.notes).toEqual([
      '(image /etc/passwd not shown: it is not in the group folder)',
      `(image ${at('../x.png')} not shown: it is not in the group folder)`,
    ]);
  });

  it('shows at most five', () => {
    const { images, notes } = loadImages(Array(6).fill(at('ok.png')), dir);
    expect(images).toHaveLength(5);
    expect(notes).toEqual([`(image ${at('ok.png')} not shown: it is beyond 5 images)`]);
  });
});

describe('sniffImage', () => {
  it('knows the four model types by their magic bytes only', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(Buffer.from('GIF89a...'))).toBe('image/gif');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
  });
});
