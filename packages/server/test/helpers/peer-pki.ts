import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** PEM files of one leaf certificate and its key, on disk. */
export interface PeerCertificateFiles {
  cert: string;
  key: string;
}

/** A test CA and one leaf per SIP domain, as files in `dir` (the caller removes it). */
export interface PeerPki {
  dir: string;
  /** The CA certificate (PEM file) that signed every leaf. */
  ca: string;
  leaves: Record<string, PeerCertificateFiles>;
}

const run = promisify(execFile);

/**
 * A throwaway CA and, for each domain, a leaf certificate whose identity is the domain as
 * RFC 5922 §7.1 reads it (SAN `URI:sip:<domain>` and `DNS:<domain>`), usable by a server and
 * a client (mutual TLS between domains). Made with the `openssl` command; valid for a day.
 */
export async function createPeerPki(domains: readonly string[]): Promise<PeerPki> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-pki-'));
  const ca = join(dir, 'ca.pem');
  const caKey = join(dir, 'ca-key.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=Herald test CA', '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', caKey, '-out', ca]);
  const leaves: Record<string, PeerCertificateFiles> = {};
  for (const domain of domains) {
    const cert = join(dir, `${domain}.pem`);
    const key = join(dir, `${domain}-key.pem`);
    const csr = join(dir, `${domain}.csr`);
    const ext = join(dir, `${domain}.ext`);
    await writeFile(ext, `subjectAltName=URI:sip:${domain},DNS:${domain}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${domain}`, '-keyout', key, '-out', csr]);
    await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', cert]);
    leaves[domain] = { cert, key };
  }
  return { dir, ca, leaves };
}
