import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sipp.js';

/** A TSIG key `named` accepts updates signed with (RFC 8945). */
export interface TsigKey {
  name: string;
  algorithm: 'hmac-sha256';
  /** Base64, as in a BIND `key` statement. */
  secret: string;
}

export interface NamedZone {
  /** The zone's origin, without the trailing dot: `example.test`. */
  origin: string;
  /**
   * Resource records in master-file syntax, one per line, relative to the origin or absolute
   * with a trailing dot: `_sip._udp 60 IN SRV 10 60 5060 sip1`. SOA and NS are written for you.
   */
  records: readonly string[];
  /** Updates signed with this key are allowed (RFC 2136); none when absent. */
  updateKey?: TsigKey;
  /** Negative-caching TTL of the SOA (RFC 2308 §4), seconds; 60 when absent. */
  negativeTtl?: number;
}

export interface NamedServer {
  /** 127.0.0.1 */
  host: string;
  port: number;
  /** `127.0.0.1:PORT`, as Herald's `dns.servers` writes it. */
  server: string;
  /** Runs `dig` against this server and returns its short answer lines (`+short`). */
  dig(name: string, type: string): Promise<string[]>;
  /**
   * Replaces the records of a zone without `updateKey` and waits until `named` serves them
   * (the zone file is rewritten with the next serial and `named` reloads on SIGHUP).
   */
  setZone(zone: NamedZone): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh TSIG key with a random secret. */
export function makeTsigKey(name = 'herald-ddns'): TsigKey {
  return { name, algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') };
}

/**
 * A real BIND 9 `named` (Debian `bind9`) on a free port of 127.0.0.1, UDP and TCP, serving
 * `zones` authoritatively with recursion off, keeping its files in a temporary directory.
 */
export async function startNamed(zones: readonly NamedZone[]): Promise<NamedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-named-'));
  const byOrigin = new Map(zones.map((z) => [z.origin, z]));
  for (const z of zones) await writeFile(join(dir, `${z.origin}.zone`), zoneFile(z, 1));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    await writeFile(join(dir, 'named.conf'), namedConf(dir, port, [...byOrigin.values()]));
    try {
      const child = await spawnNamed(dir);
      return handle(child, dir, port, byOrigin);
    } catch (error) {
      // The free port may have been taken between the probe and named's bind.
      if (attempt >= 3 || !PORT_TAKEN.test(String(error))) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

/** What named says when the port it was given is taken: it cannot create the interface and gives up. */
const PORT_TAKEN = /address in use|creating IPv4 interface \S+ failed/;

function handle(
  child: ChildProcess,
  dir: string,
  port: number,
  byOrigin: Map<string, NamedZone>,
): NamedServer {
  let serial = 1;
  const dig = (name: string, type: string) =>
      new Promise<string[]>((resolve, reject) => {
        execFile('dig', ['@127.0.0.1', '-p', String(port), '+short', '+tries=1', '+time=2', name, type], (err, stdout) => {
          if (err) reject(new Error(`dig ${name} ${type} failed (${err.message}); install the Debian package bind9-dnsutils`));
          else resolve(stdout.split('\n').filter((l) => l !== ''));
        });
      });
  return {
    host: '127.0.0.1',
    port,
    server: `127.0.0.1:${port}`,
    dig,
    async setZone(zone) {
      if (byOrigin.get(zone.origin)?.updateKey) throw new Error(`zone ${zone.origin} takes updates; change it with UPDATE, not setZone`);
      byOrigin.set(zone.origin, zone);
      const next = ++serial;
      await writeFile(join(dir, `${zone.origin}.zone`), zoneFile(zone, next));
      child.kill('SIGHUP');
      for (let i = 0; i < 100; i++) {
        const soa = await dig(zone.origin, 'SOA');
        if (soa[0]?.split(' ')[2] === String(next)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`named did not load serial ${next} of ${zone.origin}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function spawnNamed(dir: string): Promise<ChildProcess> {
  // -g: foreground, logs on stderr; -u is not used (tests may run as root or not).
  const child = spawn('named', ['-g', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      // The line that says all zones are loaded is the bare "running"; "running on Linux" and
      // "running as:" come first, before the zones are.
      if (/ running\r?\n/.test(output)) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => reject(new Error(`named could not start (${e.message}); install the Debian package bind9`)));
    child.once('exit', (code) => reject(new Error(`named exited with ${code}:\n${output}`)));
  });
}

function namedConf(dir: string, port: number, zones: readonly NamedZone[]): string {
  const keys = new Map<string, TsigKey>();
  for (const z of zones) if (z.updateKey) keys.set(z.updateKey.name, z.updateKey);
  return [
    'options {',
    `  directory "${dir}";`,
    `  pid-file "${join(dir, 'named.pid')}";`,
    `  session-keyfile "${join(dir, 'session.key')}";`,
    `  listen-on port ${port} { 127.0.0.1; };`,
    '  listen-on-v6 { none; };',
    '  recursion no;',
    '  dnssec-validation no;',
    '  notify no;',
    '};',
    'controls { };',
    ...[...keys.values()].map((k) => `key "${k.name}" { algorithm ${k.algorithm}; secret "${k.secret}"; };`),
    ...zones.map(
      (z) =>
        `zone "${z.origin}" { type primary; file "${join(dir, `${z.origin}.zone`)}";` +
        (z.updateKey ? ` allow-update { key "${z.updateKey.name}"; };` : '') +
        ' };',
    ),
    '',
  ].join('\n');
}

function zoneFile(z: NamedZone, serial: number): string {
  const negative = z.negativeTtl ?? 60;
  return [
    `$ORIGIN ${z.origin}.`,
    '$TTL 60',
    `@ IN SOA ns.${z.origin}. hostmaster.${z.origin}. ${serial} 3600 600 86400 ${negative}`,
    `@ IN NS ns.${z.origin}.`,
    'ns IN A 127.0.0.1',
    ...z.records,
    '',
  ].join('\n');
}
