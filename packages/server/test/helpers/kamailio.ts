import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopProcess } from '@herald/test-kit';

export interface KamailioPeer {
  port: number;
  stop(): Promise<void>;
}

const DBTEXT = '/usr/share/kamailio/dbtext/kamailio';
/** The tables presence checks the versions of at start-up; it keeps its state in memory afterwards. */
const PRESENCE_TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap'];

/**
 * A real Kamailio 5.6 (Debian `kamailio`, `kamailio-presence-modules`) serving `domain` on
 * 127.0.0.1:`port` over UDP: registrar and location in memory, a presence server (RFC 3856,
 * PUBLISH and SUBSCRIBE, every watcher allowed), requests for its own users to their
 * bindings, and requests for `otherDomain` to `otherHop` (Kamailio's resolver reads only
 * /etc/resolv.conf, so it cannot be pointed at the test's `named`).
 */
export async function startKamailio(options: { domain: string; port: number; otherDomain: string; otherHop: string }): Promise<KamailioPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'herald-kamailio-'));
  const db = join(dir, 'db');
  await mkdir(db);
  for (const table of PRESENCE_TABLES) await copyFile(join(DBTEXT, table), join(db, table));
  await writeFile(join(dir, 'kamailio.cfg'), config(options, db, await modulesDir()));
  const child = spawn('kamailio', ['-f', join(dir, 'kamailio.cfg'), '-DD', '-E', '-m', '64', '-M', '8', '-Y', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
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
  });
  return {
    port: options.port,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Debian installs the modules under the architecture's library directory. */
async function modulesDir(): Promise<string> {
  for (const arch of await readdir('/usr/lib')) {
    const dir = join('/usr/lib', arch, 'kamailio/modules');
    if (existsSync(join(dir, 'presence.so'))) return dir;
  }
  throw new Error('the Kamailio presence module is missing; install the Debian packages kamailio and kamailio-presence-modules');
}

function config(o: { domain: string; port: number; otherDomain: string; otherHop: string }, db: string, modules: string): string {
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:${o.port}
alias="${o.domain}"
mpath="${modules}/"

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
modparam("presence", "server_address", "sip:${o.domain}@127.0.0.1:${o.port}")
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
  if (is_method("SUBSCRIBE|PUBLISH") && $rd == "${o.domain}") { route(PRESENCE); exit; }
  if (is_method("REGISTER")) { save("location"); exit; }
  if ($rd == "${o.otherDomain}") {
    if (is_method("SUBSCRIBE")) record_route();
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
