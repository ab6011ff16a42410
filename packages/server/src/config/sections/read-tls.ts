import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config-error.js';
import type { ListenAddress, TlsConfig } from '../herald-config.js';
import { type Problems, checkKeys, expectBoolean, expectMap, expectString, fileError } from '../validation-kit.js';

const TLS_KEYS = ['cert', 'key', 'ca', 'systemCa', 'requestCert'] as const;

/**
 * `tls:`, the certificate for `tls://` and `wss://` listeners, which require it, and the trust
 * (`ca` added to the system store unless `systemCa: false`); paths resolved against `baseDir`
 * and checked readable.
 */
export function readTls(value: unknown, listen: readonly ListenAddress[], baseDir: string, problems: Problems): TlsConfig | undefined {
  if (value === undefined || value === null) {
    const secure = listen.find((address) => address.transport === 'tls' || address.transport === 'wss');
    if (secure !== undefined) {
      problems.add(
        'tls.cert',
        `is required by the listener "${secure.uri}"; add tls: { cert: cert.pem, key: key.pem } with the paths of the PEM certificate chain and private key`,
        'HERALD_ERR_CONFIG_REQUIRED',
      );
    }
    return undefined;
  }
  const map = problems.check(() => expectMap('tls', value));
  if (map === undefined) return undefined;
  checkKeys('tls', map, TLS_KEYS, problems);

  const file = (name: 'cert' | 'key' | 'ca', what: string): string | undefined => {
    const key = `tls.${name}`;
    if (map[name] === undefined || map[name] === null) {
      if (name !== 'ca') problems.add(key, `is required; set it to the path of ${what}`, 'HERALD_ERR_CONFIG_REQUIRED');
      return undefined;
    }
    return problems.check(() => readablePath(key, map[name], baseDir, what));
  };
  const cert = file('cert', 'the PEM certificate (chain)');
  const key = file('key', 'the PEM private key');
  const ca = file('ca', 'the PEM file of trusted CA certificates');
  const requestCert = problems.check(() => expectBoolean('tls.requestCert', map.requestCert ?? false));
  const systemCa = problems.check(() => expectBoolean('tls.systemCa', map.systemCa ?? true));
  if (cert === undefined || key === undefined || requestCert === undefined || systemCa === undefined) return undefined;
  return { cert, key, ...(ca !== undefined && { ca }), systemCa, requestCert };
}

/** `value` as a path resolved against `baseDir`, checked to be a readable file. */
export function readablePath(key: string, value: unknown, baseDir: string, what: string): string {
  const path = resolve(baseDir, expectString(key, value));
  const fix = `give the path of ${what}, absolute or relative to ${baseDir}`;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path} (${fileError(error)}); ${fix}`, 'HERALD_ERR_CONFIG_FILE');
  }
  if (isDirectory) throw new ConfigError(key, `${path} is a directory; ${fix}`, 'HERALD_ERR_CONFIG_FILE');
  return path;
}
