// The servers sections 3 (REGISTER) and 4 (MESSAGE) measure: Herald on its embedded store,
// Herald on Redis with 1 and 2 workers, and Kamailio. Each entry:
//   { name, kind, async start({ workDir, auth, messages, redis, nodeArgs, config }) } → { pids, port, ruri, side?, stop() } or { skip }
// `auth`: the digest scenario (10,000 accounts) or not; `messages`: also relay MESSAGE to
// registered contacts (Kamailio: tm + lookup; Herald: room for 10,000 stored messages per
// user, the 10,000 accounts (messages are stored only for known users), and its admin API at `admin`, a base URL, with ADMIN_TOKEN); `redis`: the throwaway Redis of the section ({ port, pid }), flushed before each
// Herald-on-Redis start; `config`: more lines for Herald's YAML (Herald only: `routes:`, `dns:`).
import { copyFileSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort, isAlive, processTree, startProcess, stopProcess } from './proc.js';
import { launch } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const heraldBin = join(root, 'packages/server/dist/bin/herald.js');
const kamailioModules = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const USERS = 10_000;
export const DOMAIN = 'bench.test';
export const RURI = `sip:${DOMAIN}`;
const user = (i) => `u${String(i).padStart(4, '0')}`;
const password = (i) => `pw${String(i).padStart(4, '0')}`;

/**
 * The SIPp injection file of the first `count` users: field0 = user, field1 = the whole [authentication ...] keyword
 * (SIPp 3.6.1 mangles [field0] inside [authentication]; shared/PEERS.md).
 */
export function writeUsersCsv(file, count = USERS) {
  const lines = ['SEQUENTIAL'];
  for (let i = 0; i < count; i++) lines.push(`${user(i)};[authentication username=${user(i)} password=${password(i)}]`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Stop a server and whatever it forked (workers, Kamailio's children), SIGKILL for leftovers. */
async function stopTree(child, graceMs) {
  const tree = isAlive(child.pid) ? processTree(child.pid) : [];
  await stopProcess(child, graceMs);
  for (let i = 0; i < 20 && tree.some(isAlive); i++) await sleep(100);
  for (const p of tree) if (isAlive(p)) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
}

// ---- Redis: a throwaway instance for the section, never the machine's 6379 ----

const redisCli = (port, ...args) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 }).toString().trim();

export async function startRedis() {
  const port = await freeUdpPort(); // free on UDP; checked on TCP by redis-server binding it
  const child = startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    if (child.exitCode !== null) break;
    try { if (redisCli(port, 'ping') === 'PONG') return { port, pid: child.pid, flush: () => redisCli(port, 'flushall'), stop: () => stopProcess(child) }; } catch { /* not yet */ }
  }
  await stopProcess(child);
  throw new Error(`redis-server did not start: ${child.output().trim().split('\n').at(-1) ?? ''}`);
}

// ---- Herald ----

export const ADMIN_TOKEN = 'bench-admin-token-0123456789';

/** Whether the build at `bin` knows the per-source budget and the caps (a `--baseline` build may be older). */
function hasLimits(bin) {
  return existsSync(join(dirname(bin), '../../../stack/dist/transport/request-budget.js'));
}

function heraldYaml({ port, auth, messages, presence, adminPort, store, workers, dataDir, limits, extra }) {
  const lines = [
    `domains: [${DOMAIN}]`,
    `listen: ["udp://127.0.0.1:${port}"]`,
    'log: { level: warn }',
    `dataDir: ${JSON.stringify(dataDir)}`,
    'registrar: { maxContacts: 10 }',
  ];
  // one load generator on one address: no per-source budget, and room for 32 s of Timer J at full rate
  if (limits) lines.push('sip: { rateLimit: { requestsPerSecond: 0 }, maxTransactions: 2000000 }');
  if (store) lines.push(`store: ${store}`, `workers: ${workers}`);
  if (messages) lines.push(`im: { maxStoredPerUser: ${USERS}${limits ? `, maxStoredPerSender: ${USERS}, maxStoredPerForeignDomain: ${USERS}` : ''} }`, `admin: { listen: "127.0.0.1:${adminPort}", token: "${ADMIN_TOKEN}" }`);
  // The MESSAGEs come from sender@peer.test: a configured peer whose route's address (SIPp's, 127.0.0.1) speaks for it,
  // so the default level (verified) takes it without DNS, as it would a partner that sends from its route's address.
  if (messages) lines.push('routes: [{ domain: peer.test, to: "sip:127.0.0.1:9" }]');
  if (!auth) lines.push('auth: { enabled: false }');
  // every change notified at once, as Kamailio does (no coalescing window)
  if (presence) lines.push('presence: { notifyWindow: 0 }');
  // the accounts: for digest, for messages (only a known user's messages are stored) and presentities
  if (auth || messages || presence) {
    lines.push('users:');
    for (let i = 0; i < USERS; i++) lines.push(`  - { user: ${user(i)}, domain: ${DOMAIN}, password: "${password(i)}" }`);
  }
  return [...lines, ...extra].join('\n') + '\n';
}

function heraldTarget(name, { redis: onRedis = false, workers = 1, bin = heraldBin } = {}) {
  return {
    name,
    kind: 'herald',
    workers: onRedis ? workers : 1,
    async start({ workDir, auth, messages = false, presence = false, redis, nodeArgs = [], tag, config: extra = [] }) {
      if (!existsSync(bin)) return { skip: `${bin} missing (npm run build)` };
      if (onRedis && !redis) return { skip: 'no redis-server' };
      if (onRedis) redis.flush();
      const port = await freeUdpPort();
      const adminPort = messages ? await freeUdpPort() : null; // free on UDP; Herald fails to start if TCP has it
      const dataDir = join(workDir, `data-${tag}`);
      mkdirSync(dataDir, { recursive: true });
      const config = join(workDir, `herald-${tag}.yaml`);
      writeFileSync(config, heraldYaml({ port, auth, messages, presence, adminPort, dataDir, store: onRedis ? `redis://127.0.0.1:${redis.port}` : null, workers, limits: hasLimits(bin), extra }));
      // seeding 10,000 accounts (digest hashes into the store) takes a while at start
      const res = await launch(name, 'node', [...nodeArgs, bin, 'start', '--config', config], port, [RURI], { probeMs: 180_000 });
      if (res.skip) return res;
      return { port, ...res, ...(adminPort && { admin: `http://127.0.0.1:${adminPort}` }), ...(onRedis && { side: { redis: [redis.pid] } }), stop: (graceMs) => stopTree(res.child, graceMs) };
    },
  };
}

// ---- Kamailio (shared/PEERS.md: children=2, -m 4096, usrloc in memory) ----

/** The core settings every Kamailio config here starts with: 2 children, UDP on 127.0.0.1:`port` only, `DOMAIN` as ours. */
function kamailioCore(port, purpose) {
  return `#!KAMAILIO
# Written by bench/lib/register-targets.js for the ${purpose} benchmark.
debug=0
log_stderror=yes
children=2
listen=udp:127.0.0.1:${port}
disable_tcp=yes
auto_aliases=no
alias="${DOMAIN}"`;
}

export function kamailioCfg({ port, auth, messages = false }) {
  return `${kamailioCore(port, `${messages ? 'MESSAGE' : 'REGISTER'}${auth ? ' (digest)' : ' (no auth)'}`)}
max_while_loops=${2 * USERS}

mpath="${kamailioModules}/"
loadmodule "sl.so"
${messages ? 'loadmodule "tm.so"\n' : ''}loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
${auth ? 'loadmodule "htable.so"\nloadmodule "auth.so"\n' : ''}
modparam("usrloc", "db_mode", 0)
${auth ? `modparam("htable", "htable", "users=>size=14;autoexpire=0;")

# ${USERS} static accounts u0000..u${USERS - 1} with passwords pw0000.., as Herald's users:
event_route[htable:mod-init] {
  $var(i) = 0;
  while ($var(i) < ${USERS}) {
    $var(n) = ${USERS} + $var(i);
    $var(s) = $(var(n){s.substr,1,0});
    $sht(users=>u$var(s)) = "pw" + $var(s);
    $var(i) = $var(i) + 1;
  }
}
` : ''}
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
  if (is_method("REGISTER")) {
${auth ? `    if (!pv_auth_check("$fd", "$sht(users=>$fU)", "0", "1")) {
      auth_challenge("$fd", "1");
      exit;
    }
` : ''}    if (!save("location")) sl_reply_error();
    exit;
  }
${messages ? `  # stateful relay to the registered contacts, as Herald's (RFC 3428 §7)
  if (is_method("MESSAGE")) {
    if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
    if (!t_relay()) sl_reply_error();
    exit;
  }
` : ''}  sl_send_reply("404", "Not Here");
}
`;
}

/**
 * Kamailio's presence server (shared/PEERS.md): subscriptions and publications in memory
 * (subs_db_mode=0, publ_cache=2), a db_text directory for the start-up table checks only,
 * force_active=1 (no authorization look-ups), NOTIFYs through tm.
 */
export function kamailioPresenceCfg({ port, dbDir }) {
  return `${kamailioCore(port, 'presence')}

mpath="${kamailioModules}/"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "db_text.so"
loadmodule "presence.so"
loadmodule "presence_xml.so"
modparam("presence", "db_url", "text://${dbDir}")
modparam("presence", "subs_db_mode", 0)
modparam("presence", "publ_cache", 2)
modparam("presence", "server_address", "sip:127.0.0.1:${port}")
modparam("presence_xml", "db_url", "text://${dbDir}")
modparam("presence_xml", "force_active", 1)

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
  if (is_method("PUBLISH|SUBSCRIBE")) {
    if (!t_newtran()) { sl_reply_error(); exit; }
    if (is_method("PUBLISH")) handle_publish(); else handle_subscribe();
    t_release();
    exit;
  }
  sl_send_reply("404", "Not Here");
}
`;
}

const KAMAILIO_DBTEXT = '/usr/share/kamailio/dbtext/kamailio';

const kamailioTarget = {
  name: 'Kamailio',
  kind: 'kamailio',
  async start({ workDir, auth, messages = false, presence = false, tag }) {
    if (!existsSync('/usr/sbin/kamailio') && !existsSync('/usr/bin/kamailio')) return { skip: 'kamailio not installed' };
    const port = await freeUdpPort();
    const cfg = join(workDir, `kamailio-${tag}.cfg`);
    if (presence) {
      if (!existsSync(join(KAMAILIO_DBTEXT, 'presentity'))) return { skip: 'kamailio-presence-modules (db_text tables) not installed' };
      const dbDir = join(workDir, `kamailio-db-${tag}`);
      mkdirSync(dbDir, { recursive: true });
      for (const t of ['version', 'presentity', 'active_watchers', 'watchers', 'xcap']) copyFileSync(join(KAMAILIO_DBTEXT, t), join(dbDir, t));
      writeFileSync(cfg, kamailioPresenceCfg({ port, dbDir }));
    } else writeFileSync(cfg, kamailioCfg({ port, auth, messages }));
    const run = join(workDir, `kamailio-run-${tag}`);
    mkdirSync(run, { recursive: true });
    // -DD: the main process stays in the foreground (children forked under it), -E: log to stderr
    const res = await launch('Kamailio', 'kamailio', ['-f', cfg, '-DD', '-E', '-m', '4096', '-Y', run, '-P', join(run, 'kamailio.pid')],
      port, [RURI], { probeMs: 30_000 });
    if (res.skip) return res;
    return { port, ...res, stop: () => stopTree(res.child) };
  },
};

export const registerTargets = [
  heraldTarget('Herald embedded'),
  // `--baseline DIR` puts Herald as built in DIR here (addBaselineTarget)
  heraldTarget('Herald Redis, 1 worker', { redis: true, workers: 1 }),
  heraldTarget('Herald Redis, 2 workers', { redis: true, workers: 2 }),
  kamailioTarget,
];

/**
 * `--baseline DIR`: Herald as built in another checkout (an earlier commit, `npm run build`
 * there), on the embedded store (or on Redis, one worker), measured in the same run right after this checkout's.
 */
export function addBaselineTarget(dir, { redis = false } = {}) {
  const commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const target = heraldTarget(`Herald ${redis ? 'Redis' : 'embedded'} @${commit}`, { redis, bin: join(resolvePath(dir), 'packages/server/dist/bin/herald.js') });
  registerTargets.splice(1, 0, target);
  return target.name;
}
