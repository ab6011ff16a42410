import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopProcess } from '@herald/test-kit';
import { statusesOf } from './baresip.js';

export interface BaresipAgentOptions {
  /** The account's AoR: `sip:alice@herald.test`. */
  aor: string;
  /** Its server, where every request goes: `sip:127.0.0.1:5060;transport=udp`. */
  outbound: string;
  /** Presence contacts it watches (`;presence=p2p`); the first is the one `/message` writes to. */
  contacts: readonly string[];
  /**
   * PUBLISH its own status (RFC 3903), refreshed every this many seconds; it starts Online
   * once `startBaresipAgent` has resolved.
   */
  publishSeconds?: number;
}

/** The status baresip's contact list shows for a watched contact. */
export type ContactStatus = 'Online' | 'Offline' | 'Busy' | 'Unknown';

/** A running baresip (Debian `baresip-core`), driven through its `ctrl_tcp` module. */
export interface BaresipAgent {
  /** The status of each contact, from the `/contacts` command. */
  statuses(): Promise<Map<string, ContactStatus>>;
  /** Resolves once `contact` shows `status`; rejects after `ms` naming what it showed. */
  waitForStatus(contact: string, status: ContactStatus, ms?: number): Promise<void>;
  /**
   * Sets its own presence (`presence_online` / `presence_offline`); with `publishSeconds`,
   * resolves once the PUBLISH that carries the change has its answer.
   */
  setOnline(online: boolean): Promise<void>;
  /** Sends `text` in a MESSAGE to the first contact (RFC 3428). */
  message(text: string): Promise<void>;
  /** Resolves with the MESSAGE carrying `text` once it has reached it; rejects after `ms`. */
  waitForMessage(text: string, ms?: number): Promise<ReceivedRequest>;
  /** The `method` requests it has received so far, oldest first. */
  received(method: string): ReceivedRequest[];
  /** Its SIP trace and log so far. */
  output(): string;
  /** Quits (un-REGISTER, un-SUBSCRIBE, un-PUBLISH), killing it if it lingers. */
  stop(): Promise<void>;
}

const STATUSES: readonly ContactStatus[] = ['Online', 'Offline', 'Busy', 'Unknown'];

/** Starts baresip with `options`; resolves once its control port answers. */
export async function startBaresipAgent(options: BaresipAgentOptions): Promise<BaresipAgent> {
  for (let attempt = 0; ; attempt++) {
    const ctrlPort = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'herald-baresip-'));
    await writeFiles(dir, options, ctrlPort);
    const child = spawn('baresip', ['-f', dir, '-s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const control = await connectControl(ctrlPort, child, () => output).catch(async (error: Error) => {
      await stopProcess(child, 2000);
      await rm(dir, { recursive: true, force: true });
      // The free port may have been taken between the probe and baresip's bind.
      if (attempt >= 2) throw error;
      return null;
    });
    if (!control) continue;
    const a = agent(child, dir, control, () => output, options.publishSeconds !== undefined);
    if (options.publishSeconds !== undefined) {
      await a.publishAnswered(1).catch(async (error: unknown) => {
        await a.stop();
        throw error;
      });
      await a.setOnline(true);
    }
    return a;
  }
}

async function writeFiles(dir: string, o: BaresipAgentOptions, ctrlPort: number): Promise<void> {
  // menu.so listens for MESSAGEs (without a listener baresip refuses them); presence.so
  // subscribes to the contacts and publishes; ctrl_tcp.so takes the commands.
  const modules = ['account.so', 'contact.so', 'menu.so', 'presence.so', 'ctrl_tcp.so'];
  await writeFile(
    join(dir, 'config'),
    [
      'sip_listen\t\t127.0.0.1:0',
      'module_path\t\t/usr/lib/baresip/modules',
      ...modules.map((m) => `module\t\t\t${m}`),
      `ctrl_tcp_listen\t\t127.0.0.1:${ctrlPort}`,
      'audio_player\t\tnosound',
      'audio_source\t\tnosound',
      'audio_alert\t\tnosound',
      '',
    ].join('\n'),
  );
  const transport = /;transport=(\w+)/.exec(o.outbound)?.[1] ?? 'udp';
  const account = `<${o.aor};transport=${transport}>;outbound="${o.outbound}"`;
  // baresip 1.0 publishes twice at start, from a 10 ms timer and on its first registration,
  // each without SIP-If-Match when the other's answer is not in yet: two publications, of which
  // it later updates only one. So the account that publishes (the first, the current one, which
  // also subscribes and sends) never registers, and a second one for the same AoR registers
  // (and receives); the first status is set from here, once the timer's PUBLISH is answered.
  const accounts = o.publishSeconds !== undefined ? [`${account};regint=0;pubint=${o.publishSeconds}`, `${account};regint=300`] : [`${account};regint=300`];
  await writeFile(join(dir, 'accounts'), accounts.map((a) => `${a}\n`).join(''));
  await writeFile(join(dir, 'contacts'), o.contacts.map((c) => `<${c}>;presence=p2p\n`).join(''));
}

function agent(child: ChildProcess, dir: string, control: Control, output: () => string, publishes: boolean): BaresipAgent & { publishAnswered(count: number): Promise<void> } {
  const statuses = async () => parseContacts(await control.command('contacts'));
  const until = async (what: string, ms: number, done: () => boolean | Promise<boolean>, shown: () => string | Promise<string>): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await done())) {
      if (Date.now() > deadline) throw new Error(`baresip: ${what} not within ${ms} ms (${await shown()})\n--- baresip output ---\n${output().slice(-6000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** Resolves once `count` responses to its PUBLISHes are in (the trace shows only those it received). */
  const publishAnswered = (count: number) =>
    until(`${count} PUBLISH answered`, 5000, () => statusesOf(output(), 'PUBLISH').length >= count, () => `answers ${statusesOf(output(), 'PUBLISH').join(', ') || 'none'}`);
  return {
    statuses,
    async waitForStatus(contact, status, ms = 5000) {
      let last: ContactStatus | undefined;
      await until(
        `<${contact}> ${status}`,
        ms,
        async () => (last = (await statuses()).get(contact)) === status,
        () => `it shows ${last ?? 'no such contact'}`,
      );
    },
    publishAnswered,
    async setOnline(online) {
      const answered = statusesOf(output(), 'PUBLISH').length;
      await control.command(online ? 'presence_online' : 'presence_offline');
      if (publishes) await publishAnswered(answered + 1);
    },
    async message(text) {
      await control.command('message', text);
    },
    async waitForMessage(text, ms = 5000) {
      const messages = () => receivedRequests(output(), 'MESSAGE');
      const find = () => messages().find((m) => m.body === text);
      await until(`a MESSAGE "${text}"`, ms, () => find() !== undefined, () => `received ${JSON.stringify(messages().map((m) => m.body))}`);
      return find()!;
    },
    received: (method) => receivedRequests(output(), method),
    output,
    async stop() {
      // baresip answers `quit` only if it is still there to; it un-REGISTERs before it exits.
      await Promise.race([control.command('quit').catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      control.close();
      await stopProcess(child, 3000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `/contacts` prints one line per contact: the current marker, its status (in colour), the name and `<uri>`. */
export function parseContacts(text: string): Map<string, ContactStatus> {
  const out = new Map<string, ContactStatus>();
  // eslint-disable-next-line no-control-regex
  for (const line of text.replace(/\x1b\[[0-9;]*m/g, '').split('\n')) {
    const m = /^\s*>?\s*(\w+)\s.*<([^>]+)>/.exec(line);
    if (m && (STATUSES as readonly string[]).includes(m[1])) out.set(m[2], m[1] as ContactStatus);
  }
  return out;
}

/** A request as baresip's trace shows it. */
export interface ReceivedRequest {
  /** The request line and header fields. */
  head: string;
  body: string;
}

/**
 * The `method` requests baresip received, from its SIP trace: each message there follows a
 * line `UDP <from> -> <to>`, and baresip's own address is where its first one (a REGISTER
 * or PUBLISH) came from.
 */
export function receivedRequests(trace: string, method: string): ReceivedRequest[] {
  // eslint-disable-next-line no-control-regex
  const blocks = trace.replace(/\x1b\[[0-9;]*m/g, '').split(/^(?:UDP|TCP|TLS) (\S+) -> (\S+)\r?\n/m);
  const own = blocks[1];
  const out: ReceivedRequest[] = [];
  for (let i = 1; i + 2 < blocks.length; i += 3) {
    const [to, message] = [blocks[i + 1], blocks[i + 2]];
    if (to !== own || !message.startsWith(`${method} `)) continue;
    const [head, ...rest] = message.split(/\r?\n\r?\n/);
    const length = Number(/^Content-Length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
    out.push({ head, body: rest.join('\n\n').slice(0, length) });
  }
  return out;
}

interface Control {
  /** Runs a baresip command and resolves with what it printed. */
  command(name: string, params?: string): Promise<string>;
  close(): void;
}

/**
 * ctrl_tcp speaks JSON in netstrings (`<length>:<json>,`): a command with a token, its
 * response with the same token; events in between are skipped.
 */
async function connectControl(port: number, child: ChildProcess, output: () => string): Promise<Control> {
  const deadline = Date.now() + 5000;
  let socket: net.Socket;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`baresip exited with ${child.exitCode}:\n${output()}`);
    try {
      socket = await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
      break;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`baresip's control port ${port} did not answer (${(error as Error).message}):\n${output()}`, { cause: error });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const waiting = new Map<string, { resolve: (data: string) => void; reject: (e: Error) => void }>();
  let buffer = Buffer.alloc(0);
  let next = 0;
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const colon = buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(buffer.subarray(0, colon).toString());
      if (buffer.length < colon + 1 + length + 1) return;
      const json = JSON.parse(buffer.subarray(colon + 1, colon + 1 + length).toString()) as { response?: boolean; ok?: boolean; data?: string; token?: string };
      buffer = buffer.subarray(colon + 1 + length + 1);
      const w = json.response && json.token !== undefined ? waiting.get(json.token) : undefined;
      if (!w) continue;
      waiting.delete(json.token!);
      if (json.ok) w.resolve(json.data ?? '');
      else w.reject(new Error(`baresip command failed: ${json.data ?? ''}`));
    }
  });
  const failAll = () => {
    for (const w of waiting.values()) w.reject(new Error(`baresip's control connection closed:\n${output()}`));
    waiting.clear();
  };
  socket.on('close', failAll);
  socket.on('error', failAll);
  return {
    command(name, params) {
      const token = String(++next);
      const json = Buffer.from(JSON.stringify({ command: name, ...(params !== undefined && { params }), token }));
      return new Promise((resolve, reject) => {
        waiting.set(token, { resolve, reject });
        socket.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(',')]));
      });
    },
    close: () => socket.destroy(),
  };
}
