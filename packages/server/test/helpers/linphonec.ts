import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';

/**
 * linphonec (Debian `linphone-cli`, liblinphone 5.1) driven through its standard input: one
 * account registering to Herald at 127.0.0.1:`port` over UDP, Herald also its outbound proxy
 * (`reg_route`), SIP on a random port (`sip_port=-1`), no TCP/TLS listener, no sound card,
 * its configuration, databases and log in a directory of its own.
 */
export class Linphonec {
  private stdout = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly dir: string,
  ) {
    child.stdout.on('data', (d: Buffer) => (this.stdout += d.toString()));
    child.stderr.resume();
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(port: number, user: string, domain: string, password: string): Promise<Linphonec> {
    const dir = await mkdtemp(join(tmpdir(), 'herald-linphonec-'));
    // liblinphone keeps its chat database here; without the directory, `chat` crashes it.
    await mkdir(join(dir, '.local', 'share', 'linphone'), { recursive: true });
    const proxy = `sip:127.0.0.1:${port};transport=udp`;
    await writeFile(
      join(dir, 'linphonerc'),
      [
        '[sip]',
        'sip_port=-1',
        'sip_tcp_port=-2',
        'sip_tls_port=-2',
        'default_proxy=0',
        '[proxy_0]',
        `reg_proxy=<${proxy}>`,
        `reg_route=<${proxy};lr>`,
        `reg_identity=<sip:${user}@${domain}>`,
        'reg_expires=300',
        'reg_sendregister=1',
        'publish=0',
        '[auth_info_0]',
        `username=${user}`,
        `passwd=${password}`,
        `realm=${domain}`,
        `domain=${domain}`,
        '',
      ].join('\n'),
    );
    const child = spawn('linphonec', ['-c', join(dir, 'linphonerc'), '-d', '6', '-l', join(dir, 'linphonec.log')], {
      env: { ...process.env, HOME: dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new Linphonec(child, dir);
  }

  /** Asks `status register` until linphonec says it is registered; false if it never does. */
  async registered(ms = 10_000): Promise<boolean> {
    const done = (text: string) => /registered, identity=/.test(text);
    const seen = await eventually(
      () => {
        if (!done(this.stdout)) this.child.stdin.write('status register\n');
        return this.stdout;
      },
      done,
      ms,
    );
    return done(seen);
  }

  /** Sends a text MESSAGE to `to` (linphonec's `chat`). */
  chat(to: string, text: string): void {
    this.child.stdin.write(`chat ${to} ${text}\n`);
  }

  /** Quits (linphonec unregisters first) and resolves with the exit code. */
  async quit(): Promise<number | null> {
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** liblinphone's log at level 6: every SIP message it sent and received. */
  log(): Promise<string> {
    return readFile(join(this.dir, 'linphonec.log'), 'utf8');
  }

  async remove(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await rm(this.dir, { recursive: true, force: true });
  }
}
