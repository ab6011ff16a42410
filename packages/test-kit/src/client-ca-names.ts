import { execFile } from 'node:child_process';

/**
 * The CA names a TLS server sends in its CertificateRequest, as `openssl s_client` prints
 * them (`CN = Test CA`, one per CA); empty when it sends none or asks for no certificate.
 */
export function clientCaNames(port: number, host = '127.0.0.1'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', ['s_client', '-connect', `${host}:${port}`, '-servername', 'herald.test'], { timeout: 10_000 }, (error, stdout) => {
      const lines = stdout.split('\n');
      const start = lines.indexOf('Acceptable client certificate CA names');
      if (start < 0) return error !== null && !stdout.includes('No client certificate CA names sent') ? reject(error) : resolve([]);
      const end = lines.findIndex((line, i) => i > start && /^(Requested Signature Algorithms|Client Certificate Types|---)/.test(line));
      resolve(lines.slice(start + 1, end < 0 ? undefined : end));
    });
    child.stdin?.end();
  });
}
