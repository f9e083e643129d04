/** The installed NanoClaw's version, from its package.json (read when asked, not at import). */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const PackageSchema = z.object({ version: z.string().min(1) });

export function version(appRoot: string): string {
  const file = path.join(appRoot, 'package.json');
  return PackageSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).version;
}
