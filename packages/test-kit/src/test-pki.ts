import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key, as PEM text and as files (Herald's and Kamailio's config take paths). */
export interface TestIdentity {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

/** What a leaf certificate names. */
export interface LeafOptions {
  /** The subjectAltName value as openssl writes it; `URI:sip:<domain>,DNS:<domain>` (plus `ips`) by default. */
  san?: string;
  /** `IP:` entries added to the default subjectAltName (for a server reached by address). */
  ips?: readonly string[];
  /** The subject CN; the domain by default. */
  cn?: string;
}

/** A test certificate authority: its own certificate, and leaves it signs. */
export interface TestAuthority extends TestIdentity {
  /** A leaf for `domain`, usable as server and client certificate (serverAuth, clientAuth). */
  leaf(domain: string, options?: LeafOptions): Promise<TestIdentity>;
}

/** A throwaway PKI for TLS tests, in a temporary directory. */
export interface TestPki {
  dir: string;
  /** The CA Herald is told to trust. */
  ca: TestAuthority;
  /** A second CA, unrelated to `ca`. */
  otherCa: TestAuthority;
  /** A self-signed certificate naming `domain` the way a leaf of `ca` does: an impostor. */
  selfSigned(domain: string, options?: LeafOptions): Promise<TestIdentity>;
  /** Removes the directory. */
  cleanup(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const LEAF_EXTENSIONS = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth'];

/**
 * Makes a test PKI with the `openssl` command (EC P-256 keys, valid for a day): a CA,
 * leaves it signs with `subjectAltName=URI:sip:<domain>,DNS:<domain>`, a self-signed impostor,
 * and an unrelated second CA. A wrong-domain certificate is `ca.leaf('other.test')`.
 */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-pki-'));
  let seq = 0;
  let serial = Date.now();
  const name = (stem: string) => join(dir, `${String(++seq).padStart(2, '0')}-${stem.replace(/[^a-z0-9.-]/gi, '_')}`);

  const identity = async (stem: string, args: (certFile: string, keyFile: string) => string[]): Promise<TestIdentity> => {
    const base = name(stem);
    const certFile = `${base}.pem`;
    const keyFile = `${base}.key`;
    await run('openssl', args(certFile, keyFile));
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
  };

  const authority = async (cn: string): Promise<TestAuthority> => {
    const ca = await identity(cn, (certFile, keyFile) => [
      'req', '-x509', ...EC_KEY, '-subj', `/CN=${cn}`, '-days', '1',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', keyFile, '-out', certFile,
    ]);
    const leaf = async (domain: string, options: LeafOptions = {}): Promise<TestIdentity> => {
      const extFile = `${name(`${domain}-ext`)}.cnf`;
      await writeFile(extFile, [...LEAF_EXTENSIONS, `subjectAltName=${sanOf(domain, options)}`].join('\n') + '\n');
      const base = name(domain);
      const [certFile, keyFile, csr] = [`${base}.pem`, `${base}.key`, `${base}.csr`];
      await run('openssl', ['req', '-new', ...EC_KEY, '-subj', `/CN=${options.cn ?? domain}`, '-keyout', keyFile, '-out', csr]);
      await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(++serial), '-days', '1', '-extfile', extFile, '-out', certFile]);
      return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
    };
    return { ...ca, leaf };
  };

  try {
    const [ca, otherCa] = await Promise.all([authority('Herald Test CA'), authority('Unrelated Test CA')]);
    return {
      dir,
      ca,
      otherCa,
      selfSigned: (domain, options = {}) =>
        identity(`${domain}-self`, (certFile, keyFile) => [
          'req', '-x509', ...EC_KEY, '-subj', `/CN=${options.cn ?? domain}`, '-days', '1',
          ...LEAF_EXTENSIONS.flatMap((e) => ['-addext', e]), '-addext', `subjectAltName=${sanOf(domain, options)}`,
          '-keyout', keyFile, '-out', certFile,
        ]),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function sanOf(domain: string, options: LeafOptions): string {
  return options.san ?? [`URI:sip:${domain}`, `DNS:${domain}`, ...(options.ips ?? []).map((ip) => `IP:${ip}`)].join(',');
}
