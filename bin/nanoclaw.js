#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build`.
import('../dist/cli/index.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('nanoclaw is not built yet: run `npm run build` first.');
    process.exit(1);
  }
  throw error;
});
