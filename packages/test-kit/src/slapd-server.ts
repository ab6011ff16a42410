import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './sipp.js';
import { stopProcess } from './stop-process.js';

export interface SlapdOptions {
  /** The directory's suffix: `dc=acme,dc=test`. Its entry (a `dcObject`) is written for you. */
  suffix: string;
  /** Entries under the suffix in LDIF, loaded with `slapadd` before the server starts. */
  ldif: string;
}

export interface SlapdServer {
  /** `ldap://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** The administrator's DN (`cn=admin,SUFFIX`), who may read everything. */
  adminDn: string;
  adminPassword: string;
  /** Runs `ldapsearch` as the administrator and returns the values of `attribute` of the entries `filter` matches. */
  search(filter: string, attribute: string): Promise<string[]>;
  /** Stops the server, keeping its database. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same database. */
  restart(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

const SCHEMAS = ['core', 'cosine', 'inetorgperson'];

/**
 * A real OpenLDAP `slapd` (Debian `slapd`) on a free port of 127.0.0.1, with an mdb database
 * in a temporary directory, configured from a generated `slapd.conf` and loaded with
 * `slapadd` (Debian `ldap-utils` for `ldapsearch`).
 */
export async function startSlapd(options: SlapdOptions): Promise<SlapdServer> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-slapd-'));
  const adminDn = `cn=admin,${options.suffix}`;
  const adminPassword = 'herald-test-admin';
  try {
    await mkdir(join(dir, 'db'));
    const conf = join(dir, 'slapd.conf');
    await writeFile(conf, slapdConf(dir, options.suffix, adminDn, adminPassword));
    await writeFile(join(dir, 'entries.ldif'), `${suffixEntry(options.suffix)}\n${options.ldif.trim()}\n`);
    await run('slapadd', ['-f', conf, '-l', join(dir, 'entries.ldif')], 'install the Debian package slapd');
    let port = 0;
    let child: ChildProcess | null = null;
    for (let attempt = 0; child === null; attempt++) {
      port = await freePort();
      try {
        child = await spawnSlapd(conf, port);
      } catch (error) {
        // The free port may have been taken between the probe and slapd's bind.
        if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
      }
    }
    const url = `ldap://127.0.0.1:${port}`;
    return {
      url,
      port,
      adminDn,
      adminPassword,
      search: async (filter, attribute) => {
        const out = await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', url, '-D', adminDn, '-w', adminPassword, '-b', options.suffix, filter, attribute], 'install the Debian package ldap-utils');
        const prefix = `${attribute.toLowerCase()}: `;
        return out.split('\n').filter((l) => l.toLowerCase().startsWith(prefix)).map((l) => l.slice(prefix.length));
      },
      async stop() {
        if (child) await stopProcess(child);
      },
      async restart() {
        if (child) await stopProcess(child);
        child = await spawnSlapd(conf, port);
      },
      async close() {
        if (child) await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

function spawnSlapd(conf: string, port: number): Promise<ChildProcess> {
  // -d 256 (stats): foreground, and "slapd starting" on stderr once it listens.
  const child = spawn('slapd', ['-d', '256', '-h', `ldap://127.0.0.1:${port}/`, '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      if (output.includes('slapd starting')) return;
      output += d.toString();
      // "slapd starting" may come before the listener accepts: wait until it does (once: the probe is logged too).
      if (output.includes('slapd starting')) void accepting(port).then(() => resolve(child), reject);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => reject(new Error(`slapd could not start (${e.message}); install the Debian package slapd`)));
    child.once('exit', (code) => reject(new Error(`slapd exited with ${code}:\n${output}`)));
  });
}

async function accepting(port: number): Promise<void> {
  for (let i = 0; ; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (i >= 200) throw new Error(`slapd said it was starting but does not accept on port ${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function run(command: string, args: string[], fix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed (${error.message.split('\n')[0]}):\n${stderr}\n(if it is missing: ${fix})`));
      else resolve(stdout);
    });
  });
}

function slapdConf(dir: string, suffix: string, adminDn: string, adminPassword: string): string {
  return [
    ...SCHEMAS.map((s) => `include /etc/ldap/schema/${s}.schema`),
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'database mdb',
    'maxsize 10485760',
    `suffix "${suffix}"`,
    `rootdn "${adminDn}"`,
    `rootpw ${adminPassword}`,
    `directory ${join(dir, 'db')}`,
    'index objectClass eq',
    '',
  ].join('\n');
}

function suffixEntry(suffix: string): string {
  const dc = /^dc=([^,]+)/i.exec(suffix)?.[1];
  if (dc === undefined) throw new Error(`the suffix ${suffix} does not start with dc=; write e.g. dc=acme,dc=test`);
  return `dn: ${suffix}\nobjectClass: dcObject\nobjectClass: organization\ndc: ${dc}\no: ${dc}\n`;
}
