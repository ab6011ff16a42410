#!/usr/bin/env node
import { runCli } from '../cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Let winston flush, then leave even if a client left a socket half open.
    setTimeout(() => process.exit(code), 100).unref();
  },
  (e: unknown) => {
    process.stderr.write(`herald: unexpected failure: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
