/**
 * Images for the model, read inside the sandbox: each path the host named must lie in the
 * group folder, be a regular file of at most MAX_IMAGE_BYTES, and be a JPEG, PNG, GIF or WebP by
 * its magic bytes (the API's limits); anything else is skipped with a note in the text, and the
 * agent can still open the file from its path. Opened non-blocking and not following a final
 * symlink, so a FIFO planted in the inbox cannot hang the runner.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { MAX_IMAGES_PER_MESSAGE } from '../shared/protocol.js';
import { sniffImage } from '../shared/mime.js';

type Content = SDKUserMessage['message']['content'];
export type ImageBlock = Extract<Exclude<Content, string>[number], { type: 'image' }>;

/** The API's limit for one image. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const GROUP_PREFIX = '/workspace/group/';

/** Why the file cannot be shown, or its bytes. */
function readImage(file: string): Buffer | string {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    return `cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return 'is not a regular file';
    if (stat.size > MAX_IMAGE_BYTES) return 'is larger than 5 MB';
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function imageBlock(sandboxPath: string, groupDir: string): ImageBlock | string {
  const rel = sandboxPath.startsWith(GROUP_PREFIX) ? sandboxPath.slice(GROUP_PREFIX.length) : '';
  if (!rel || rel.split('/').includes('..')) return 'is not in the group folder';
  const bytes = readImage(path.join(groupDir, rel));
  if (typeof bytes === 'string') return bytes;
  const type = sniffImage(bytes);
  if (!type) return 'is not a JPEG, PNG, GIF or WebP image';
  return {
    type: 'image',
    source: { type: 'base64', media_type: type, data: bytes.toString('base64') },
  };
}

/**
 * The image blocks for `paths` and a note for each one skipped. `groupDir` is where the group
 * folder is for this process (the cwd inside the sandbox).
 */
export function loadImages(
  paths: readonly string[],
  groupDir: string,
): { images: ImageBlock[]; notes: string[] } {
  const images: ImageBlock[] = [];
  const notes: string[] = [];
  for (const [i, p] of paths.entries()) {
    const block = i < MAX_IMAGES_PER_MESSAGE ? imageBlock(p, groupDir) : 'is beyond 5 images';
    if (typeof block === 'string') notes.push(`(image ${p} not shown: it ${block})`);
    else images.push(block);
  }
  return { images, notes };
}
