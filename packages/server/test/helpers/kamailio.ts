import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from '@herald/test-kit';

export interface KamailioPeer {
  /** The UDP port its users (and, without `tls`, the other domain) reach it on. */
  port: number;
  /** Everything Kamailio logged so far (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

/** Mutual TLS with the other domain: Kamailio's `tls.so` on its own port. */
export interface KamailioTls {
  port: number;
  /** PEM files: Kamailio's certificate and key (presented as server and as client) and the CA it trusts. */
  cert: string;
  key: string;
  ca: string;
  /** The name the other domain's server certificate is asked for with (SNI). */
  serverName: string;
}

export interface KamailioOptions {
  domain: string;
  /** UDP port. */
  port: number;
  /** Listening address; 127.0.0.1 when absent. */
  host?: string;
  otherDomain: string;
  /** The next hop for `otherDomain`, a SIP URI: `sip:127.0.0.1:5060`, `sip:127.0.0.2:5061;transport=tls`. */
  otherHop: string;
  /**
   * With it, Kamailio also listens for TLS and names itself there by `domain` (Record-Route and
   * the presence server's Contact) so that the other domain reaches it by name and checks its
   * certificate against that name; it requires and verifies client certificates and presents
   * its own when it connects.
   */
  tls?: KamailioTls;
}

const DBTEXT = '/usr/share/kamailio/dbtext/kamailio';
/** The tables presence checks the versions of at start-up; it keeps its state in memory afterwards. */
const PRESENCE_TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap'];

/**
 * A real Kamailio 5.6 (Debian `kamailio`, `kamailio-presence-modules`, and
 * `kamailio-tls-modules` with `tls`) serving `domain` on `host`:`port` over UDP: registrar
 * and location in memory, a presence server (RFC 3856, PUBLISH and SUBSCRIBE, every watcher
 * allowed), requests for its own users to their bindings, and requests for `otherDomain` to
 * `otherHop`, record-routed when they create a dialog (Kamailio's resolver reads only
 * /etc/resolv.conf, so it cannot be pointed at the test's `named`).
 */
export async function startKamailio(options: KamailioOptions): Promise<KamailioPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-kamailio-'));
  const db = join(dir, 'db');
  await mkdir(db);
  for (const table of PRESENCE_TABLES) await copyFile(join(DBTEXT, table), join(db, table));
  if (options.tls) await writeFile(join(dir, 'tls.cfg'), tlsConfig(options.tls));
  await writeFile(join(dir, 'kamailio.cfg'), config(options, db, dir, await modulesDir(options.tls !== undefined)));
  return runKamailio(dir, options.port, 64);
}

/**
 * Runs Kamailio on `dir`/kamailio.cfg with `memoryMb` of shared memory until its config logs
 * `kamailio-peer-ready`; stopping it removes `dir`.
 */
export async function runKamailio(dir: string, port: number, memoryMb: number): Promise<KamailioPeer> {
  const child = spawn('kamailio', ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-m', String(memoryMb), '-M', '16', '-Y', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('kamailio-peer-ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => reject(new Error(`kamailio could not start (${e.message}); install the Debian packages kamailio and kamailio-presence-modules`)));
    child.once('exit', (code) => reject(new Error(`kamailio exited with ${code}:\n${output}`)));
  }).catch(async (error: unknown) => {
    await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    port,
    output: () => output,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Debian installs the modules under the architecture's library directory. */
export async function modulesDir(tls: boolean): Promise<string> {
  for (const arch of await readdir('/usr/lib')) {
    const dir = join('/usr/lib', arch, 'kamailio/modules');
    if (!existsSync(join(dir, 'presence.so'))) continue;
    if (tls && !existsSync(join(dir, 'tls.so'))) throw new Error('the Kamailio TLS module is missing; install the Debian package kamailio-tls-modules');
    return dir;
  }
  throw new Error('the Kamailio presence module is missing; install the Debian packages kamailio and kamailio-presence-modules');
}

/** One profile for all: Kamailio verifies the other side's chain (it checks no host name) and always shows its own certificate. */
function tlsConfig(t: KamailioTls): string {
  const common = ['method = TLSv1.2+', 'verify_certificate = yes', 'require_certificate = yes', `private_key = ${t.key}`, `certificate = ${t.cert}`, `ca_list = ${t.ca}`];
  return ['[server:default]', ...common, '', '[client:default]', ...common, `server_name = ${t.serverName}`, ''].join('\n');
}

function config(o: KamailioOptions, db: string, dir: string, modules: string): string {
  const host = o.host ?? '127.0.0.1';
  // The presence server's Contact: where the other domain sends in-dialog SUBSCRIBEs.
  const serverAddress = o.tls ? `sip:${o.domain}@${o.domain}:${o.tls.port};transport=tls` : `sip:${o.domain}@${host}:${o.port}`;
  // Kamailio resolves an `advertise` name itself, through /etc/resolv.conf: the name goes in by hand instead.
  const tlsListen = o.tls ? `enable_tls=yes\ntcp_children=1\nlisten=tls:${host}:${o.tls.port}\nalias="${o.domain}:${o.tls.port}"\n` : '';
  // Double record-routing (RFC 5658): the other domain's side by name over TLS, our users' side by address.
  const recordRoute = o.tls ? `record_route_preset("${o.domain}:${o.tls.port};transport=tls", "${host}:${o.port}")` : 'record_route()';
  const tlsModule = o.tls ? `loadmodule "tls.so"\nmodparam("tls", "config", "${join(dir, 'tls.cfg')}")\n` : '';
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
listen=udp:${host}:${o.port}
alias="${o.domain}"
${tlsListen}mpath="${modules}/"
${tlsModule}
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "db_text.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"

modparam("usrloc", "db_mode", 0)
modparam("presence", "db_url", "text://${db}")
modparam("presence", "subs_db_mode", 0)
modparam("presence", "publ_cache", 2)
modparam("presence", "server_address", "${serverAddress}")
modparam("presence_xml", "db_url", "text://${db}")
modparam("presence_xml", "force_active", 1)

event_route[core:worker-one-init] {
  xlog("L_NOTICE", "kamailio-peer-ready\\n");
}

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    if (is_method("SUBSCRIBE") && uri == myself) { route(PRESENCE); exit; }
    sl_send_reply("404", "Not Here");
    exit;
  }
  # A preloaded Route (the outbound proxy the client was given: us) is not passed on.
  remove_hf("Route");
  if (is_method("SUBSCRIBE|PUBLISH") && $rd == "${o.domain}") { route(PRESENCE); exit; }
  if (is_method("REGISTER")) { save("location"); exit; }
  if ($rd == "${o.otherDomain}") {
    if (is_method("SUBSCRIBE")) ${recordRoute};
    $du = "${o.otherHop}";
    t_relay();
    exit;
  }
  if ($rd == "${o.domain}") {
    if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
    t_relay();
    exit;
  }
  sl_send_reply("403", "Not Relaying");
}

route[PRESENCE] {
  if (!t_newtran()) { sl_reply_error(); exit; }
  if (is_method("PUBLISH")) handle_publish();
  else handle_subscribe();
  t_release();
}
`;
}
