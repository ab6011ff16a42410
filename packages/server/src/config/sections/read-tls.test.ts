import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { parse, problem, reject, scratch, useScratchDir, writeTlsFiles } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('tls', () => {
  it('is required by a tls:// listener', () => {
    const error = reject('listen: [udp://0.0.0.0:5060, tls://0.0.0.0:5061]');
    expect(error.key).toBe('tls.cert');
    expect(error.code).toBe('HERALD_ERR_CONFIG_REQUIRED');
    expect(error.errors[0].message).toBe(
      'tls.cert: is required by the listener "tls://0.0.0.0:5061"; add tls: { cert: cert.pem, key: key.pem } with the paths of the PEM certificate chain and private key',
    );
  });

  it('is required by a wss:// listener', () => {
    expect(problem('listen: [wss://0.0.0.0:8443]', 'tls.cert')).toContain('required by the listener "wss://0.0.0.0:8443/"');
  });

  it('needs both cert and key', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem }', 'tls.key')).toBe('tls.key: is required; set it to the path of the PEM private key');
    expect(problem('tls: { key: certs/key.pem }', 'tls.cert')).toContain('is required; set it to the path of the PEM certificate (chain)');
  });

  it('names a missing file, resolved, and where relative paths start', () => {
    writeTlsFiles();
    const error = reject('tls: { cert: certs/missing.pem, key: certs/key.pem }');
    expect(error.code).toBe('HERALD_ERR_CONFIG_FILE');
    expect(error.errors[0].message).toBe(
      `tls.cert: cannot read ${join(scratch.dir, 'certs/missing.pem')} (no such file); give the path of the PEM certificate (chain), absolute or relative to ${scratch.dir}`,
    );
  });

  it('rejects a directory', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs }', 'tls.key')).toBe(
      `tls.key: ${join(scratch.dir, 'certs')} is a directory; give the path of the PEM private key, absolute or relative to ${scratch.dir}`,
    );
  });

  it('checks the optional ca file too', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem, ca: ca.pem }', 'tls.ca')).toContain(
      '(no such file); give the path of the PEM file of trusted CA certificates',
    );
  });

  const asRoot = process.getuid?.() === 0;
  (asRoot ? it.skip : it)('rejects a file it may not read', () => {
    writeTlsFiles();
    chmodSync(join(scratch.dir, 'certs', 'key.pem'), 0o000);
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem }', 'tls.key')).toContain('(permission denied)');
  });

  it('takes requestCert as a boolean', () => {
    writeTlsFiles();
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem, requestCert: "yes" }', 'tls.requestCert')).toBe(
      'tls.requestCert: expected true or false, got "yes"; write requestCert: true or false, without quotes',
    );
  });

  it('adds ca to the system store unless systemCa is false', () => {
    writeTlsFiles();
    expect(parse('tls: { cert: certs/cert.pem, key: certs/key.pem }').tls?.systemCa).toBe(true);
    expect(parse('tls: { cert: certs/cert.pem, key: certs/key.pem, ca: certs/cert.pem, systemCa: false }').tls).toMatchObject({ systemCa: false, ca: join(scratch.dir, 'certs/cert.pem') });
    expect(problem('tls: { cert: certs/cert.pem, key: certs/key.pem, systemCa: no }', 'tls.systemCa')).toBe(
      'tls.systemCa: expected true or false, got "no"; write systemCa: true or false, without quotes',
    );
  });

  it('must be a mapping', () => {
    expect(problem('tls: cert.pem', 'tls')).toBe(
      'tls: expected a mapping of keys, got "cert.pem"; write it as tls: { KEY: VALUE, ... }, or as indented KEY: VALUE lines under tls:',
    );
  });
});
