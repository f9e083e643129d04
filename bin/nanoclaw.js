#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/. On a fresh clone nothing is installed or built yet,
// and `npm start` is the one command that installs the dependencies and builds.
import('../dist/cli/index.js').catch((error) => {
  if (error && error.code === 'ERR_MODULE_NOT_FOUND') {
    console.error(
      'nanoclaw is not installed and built yet: run `npm start` in the NanoClaw folder once ' +
        '(it installs the dependencies, builds, and starts the assistant).',
    );
    process.exit(1);
  }
  throw error;
});
