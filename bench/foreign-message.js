#!/usr/bin/env node
// What finding another domain's server costs a MESSAGE: Herald's CPU µs per MESSAGE relayed
// to a user of another domain (peer.test), its server a SIPp UAS that answers 200, in three
// configurations measured in the same run at one fixed rate, alternated (as bench/ab.js):
//   route     `routes: [{ domain: peer.test, to: "sip:127.0.0.1:UASPORT" }]`: an IP next hop, no DNS;
//   cached    no route: RFC 3263 through a local BIND named (peer.test has no NAPTR,
//             `_sip._udp.peer.test SRV → sip.peer.test A 127.0.0.1`, TTLs of an hour), from
//             Herald's DNS cache after the first MESSAGE;
//   uncached  the same with `dns: { cacheMaxTtl: 0 }`: every MESSAGE asks named again.
// See docs/benchmarks.md ("MESSAGE to another domain").
//
//   node bench/foreign-message.js [--rate N (2000)] [--rounds N (3)] [--seconds S (15)]
//
// Each round starts Herald (embedded store, auth off) once per configuration and runs two
// steps of S seconds; the configurations take turns going first. Prints each step, the
// median CPU µs per MESSAGE of each configuration and its difference from `route`; named's
// CPU per MESSAGE beside it, and the DNS questions per MESSAGE read from Herald's /metrics.
// Needs the workspace built (`npm run build`), sipp and named (Debian sip-tester, bind9).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeUdpPort } from './lib/proc.js';
import { startNamed } from './lib/named.js';
import { startSippUas } from './lib/sipp.js';
import { registerTargets, writeUsersCsv, ADMIN_TOKEN } from './lib/register-targets.js';
import { rampTarget } from './lib/register-bench.js';
import { median } from './lib/ramp.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const rate = option('--rate', 2_000);
const rounds = option('--rounds', 3);
const seconds = option('--seconds', 15);
if (![rate, rounds, seconds].every((n) => Number.isFinite(n) && n > 0)) {
  console.error('usage: node bench/foreign-message.js [--rate N] [--rounds N] [--seconds S]');
  process.exit(2);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(130));
const log = (s = '') => console.log(s);

/** peer.test as it publishes itself: no NAPTR, so SRV (RFC 3263 §4.1), then the target's A (§4.2). */
const peerZone = (uasPort) => [
  '$ORIGIN peer.test.',
  '$TTL 3600',
  '@ IN SOA ns.peer.test. hostmaster.peer.test. 1 3600 600 86400 3600', // negative answers kept an hour too (RFC 2308 §5)
  '@ IN NS ns.peer.test.',
  'ns IN A 127.0.0.1',
  `_sip._udp IN SRV 10 10 ${uasPort} sip`,
  'sip IN A 127.0.0.1',
  '',
].join('\n');

/** The three configurations: Herald's YAML beyond register-targets.js's (which keeps the per-source budget off). */
const CONFIGS = [
  { id: 'route', name: '(a) route to 127.0.0.1:UASPORT, no DNS', yaml: ({ uasPort }) => [`routes: [{ domain: peer.test, to: "sip:127.0.0.1:${uasPort}" }]`] },
  { id: 'cached', name: '(b) no route, DNS cached', yaml: () => [] },
  { id: 'uncached', name: '(c) no route, DNS uncached (cacheMaxTtl: 0)', yaml: () => ['  cacheMaxTtl: 0'] },
];


/** The sum of a Prometheus counter's samples whose labels contain `labels` (e.g. `method="MESSAGE"`). */
async function counter(adminPort, name, labels = '') {
  const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) if (line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** DNS questions Herald sent to named and answered from its cache, and the MESSAGEs it handled, over the life of one start. */
function dnsCounts(adminPort) {
  const read = async () => ({
    sent: await counter(adminPort, 'herald_dns_queries_total'),
    timedOut: await counter(adminPort, 'herald_dns_queries_total', 'result="timeout"'),
    cached: await counter(adminPort, 'herald_dns_cache_hits_total'),
    messages: await counter(adminPort, 'herald_sip_requests_total', 'method="MESSAGE"'),
  });
  let before = null;
  const counts = { sent: 0, timedOut: 0, cached: 0, messages: 0 };
  return {
    counts,
    async start() { before = await read(); },
    async end() {
      const after = await read();
      for (const k of Object.keys(counts)) counts[k] = after[k] - before[k];
    },
  };
}

const herald = registerTargets.find((t) => t.name === 'Herald embedded');
const workDir = mkdtempSync(join(tmpdir(), 'herald-foreign-'));
const results = new Map(CONFIGS.map((c) => [c.id, { cpu: [], named: [], sent: 0, timedOut: 0, cached: 0, messages: 0 }]));
let uas = null;
let named = null;
log(`# MESSAGE to another domain: route, DNS cached, DNS uncached — ${new Date().toISOString()}, ${rate}/s, ${rounds} rounds of 2 × ${seconds} s per configuration\n`);
try {
  const usersCsv = writeUsersCsv(join(workDir, 'users.csv'));
  // peer.test's server: one SIPp UAS for the whole run, each call kept 4 s after its 200 so that a retransmission finds it
  uas = await startSippUas({ scenario: join(here, 'scenarios/message-uas.xml'), args: ['-d', '4000'], limitSeconds: 7_200, workDir, tag: 'peer' });
  named = await startNamed({ 'peer.test': peerZone(uas.port) });
  log(`peer.test: SIPp UAS on 127.0.0.1:${uas.port}; named on ${named.server} (pid ${named.pid})\n`);
  for (let r = 0; r < rounds; r++) {
    for (const c of [...CONFIGS.slice(r % CONFIGS.length), ...CONFIGS.slice(0, r % CONFIGS.length)]) {
      const tag = `${c.id}-${r}`;
      log(`${c.name}, round ${r + 1}:`);
      const adminPort = await freeUdpPort(); // free on UDP; Herald fails to start if TCP has it
      const config = [
        `admin: { listen: "127.0.0.1:${adminPort}", token: "${ADMIN_TOKEN}" }`,
        // the same resolver in every configuration: a question in (a) would show in its row
        'dns:',
        `  servers: ["${named.server}"]`,
        ...c.yaml({ uasPort: uas.port }),
      ];
      const dns = dnsCounts(adminPort);
      // named's CPU is reported per MESSAGE beside Herald's (ramp.js `side`)
      const target = { ...herald, start: async (o) => ({ ...(await herald.start(o)), side: { named: [named.pid] } }) };
      const plan = {
        scenario: join(here, 'scenarios/message-foreign-uac.xml'), sippArgs: ['-inf', usersCsv],
        stepSeconds: seconds, startRate: rate, factor: 1, maxSteps: 2, bisections: 0, pauseMs: 2_000, workDir, log, tag,
      };
      const prepare = async () => { await dns.start(); return () => dns.end(); };
      const row = await rampTarget(target, { start: { workDir, auth: false, tag, config }, plan, log, prepare });
      const res = results.get(c.id);
      for (const s of (row.steps ?? []).filter((x) => x.pass)) {
        res.cpu.push(s.cpuUsPerCall);
        res.named.push(s.sideCpuUsPerCall.named);
      }
      for (const k of Object.keys(dns.counts)) res[k] += dns.counts[k];
      log(`  DNS questions: ${dns.counts.sent} sent to named (${dns.counts.timedOut} of them failed: no answer to any try), ${dns.counts.cached} from the cache, for ${dns.counts.messages} MESSAGEs`);
    }
  }
} finally {
  await uas?.stop().catch(() => undefined);
  await named?.stop();
  rmSync(workDir, { recursive: true, force: true });
}

const base = median(results.get('route').cpu);
const fmt = (x, d = 1) => (x === null ? '—' : x.toFixed(d));
log(`\n| configuration (${rate}/s) | Herald CPU µs/MESSAGE (median) | − (a) | named CPU µs/MESSAGE | DNS questions sent to named per MESSAGE (in all; failed for want of an answer) | answered from Herald's cache per MESSAGE | steps passed |`);
log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of CONFIGS) {
  const res = results.get(c.id);
  const cpu = median(res.cpu);
  const per = (n) => (res.messages > 0 ? (n / res.messages).toFixed(2) : '—');
  const diff = c.id === 'route' || cpu === null || base === null ? '' : `${cpu >= base ? '+' : ''}${fmt(cpu - base)}`;
  log(`| ${c.name} | ${fmt(cpu)} | ${diff} | ${fmt(median(res.named), 1)} | ${per(res.sent)} (${res.sent}; ${res.timedOut}) | ${per(res.cached)} | ${res.cpu.length} of ${2 * rounds} |`);
}
