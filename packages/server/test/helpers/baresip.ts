import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What baresip printed with its SIP trace on (`-s`). */
export interface BaresipRun {
  output: string;
  /** Status codes of the responses to its REGISTERs, in order. */
  registerStatuses: number[];
}

/**
 * Runs baresip (Debian `baresip-core`) for `seconds` with one account registering to
 * Herald at `127.0.0.1:port` over `transport`, audio off, and returns its SIP trace.
 */
export async function runBaresip(port: number, transport: 'udp' | 'tcp', aor: string, password: string, seconds = 3): Promise<BaresipRun> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-baresip-'));
  try {
    await writeFile(
      join(dir, 'config'),
      ['sip_listen\t\t127.0.0.1:0', 'module_path\t\t/usr/lib/baresip/modules', 'module\t\t\taccount.so', 'audio_player\t\tnosound', 'audio_source\t\tnosound', ''].join('\n'),
    );
    await writeFile(join(dir, 'accounts'), `<${aor};transport=${transport}>;auth_pass=${password};outbound="sip:127.0.0.1:${port};transport=${transport}";regint=300\n`);
    const output = await new Promise<string>((resolve) => {
      execFile('baresip', ['-f', dir, '-s', '-t', String(seconds)], { timeout: (seconds + 10) * 1000 }, (_err, stdout, stderr) => resolve(stdout + stderr));
    });
    return { output, registerStatuses: registerStatuses(output) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The status lines of responses whose CSeq is REGISTER, from a baresip SIP trace. */
function registerStatuses(trace: string): number[] {
  const out: number[] = [];
  for (const block of trace.split(/\n(?=SIP\/2\.0 \d{3})/)) {
    const m = /^SIP\/2\.0 (\d{3})/.exec(block.trimStart());
    if (m && /^CSeq: \d+ REGISTER/m.test(block)) out.push(Number(m[1]));
  }
  return out;
}
