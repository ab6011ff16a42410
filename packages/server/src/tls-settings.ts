import { readFileSync } from 'node:fs';
import { type TlsOptions, trustedCertificates } from '@herald/stack';
import type { TlsConfig } from './config/herald-config.js';

/**
 * The transport's TLS options from `tls:`: Herald's certificate (served, and presented as a
 * client certificate when it connects out), and one trust for both directions: the system
 * store unless `systemCa: false`, `tls.ca`, and `peerCaFiles` (the federation peers' CAs).
 */
export function tlsSettings(tls: TlsConfig, peerCaFiles: readonly string[] = []): TlsOptions {
  const caFiles = [...(tls.ca === undefined ? [] : [tls.ca]), ...peerCaFiles];
  return {
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    ca: trustedCertificates({ systemCa: tls.systemCa, caFiles }),
    requestCert: tls.requestCert,
  };
}
