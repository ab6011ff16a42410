import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What baresip printed with its SIP trace on (`-s`). */
export interface BaresipRun {
  output: string;
  /** Status codes of the responses to its REGISTERs, in order. */
  registerStatuses: number[];
  /** Status codes of the responses to its MESSAGEs, in order. */
  messageStatuses: number[];
}

export interface BaresipOptions {
  /** A MESSAGE with this text to `to`, sent at start-up (the `contact` module's `/message`). */
  message?: { to: string; text: string };
}

/**
 * Runs baresip (Debian `baresip-core`) for `seconds` with one account registering to
 * Herald at `127.0.0.1:port` over `transport`, audio off, and returns its SIP trace.
 */
export async function runBaresip(port: number, transport: 'udp' | 'tcp', aor: string, password: string, seconds = 3, options: BaresipOptions = {}): Promise<BaresipRun> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-baresip-'));
  const { message } = options;
  try {
    const modules = message ? ['account.so', 'contact.so', 'menu.so'] : ['account.so'];
    await writeFile(
      join(dir, 'config'),
      ['sip_listen\t\t127.0.0.1:0', 'module_path\t\t/usr/lib/baresip/modules', ...modules.map((m) => `module\t\t\t${m}`), 'audio_player\t\tnosound', 'audio_source\t\tnosound', ''].join('\n'),
    );
    await writeFile(join(dir, 'accounts'), `<${aor};transport=${transport}>;auth_pass=${password};outbound="sip:127.0.0.1:${port};transport=${transport}";regint=300\n`);
    // `/message` goes to the current contact: the first of the file.
    if (message) await writeFile(join(dir, 'contacts'), `<${message.to}>\n`);
    const commands = message ? ['-e', `/message ${message.text}`] : [];
    const output = await new Promise<string>((resolve) => {
      execFile('baresip', ['-f', dir, '-s', '-t', String(seconds), ...commands], { timeout: (seconds + 10) * 1000 }, (_err, stdout, stderr) => resolve(stdout + stderr));
    });
    return { output, registerStatuses: statusesOf(output, 'REGISTER'), messageStatuses: statusesOf(output, 'MESSAGE') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The status codes of responses whose CSeq names `method`, from a SIP trace. */
export function statusesOf(trace: string, method: string): number[] {
  const out: number[] = [];
  const cseq = new RegExp(`^CSeq: \\d+ ${method}\\b`, 'm');
  for (const block of trace.split(/\n(?=SIP\/2\.0 \d{3})/)) {
    const m = /^SIP\/2\.0 (\d{3})/.exec(block.trimStart());
    if (m && cseq.test(block.split(/\r?\n\r?\n/)[0])) out.push(Number(m[1]));
  }
  return out;
}
