#!/usr/bin/env node
// Herald benchmark driver. See docs/benchmarks.md.
//   node bench/run.js [--only parser|options|register|message|presence|scale|connections] [--quick] [--target REGEX] [--baseline DIR]
// Section 1: parser µs per message (Herald vs SIP.js vs the `sip` package).
// Section 2: OPTIONS over UDP driven by SIPp: max sustained rate and server CPU µs per call
//            for each target in bench/lib/targets.js (Herald, a bare Node.js responder).
// Section 3: REGISTER without and with digest (10,000 users) driven by SIPp: the same ramp
//            for Herald (embedded store; Redis with 1 and 2 workers) and Kamailio, side by
//            side, then a CPU profile of Herald embedded with digest near its max rate.
// Section 4: MESSAGE relayed to 10,000 registered users (a SIPp UAS), the same targets and
//            ramp; then the time to drain 10,000 stored messages when their users register.
// Section 5: presence: SUBSCRIBE + NOTIFY, one PUBLISH fanned out to 1,000 watchers, and
//            PUBLISH with 10 watchers per presentity, for the same targets.
// Section 6: scale: 1,000,000 bindings and 100,000 subscriptions held on Redis and on the
//            embedded store (memory, refresh load, restart, fan-out), the Redis cost model.
// Section 7: connections: 100,000 TCP and 10,000 TLS connections held by one node, each
//            registered, with CRLF keep-alives; memory, idle CPU, REGISTER/MESSAGE over them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runParserBench } from './lib/parser-bench.js';
import { targets } from './lib/targets.js';
import { ramp } from './lib/ramp.js';
import { registerSection } from './lib/register-bench.js';
import { addBaselineTarget } from './lib/register-targets.js';
import { messageSection } from './lib/message-bench.js';
import { presenceSection } from './lib/presence-bench.js';
import { scaleSection } from './lib/scale-bench.js';
import { connectionsSection } from './lib/scale-connections.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : null;
const SECTIONS = ['parser', 'options', 'register', 'message', 'presence', 'scale', 'connections'];
if (only && !SECTIONS.includes(only)) {
  console.error('usage: node bench/run.js [--only parser|options|register|message|presence|scale|connections] [--quick] [--target REGEX (REGISTER, MESSAGE and presence targets)] [--baseline DIR (a checkout of another commit, built)]');
  process.exit(2);
}

// Spawned servers and SIPp are killed by an exit hook (lib/proc.js): make signals and a
// closed stdout end the driver through process.exit so that the hook runs.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(130));
process.stdout.on('error', () => process.exit(1));

const log = (s = '') => console.log(s);
const fmt = (x, d = 2) => (x === null || x === undefined ? '—' : x.toFixed(d));
// markdown table; columns after the first are right-aligned unless named in `left`
const table = (head, rows, left = []) => {
  log(`| ${head.join(' | ')} |`);
  log(`|${head.map((h, i) => (i === 0 || left.includes(h) ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of rows) log(`| ${r.join(' | ')} |`);
};

const started = new Date();
const result = {
  date: started.toISOString(),
  quick,
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, sipp: sippVersion() },
};

function sippVersion() {
  try {
    return /SIPp v\S+/.exec(execFileSync('sipp', ['-v']).toString())?.[0] ?? 'unknown';
  } catch (e) {
    return /SIPp v\S+/.exec(String(e.stdout ?? ''))?.[0] ?? null; // `sipp -v` exits non-zero
  }
}

log(`# Herald benchmark — ${result.date}${quick ? ' (quick)' : ''}`);
log(`node ${result.machine.node}, ${result.machine.cpus} × ${result.machine.cpu}, ${result.machine.sipp ?? 'no sipp'}`);

// ---- Section 1: parser ----
if (!only || only === 'parser') {
  log('\n## 1. Parser: µs per message (median round)\n');
  const pb = await runParserBench({ quick });
  result.parser = pb;
  const names = pb.messages.map((m) => m.name);
  table(['parser', ...pb.messages.map((m) => `${m.name} (${m.bytes} B)`)],
    pb.rows.map((r) => [r.parser, ...names.map((n) => fmt(r.us[n]))]));

  const full = pb.rows.find((r) => r.full);
  if (full) {
    log('\nOther parser ÷ Herald full typed (above 1× = Herald full is faster):\n');
    table(['parser', ...names], pb.rows.filter((r) => !r.parser.startsWith('Herald')).map((r) =>
      [r.parser, ...names.map((n) => (r.us[n] && full.us[n] ? `${(r.us[n] / full.us[n]).toFixed(2)}×` : '—'))]));
    const split = pb.rows.find((r) => r.parser === 'Herald header split');
    const sip = pb.rows.find((r) => r.parser === 'sip 0.0.6 parse');
    const check = (ok, text) => log(`- [${ok ? 'x' : ' '}] ${text}`);
    log('\nDESIGN targets (REGISTER):');
    check(full.us.REGISTER < 10, `full typed parse < 10 µs: ${fmt(full.us.REGISTER)}`);
    check(split?.us.REGISTER < 3, `header split < 3 µs: ${fmt(split?.us.REGISTER)}`);
    const vsSip = (h) => (sip && h ? sip.us.REGISTER / h.us.REGISTER : 0);
    check(vsSip(full) >= 2, `full typed ≥ 2× faster than sip 0.0.6 parse: ${vsSip(full).toFixed(2)}×`);
    check(vsSip(split) >= 2, `header split ≥ 2× faster than sip 0.0.6 parse: ${vsSip(split).toFixed(2)}×`);
  }
  if (pb.notes.length) log('\nNotes:\n' + pb.notes.map((n) => `- ${n}`).join('\n'));
}

// ---- Section 2: OPTIONS over UDP with SIPp ----
if (!only || only === 'options') {
  log(`\n## 2. OPTIONS over UDP (SIPp), ${quick ? 3 : 15} s steps\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const plan = {
    scenario: join(here, 'scenarios/options-uac.xml'),
    stepSeconds: quick ? 3 : 15,
    startRate: quick ? 5_000 : 2_000,
    factor: 1.5,
    maxSteps: 12, // 2,000 × 1.5^11 ≈ 173,000/s: far beyond what SIPp can send here
    bisections: quick ? 1 : 4,
    pauseMs: quick ? 500 : 2_000,
    workDir,
    log,
  };
  result.options = [];
  try {
    for (const t of targets) {
      log(`${t.name}:`);
      const server = await t.start({ workDir, quick }).catch((e) => ({ skip: `start failed: ${e.message}` }));
      if (server.skip) {
        log(`  skipped: ${server.skip}`);
        result.options.push({ target: t.name, skipped: server.skip });
        continue;
      }
      try {
        const r = await ramp(server, { ...plan, tag: t.name.split(' ')[0].toLowerCase() });
        result.options.push({ target: t.name, ruri: server.ruri, ...r });
      } catch (e) {
        log(`  error: ${e.message}`);
        result.options.push({ target: t.name, error: e.message });
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }

  log('');
  const rows = result.options.map((o) => [
    o.target,
    o.best ? String(o.best.rate) : '—',
    o.best ? fmt(o.best.achieved, 0) : '—',
    fmt(o.best?.cpuUsPerCall, 1),
    o.skipped ? `skipped: ${o.skipped}` : o.error ? `error: ${o.error}` : o.best ? `${o.steps.length} steps` : 'no step passed',
  ]);
  // Each target against the reference (the bare responder): rate ratio at max sustained,
  // CPU ratio both at max sustained and at the highest ramp rate both passed (CPU µs per
  // call falls as the rate rises, because each wake-up of the server handles more datagrams).
  const ref = result.options.find((o) => targets.find((t) => t.name === o.target)?.reference);
  for (const o of result.options) {
    if (!ref?.best || !o.best || o === ref) continue;
    const passed = (x) => new Map(x.steps.filter((s) => s.pass).map((s) => [s.rate, s]));
    const mine = passed(o);
    const common = [...passed(ref)].filter(([r]) => mine.has(r)).sort((a, b) => b[0] - a[0])[0];
    const atCommon = common ? (mine.get(common[0]).cpuUsPerCall / common[1].cpuUsPerCall).toFixed(2) : null;
    rows.push([`${o.target} / ${ref.target}`, `${(o.best.rate / ref.best.rate).toFixed(2)}×`, '',
      `${(o.best.cpuUsPerCall / ref.best.cpuUsPerCall).toFixed(2)}×`,
      atCommon ? `CPU ratio at ${common[0]}/s (both passed): ${atCommon}×` : '']);
  }
  table(['target', 'max sustained calls/s', 'achieved/s', 'server CPU µs/call', 'note'], rows, ['note']);
}

// --baseline DIR: Herald built in another checkout, measured beside this one (REGISTER, MESSAGE and presence)
if (argv.includes('--baseline')) log(`baseline: ${addBaselineTarget(argv[argv.indexOf('--baseline') + 1])}`);

// --target REGEX: only the REGISTER and MESSAGE targets whose name matches (and no profile unless it matches Herald embedded)
const filter = argv.includes('--target') ? new RegExp(argv[argv.indexOf('--target') + 1], 'i') : null;

// ---- Section 3: REGISTER (no auth, digest) against Kamailio, with a profile ----
if (!only || only === 'register') {
  result.register = await registerSection({ quick, log, table, fmt, here, targetFilter: filter, profile: !filter || filter.test('Herald embedded') });
}

// ---- Section 4: MESSAGE relay against Kamailio, and the drain of stored messages ----
if (!only || only === 'message') {
  result.message = await messageSection({ quick, log, table, fmt, here, targetFilter: filter });
}

// ---- Section 5: presence against Kamailio's presence modules ----
if (!only || only === 'presence') {
  result.presence = await presenceSection({ quick, log, table, fmt, here, targetFilter: filter });
}

// ---- Section 6: scale (bindings, subscriptions held, the Redis cost model) ----
if (!only || only === 'scale') {
  result.scale = await scaleSection({ quick, log, table, fmt, here });
}

// ---- Section 7: connections held by one node (Herald only) ----
if (!only || only === 'connections') {
  result.connections = await connectionsSection({ quick, log, table, fmt, here });
}

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
log(`\nwrote ${file}`);
