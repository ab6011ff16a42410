import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error.js';
import type { HeraldConfig } from '../../src/config/herald-config.js';
import { parseConfig } from '../../src/config/load-config.js';

/** The running test's temporary directory and the `herald.yaml` path in it that parsed text comes from. */
export const scratch = { dir: '', file: '' };

/** Gives every test of the file a fresh {@link scratch} directory, removed after it. */
export function useScratchDir(): void {
  beforeEach(() => {
    scratch.dir = mkdtempSync(join(tmpdir(), 'herald-config-'));
    scratch.file = join(scratch.dir, 'herald.yaml');
  });
  afterEach(() => {
    rmSync(scratch.dir, { recursive: true, force: true });
  });
}

export function parse(text: string): HeraldConfig {
  return parseConfig(text, scratch.file);
}

/** Parses `text`, expecting it to fail, and returns the error. */
export function reject(text: string): ConfigError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for:\n${text}`);
}

/** Expects exactly one problem, on `key`, and returns its message. */
export function problem(text: string, key: string): string {
  const error = reject(text);
  expect(error.errors.map((e) => e.key)).toEqual([key]);
  expect(error.key).toBe(key);
  expect(error.message).toContain(`${key}: `);
  return error.errors[0].message;
}

export function writeTlsFiles(): void {
  mkdirSync(join(scratch.dir, 'certs'));
  writeFileSync(join(scratch.dir, 'certs', 'cert.pem'), '-----BEGIN CERTIFICATE-----\n');
  writeFileSync(join(scratch.dir, 'certs', 'key.pem'), '-----BEGIN PRIVATE KEY-----\n');
}
