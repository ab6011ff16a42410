// Section 7: connections. One Herald node (Redis store, several workers) holds N idle TCP
// and M TLS connections, each with a user registered over it (Contact with transport=tcp/tls),
// opened at a bounded rate by client processes (bench/lib/connection-fleet.js), each on its
// own loopback source address (127.0.0.2, .3, …: its own ephemeral port range).
// Measured: Herald's RSS (all its processes) and the kernel's TCP memory (/proc/net/sockstat)
// per connection; Herald's CPU while the connections are idle, without and with CRLF
// keep-alives (RFC 5626 §4.4.1; one per connection every 30 s); REGISTER at 6,000/s and
// MESSAGE at 3,000/s (the rates of bench/ab.js) over a few thousand of the connections while
// all the others stay open and keep pinging.
// The limits are raised here only, in the benchmark's configuration: this machine's
// per-process open-files limit (hard 20,000) is why there are several workers and clients.
import { fork, execFileSync } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMicros, freeUdpPort, isAlive, processTree, stopProcess } from './proc.js';
import { startRedis } from './register-targets.js';
import { launch } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const heraldBin = join(root, 'packages/server/dist/bin/herald.js');
const fleetScript = fileURLToPath(new URL('./connection-fleet.js', import.meta.url));
const DOMAIN = 'bench.test';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sockets one client process or one Herald worker holds at most: under the open-files limit (20,000 here) with room to spare. */
const PER_PROCESS = 14_000;
const KEEPALIVE_S = 30;
const CONNECT_RATE = 2_000; // TCP connects (each followed by its REGISTER) per second, all clients together
const TLS_CONNECT_RATE = 500;
/** Connecting stops after this many times the time the rate needs (a busy machine connects slower); what is open by then is measured. */
const CONNECT_SLACK = 8;
const RATES = { register: 6_000, message: 3_000 };
const ACTIVE = 4_000; // connections that carry the REGISTER and MESSAGE load

export async function connectionsSection({ quick, log, table, fmt }) {
  const tcpCount = quick ? 10_000 : 100_000;
  const tlsCount = quick ? 1_000 : 10_000;
  const total = tcpCount + tlsCount;
  const clients = Math.max(2, Math.ceil(total / PER_PROCESS));
  const workers = Math.max(2, Math.ceil(total / PER_PROCESS));
  const windowS = quick ? 10 : 30;
  const loadS = quick ? 5 : 15;
  log(`\n## 7. Connections: ${total.toLocaleString('en')} held (${tcpCount.toLocaleString('en')} TCP, ${tlsCount.toLocaleString('en')} TLS), Herald on Redis with ${workers} workers, ${clients} client processes\n`);
  const out = { tcp: tcpCount, tls: tlsCount, workers, clients, notes: [] };
  if (!existsSync(heraldBin)) { log(`skipped: ${heraldBin} missing (npm run build)`); return { skipped: 'not built' }; }
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-connections-'));
  let redis = null;
  let server = null;
  const fleet = [];
  try {
    redis = await startRedis();
    const cert = makeCertificate(workDir);
    const ports = { udp: await freeUdpPort(), tcp: await freeTcpPort(), tls: await freeTcpPort(), admin: await freeTcpPort() };
    const config = join(workDir, 'herald.yaml');
    writeFileSync(config, heraldYaml({ ports, cert, redisPort: redis.port, workers }));
    server = await launch('Herald', 'node', [heraldBin, 'start', '--config', config], ports.udp, [`sip:${DOMAIN}`], { probeMs: 60_000 });
    if (server.skip) { log(`skipped: ${server.skip}`); return { skipped: server.skip }; }
    const pid = server.pids[0];
    await sleep(2_000);
    const metricsUrl = `http://127.0.0.1:${ports.admin}/metrics`;
    const before = { ...measure(pid), ...(await heapOf(metricsUrl)) };
    out.baseline = before;
    log(`Herald up: ${before.procs} processes, RSS ${mb(before.rss)} MB; kernel TCP memory ${mb(before.tcpMem)} MB`);

    // ---- connect and register, bounded in rate and time: TCP, then TLS, memory after each ----
    for (let i = 0; i < clients; i++) fleet.push(startClient(i));
    const share = (n, i) => Math.floor(n / clients) + (i < n % clients ? 1 : 0);
    const errors = {};
    out.connect = { tcp: 0, tls: 0, registered: 0, late: 0, errors, seconds: 0 };
    const phase = async (transport, count, rate) => {
      const seconds = Math.ceil((count / rate) * CONNECT_SLACK);
      const t0 = performance.now();
      const parts = await Promise.all(fleet.map((c, i) => c.ask({
        type: 'connect',
        opts: { host: '127.0.0.1', tcpPort: ports.tcp, tlsPort: ports.tls, localAddress: `127.0.0.${2 + i}`, domain: DOMAIN, base: i * 1_000_000 },
        tcp: transport === 'tcp' ? share(count, i) : 0, tls: transport === 'tls' ? share(count, i) : 0, rate: rate / clients, tlsRate: rate / clients, seconds,
      }, (seconds + 90) * 1000)));
      const ms = performance.now() - t0;
      const late = parts.reduce((n, r) => n + r[transport].late, 0);
      for (const r of parts) {
        const part = r[transport];
        out.connect[transport] += part.opened;
        out.connect.registered += part.registered;
        for (const [k, v] of Object.entries(part.errors)) errors[k] = (errors[k] ?? 0) + v;
      }
      out.connect.seconds += ms / 1000;
      out.connect.late += late;
      if (late) out.notes.push(`${late} ${transport.toUpperCase()} connections not opened: connecting ${transport.toUpperCase()} stopped after ${seconds} s`);
      log(`connected ${out.connect[transport]} ${transport.toUpperCase()} in ${fmt(ms / 1000, 1)} s, ${out.connect.registered} registered in all${Object.keys(errors).length ? `; errors: ${JSON.stringify(errors)}` : ''}`);
      await sleep(5_000);
      const m = { ...measure(pid), ...(await heapOf(metricsUrl)) };
      log(`  RSS ${mb(m.rss)} MB over ${m.procs} processes; per process: ${m.perProc.map((p) => `${mb(p.rss)} MB/${p.fds} fds`).join(', ')}`);
      return m;
    };
    out.tcpHeld = await phase('tcp', tcpCount, CONNECT_RATE);
    out.held = await phase('tls', tlsCount, TLS_CONNECT_RATE);
    const held = out.connect.tcp + out.connect.tls;

    // ---- idle CPU, without and with keep-alives ----
    const cpu = async (seconds) => {
      const c0 = cpuMicros(pid);
      const s0 = await stats(fleet);
      await sleep(seconds * 1000);
      const c1 = cpuMicros(pid);
      const s1 = await stats(fleet);
      return { cpuUs: c1 - c0, seconds, pongs: s1.pongs - s0.pongs, pings: s1.pings - s0.pings };
    };
    out.idle = await cpu(windowS);
    log(`idle, no keep-alives: Herald CPU ${fmt(out.idle.cpuUs / windowS / 1e4, 2)} % of a core`);
    await Promise.all(fleet.map((c) => c.ask({ type: 'keepalive', intervalMs: KEEPALIVE_S * 1000 })));
    await sleep(2_000);
    out.keepalive = await cpu(windowS);
    out.keepalive.rate = held / KEEPALIVE_S;
    log(`keep-alives (each connection every ${KEEPALIVE_S} s, ${fmt(out.keepalive.pings / windowS, 0)}/s): Herald CPU ${fmt(out.keepalive.cpuUs / windowS / 1e4, 2)} % of a core, ${out.keepalive.pongs} pongs for ${out.keepalive.pings} pings`);

    // ---- REGISTER and MESSAGE at fixed rates over some of the connections, all held; then with only those held ----
    const active = Math.ceil(ACTIVE / clients);
    const runLoad = async (held) => {
      const rows = [];
      // Herald's CPU rate before the load (keep-alives, timers), taken off the load's CPU per request
      const c0 = cpuMicros(pid);
      await sleep(5_000);
      const background = (cpuMicros(pid) - c0) / 5_000;
      for (const kind of ['register', 'message']) rows.push(await fixedRate(fleet, pid, { kind, seconds: loadS, active, clients, held, background, log, fmt }));
      return rows;
    };
    out.load = await runLoad(held);
    const end = await stats(fleet);
    out.end = end;
    log(`after the load: ${end.open} of ${held} connections open, ${end.closedByPeer} closed by Herald`);
    await Promise.all(fleet.map((c) => c.ask({ type: 'shed', keep: active })));
    await Promise.all(fleet.map((c) => c.ask({ type: 'keepalive', intervalMs: KEEPALIVE_S * 1000 })));
    log(`closed all but ${active * clients} connections; waiting for Herald to settle (the registrar drops the closed flows' bindings)`);
    out.settleSeconds = await settle(pid);
    out.loadFew = await runLoad(active * clients);
    printTables(out, { log, table, fmt, held });
    if (out.notes.length) log('\nNotes:\n' + out.notes.map((n) => `- ${n}`).join('\n'));
  } catch (e) {
    log(`error: ${e.stack ?? e.message}`);
    out.error = e.message;
  } finally {
    await Promise.all(fleet.map((c) => c.close()));
    // the primary stops its workers on SIGTERM; whatever is left after 10 s is killed
    const tree = server?.pids ? processTree(server.pids[0]) : [];
    if (server?.child) await stopProcess(server.child, 10_000);
    for (let i = 0; i < 100 && tree.some(isAlive); i++) await sleep(100);
    for (const p of tree) if (isAlive(p)) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    await redis?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  return out;
}

function printTables(out, { log, table, fmt, held }) {
  const { baseline: b, tcpHeld: t, held: h, connect: { tcp, tls } } = out;
  log('\n### Memory per connection\n');
  const kb = (bytes) => fmt(bytes / 1024, 1);
  const row = (name, f) => [name, mb(f(b)), mb(f(t)), mb(f(h)), kb((f(t) - f(b)) / tcp), kb((f(h) - f(t)) / tls), kb((f(h) - f(b)) / held)];
  table(['measure (MB; per connection KB)', 'before', `+ ${tcp.toLocaleString('en')} TCP`, `+ ${tls.toLocaleString('en')} TLS`, 'per TCP connection', 'per TLS connection', 'per connection, all'], [
    row(`Herald RSS, all ${h.procs} processes`, (m) => m.rss),
    row('V8 heap in use, all workers', (m) => m.heapUsed),
    row('external memory (Buffers, TLS), all workers', (m) => m.external),
    row('kernel TCP buffers, both ends (/proc/net/sockstat)', (m) => m.tcpMem),
    row('kernel socket structures, both ends (/proc/slabinfo: TCP, sock_inode_cache, filp, dentry, eventpoll_epi)', (m) => m.slab),
  ]);
  log(`\nHerald RSS ÷ connections: ${kb(h.rss / held)} KB (${mb(b.rss)} MB of it before any connection); TCP sockets in use (both ends): ${b.tcpInuse} → ${h.tcpInuse}`);
  log('\n### Herald CPU while the connections are idle\n');
  const pct1 = (r) => fmt(r.cpuUs / r.seconds / 1e4, 2);
  const perPing = out.keepalive.pongs ? (out.keepalive.cpuUs - out.idle.cpuUs * (out.keepalive.seconds / out.idle.seconds)) / out.keepalive.pongs : null;
  table(['state', 'keep-alives/s', 'Herald CPU (% of a core)', 'µs per keep-alive'], [
    ['idle, no traffic', '0', pct1(out.idle), ''],
    [`CRLF keep-alive per connection every ${KEEPALIVE_S} s`, fmt(out.keepalive.pings / out.keepalive.seconds, 0), pct1(out.keepalive), fmt(perPing, 1)],
  ]);
  out.keepalive.usPerPing = perPing;
  log(`\npongs: ${out.keepalive.pongs} for ${out.keepalive.pings} pings`);
  log(`\n### REGISTER and MESSAGE over ${ACTIVE.toLocaleString('en')} connections, with all held and with only those\n`);
  table(['request (fixed rate)', 'connections held', 'sent', '2xx', 'offered/s', 'p50 ms', 'p99 ms', 'max ms', 'Herald CPU µs/request', 'meets the rate'], [...out.load, ...out.loadFew].map((r) => [
    `${r.kind.toUpperCase()} (${r.rate.toLocaleString('en')}/s, ${r.seconds} s)`, r.held.toLocaleString('en'), String(r.sent), String(r.ok), fmt(r.offered, 0), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.max, 1), fmt(r.cpuUsPerRequest, 1), r.pass ? 'yes' : 'no',
  ]));
}

/**
 * `kind` at its fixed rate for `seconds`, spread over `active` connections of each client. CPU per request:
 * Herald's CPU from the start until every request was answered, less `background` (µs per ms before the load), ÷ requests sent.
 */
async function fixedRate(fleet, pid, { kind, seconds, active, clients, held, background, log, fmt }) {
  const c0 = cpuMicros(pid);
  const t0 = performance.now();
  const parts = await Promise.all(fleet.map((c) => c.ask({ type: 'load', kind, rate: RATES[kind] / clients, seconds, active }, (seconds + 60) * 1000)));
  const cpuUs = cpuMicros(pid) - c0 - background * (performance.now() - t0);
  const lat = parts.flatMap((p) => p.lat).sort((a, b) => a - b);
  const codes = {};
  const reasons = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.codes)) codes[k] = (codes[k] ?? 0) + v;
  for (const p of parts) for (const [k, v] of Object.entries(p.reasons)) reasons[k] = (reasons[k] ?? 0) + v;
  const skipped = parts.reduce((n, p) => n + p.skipped, 0);
  const sent = parts.reduce((n, p) => n + p.sent, 0);
  const sendS = Math.max(...parts.map((p) => p.sendMs)) / 1000;
  const row = {
    kind, held, rate: RATES[kind], seconds, sent, skipped, ok: lat.length, codes, reasons, offered: sent / sendS,
    p50: pct(lat, 0.5), p99: pct(lat, 0.99), max: lat.at(-1) ?? null, cpuUsPerRequest: cpuUs / Math.max(1, sent),
  };
  // meets the rate: sent on time (within 3 %), every request answered 2xx, p99 under 1 s
  row.pass = row.offered >= 0.97 * row.rate && row.ok === sent && row.p99 !== null && row.p99 < 1000;
  log(`${kind.toUpperCase()} at ${row.rate}/s for ${seconds} s over ${active * clients} connections, ${held} held: ${row.ok}/${sent} 2xx, p50 ${fmt(row.p50, 1)} ms, p99 ${fmt(row.p99, 1)} ms; codes ${JSON.stringify(codes)}${skipped ? `; ${skipped} not sent (every connection busy)` : ''}${Object.keys(reasons).length ? `; ${JSON.stringify(reasons)}` : ''}`);
  return row;
}

/** Waits until Herald uses under 10 % of a core over 2 s (at most 120 s); the seconds waited. */
async function settle(pid) {
  const t0 = performance.now();
  for (let i = 0; i < 60; i++) {
    const c0 = cpuMicros(pid);
    await sleep(2_000);
    if (cpuMicros(pid) - c0 < 200_000) break;
  }
  return (performance.now() - t0) / 1000;
}

/** The workers' V8 heap in use and external memory (Buffers, TLS), summed, from the Prometheus default metrics; {} when unavailable. */
async function heapOf(url) {
  try {
    const text = await (await fetch(url)).text();
    const value = (name) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const aors = value('herald_registered_aors');
    return { heapUsed: value('nodejs_heap_size_used_bytes'), external: value('nodejs_external_memory_bytes'), connections: value('herald_connections_accepted'), ...(Number.isFinite(aors) && { aors }) };
  } catch {
    return {};
  }
}

/** RSS and open descriptors of Herald's processes; the kernel's TCP socket count and memory. */
function measure(pid) {
  const perProc = processTree(pid).map((p) => ({ pid: p, rss: rssOf(p), fds: fdsOf(p) }));
  const sock = readFileSync('/proc/net/sockstat', 'latin1');
  const tcp = /TCP: inuse (\d+) .* mem (\d+)/.exec(sock);
  return { procs: perProc.length, rss: perProc.reduce((n, p) => n + p.rss, 0), perProc, tcpInuse: Number(tcp?.[1]), tcpMem: Number(tcp?.[2]) * 4096, slab: socketSlab() };
}

/** A TCP port free on 127.0.0.1 right now. */
function freeTcpPort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Bytes in the kernel's slab caches a TCP socket takes (the socket, its inode, file, dentry, epoll entry); NaN without root. */
function socketSlab() {
  try {
    const caches = new Set(['TCP', 'sock_inode_cache', 'filp', 'dentry', 'eventpoll_epi']);
    let bytes = 0;
    for (const line of readFileSync('/proc/slabinfo', 'latin1').split('\n')) {
      const f = line.split(/\s+/);
      if (caches.has(f[0])) bytes += Number(f[2]) * Number(f[3]);
    }
    return bytes;
  } catch {
    return NaN;
  }
}
const rssOf = (pid) => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))[1]) * 1024; } catch { return 0; } };
const fdsOf = (pid) => { try { return readdirSync(`/proc/${pid}/fd`).length; } catch { return 0; } };
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const pct = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);

async function stats(fleet) {
  const all = await Promise.all(fleet.map((c) => c.ask({ type: 'stats' })));
  const s = { open: 0, pings: 0, pongs: 0, closedByPeer: 0 };
  for (const r of all) for (const k of Object.keys(s)) s[k] += r[k];
  return s;
}

/** A client process (connection-fleet.js) and a request/answer call over its IPC channel. */
function startClient(i) {
  const child = fork(fleetScript, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  let next = 0;
  child.on('message', (m) => { waiting.get(m.id)?.resolve(m); waiting.delete(m.id); });
  child.on('exit', () => { for (const w of waiting.values()) w.reject(new Error(`client ${i} exited`)); waiting.clear(); });
  return {
    ask(cmd, timeoutMs = 30_000) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`client ${i}: no answer to ${cmd.type} within ${timeoutMs} ms`)); }, timeoutMs);
        waiting.set(id, { resolve: (m) => { clearTimeout(timer); resolve(m); }, reject });
        child.send({ ...cmd, id });
      });
    },
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      try { await this.ask({ type: 'close' }, 10_000); } catch { /* killed below */ }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** An ECDSA P-256 certificate for 127.0.0.1 (cheaper handshakes than RSA), made with openssl as the tests do. */
function makeCertificate(dir) {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost', '-days', '1',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

function heraldYaml({ ports, cert, redisPort, workers }) {
  return [
    `domains: [${DOMAIN}]`,
    `listen: ["udp://127.0.0.1:${ports.udp}", "tcp://127.0.0.1:${ports.tcp}", "tls://127.0.0.1:${ports.tls}"]`,
    `tls: { cert: ${JSON.stringify(cert.cert)}, key: ${JSON.stringify(cert.key)} }`,
    'log: { level: warn }',
    `store: redis://127.0.0.1:${redisPort}`,
    `workers: ${workers}`,
    'auth: { enabled: false }',
    `admin: { listen: "127.0.0.1:${ports.admin}", token: "bench-admin-token-0123456789" }`,
    // operator settings for this many clients from a few addresses: no per-source caps or request budget;
    // 19,000 accepted connections per worker (its open-files limit is 20,000)
    'sip: { maxConnectionsPerSource: 1000000, maxConnections: 19000, rateLimit: { requestsPerSecond: 0 }, maxTransactions: 2000000 }',
  ].join('\n') + '\n';
}
