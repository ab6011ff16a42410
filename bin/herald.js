#!/usr/bin/env node
// `npx herald ...` in a clone: the root package's bin, there right after `npm install`.
// The daemon's own bin (packages/server/dist/bin/herald.js) exists only once the packages
// are built, so on first use this builds them (`npm run build`), then runs that CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cli = join(root, 'packages/server/dist/bin/herald.js');

if (!existsSync(cli)) {
  process.stderr.write('herald: building the packages first (npm run build), once...\n');
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  // Build output goes to stderr, so that stdout holds only what the command prints.
  const build = spawnSync(process.execPath, [tsc, '-b', 'packages/server'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (build.status !== 0 || !existsSync(cli)) {
    process.stderr.write('herald: the build failed; run `npm install`, then `npm run build` to see why\n');
    process.exit(1);
  }
}

await import(pathToFileURL(cli).href);
