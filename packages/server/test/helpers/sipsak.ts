import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** sipsak's exit code (0: a 2xx came) and what it printed with `-vvv`. */
export interface SipsakRun {
  code: number | null;
  output: string;
}

/**
 * Registers `user`@`domain` with sipsak 0.9.8 (Debian `sipsak`) in its usrloc mode: UDP to
 * Herald at 127.0.0.1:`port`, digest answered with `password` (`-u`: sipsak would otherwise
 * send "user@" as the username). sipsak resolves the domain itself, so it must resolve
 * (`localhost`).
 */
export function sipsakRegister(port: number, user: string, domain: string, password: string): Promise<SipsakRun> {
  return sipsak(['-U', '-s', `sip:${user}@${domain}`, '-r', String(port), '-u', user, '-a', password, '-x', '300', '-i']);
}

/**
 * Sends a MESSAGE from `user`@`domain` to `to` with sipsak, answering the 407 with
 * `password`. sipsak 0.9.8's message mode (`-M`) crashes before sending (a NULL buffer in
 * its sprintf), so the request comes from a file (`-f`) and sipsak adds its Via and the
 * digest answer, as in its other modes.
 */
export async function sipsakMessage(port: number, user: string, domain: string, password: string, to: string, text: string): Promise<SipsakRun> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-sipsak-'));
  try {
    const file = join(dir, 'message.sip');
    const head = [
      `MESSAGE ${to} SIP/2.0`,
      `From: <sip:${user}@${domain}>;tag=sipsak1`,
      `To: <${to}>`,
      `Call-ID: sipsak-${process.pid}-${Date.now()}@127.0.0.1`,
      'CSeq: 1 MESSAGE',
      'Max-Forwards: 70',
      'Content-Type: text/plain',
      `Content-Length: ${Buffer.byteLength(text)}`,
    ];
    await writeFile(file, head.join('\r\n') + '\r\n\r\n' + text);
    return await sipsak(['-f', file, '-s', to, '-r', String(port), '-u', user, '-a', password]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sipsak(args: string[]): Promise<SipsakRun> {
  return new Promise((resolve) => {
    execFile('sipsak', [...args, '-vvv'], { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}
