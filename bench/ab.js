#!/usr/bin/env node
// Two builds of Herald at fixed rates, alternated: the comparison a change that must not make
// a row worse needs (DESIGN.md: CPU per call at a fixed rate well below both maxima is
// steadier than a ramp's maximum). See docs/benchmarks.md.
//   node bench/ab.js --baseline DIR|kamailio [--rounds N] [--only noauth,digest,message,subscribe,publish,fanout] [--seconds S] [--store redis [--workers 2]]
//   node bench/ab.js --profile DIR [--only …] [--seconds S] [--store redis]
//   node bench/ab.js --alloc [--only …] [--seconds S] [--store redis]
// DIR is a checkout of another commit, built (`npm run build` there); `kamailio` puts
// Kamailio (section 3-5's configs) in its place, as issue 17's figures were measured. Each round starts each
// build on the embedded store (or both on one throwaway Redis, `--store redis`) once and runs
// two steps of S seconds (default 15) per scenario; the builds alternate which goes first.
// Prints each step and the median CPU µs per call. `fanout` is no ramp: 1,000 watchers of one
// presentity, then 5 PUBLISHes in turn; the median ms until the last NOTIFY of one was answered
// (and the first PUBLISH's, as section 5 reports it) and the server's CPU ms per fan-out.
// `--profile DIR`: no baseline; this build alone, one step per scenario under `node --cpu-prof`,
// each profile kept in DIR and its top functions printed in µs per call. `--alloc`: the same
// with the bytes each function allocates per call instead (garbage included: what GC costs), at
// a third of the rate (sampling slows Herald down).
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addBaselineTarget, registerTargets, startRedis, writeUsersCsv, DOMAIN } from './lib/register-targets.js';
import { fanOut, publishWatchers } from './lib/presence-bench.js';
import { rampTarget } from './lib/register-bench.js';
import { median } from './lib/ramp.js';
import { summariseFile } from './lib/cpuprofile.js';
import { startAllocationSampling } from './lib/alloc-sampling.js';
import { freeUdpPort } from './lib/proc.js';
import { registeredUas } from './lib/message-bench.js';

/**
 * The top functions of the profile in `dir`, in µs per call of `calls`: only its last
 * `windowSeconds` (the load ended just before the process was stopped; start-up, with its
 * accounts written and configuration parsed, is left out).
 */
function printProfile(dir, calls, windowSeconds) {
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
  if (!file) { log(`  no .cpuprofile in ${dir}`); return; }
  const s = summariseFile(join(dir, file), { top: 30, fromEndUs: windowSeconds * 1e6 });
  const perCall = (ms) => (calls > 0 ? ((ms * 1000) / calls).toFixed(2) : '—');
  log(`  ${s.sampledMs.toFixed(0)} ms busy over ${calls} calls (${perCall(s.sampledMs)} µs/call, profiler on); self time:`);
  for (const r of s.rows) log(`  ${perCall(r.selfMs).padStart(8)} µs  ${r.pct.toFixed(1).padStart(5)} %  ${r.fn}  ${r.where}`);
  log('  by file:');
  for (const r of s.files.slice(0, 12)) log(`  ${perCall(r.selfMs).padStart(8)} µs  ${r.pct.toFixed(1).padStart(5)} %  ${r.file}`);
}

/** Bytes allocated per call of `calls`, by function (sampled every 4 KB, so small figures are rough). */
function printAllocations({ total, rows }, calls) {
  const perCall = (bytes) => (calls > 0 ? (bytes / calls).toFixed(0) : '—');
  log(`  ${perCall(total)} B allocated per call over ${calls} calls (sampled); by function:`);
  for (const r of rows.slice(0, 40)) log(`  ${perCall(r.bytes).padStart(7)} B  ${r.fn}`);
}

const here = fileURLToPath(new URL('.', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const baseline = option('--baseline', null);
const profileDir = option('--profile', null);
const alloc = argv.includes('--alloc');
const alone = profileDir !== null || alloc;
if (!baseline === !alone || (profileDir && alloc)) {
  console.error('usage: node bench/ab.js --baseline DIR|kamailio [--rounds N] [--only noauth,digest,message,subscribe,publish,fanout] [--seconds S] [--store redis]\n'
    + '       node bench/ab.js --profile DIR | --alloc [--only …] [--seconds S] [--store redis]');
  process.exit(2);
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(sig, () => process.exit(130));

/** Rates well below both builds' maxima on these 2-core machines (docs/benchmarks.md). */
const SCENARIOS = [
  { id: 'noauth', name: 'REGISTER, no auth', rate: 6_000, file: 'register-uac.xml', start: {} },
  { id: 'digest', name: 'REGISTER with digest', rate: 2_500, file: 'register-auth-uac.xml', start: { auth: true }, auth: true },
  { id: 'message', name: 'MESSAGE relayed', rate: 3_000, file: 'message-uac.xml', start: { messages: true }, uas: true },
  { id: 'subscribe', name: 'SUBSCRIBE + NOTIFY + un-SUBSCRIBE', rate: 1_500, file: 'subscribe-uac.xml', start: { presence: true } },
  // one call = PUBLISH and its removal, each NOTIFYing the presentity's 10 watchers (section 5)
  { id: 'publish', name: 'PUBLISH + removal, 10 watchers each', rate: 150, file: 'publish-uac.xml', start: { presence: true }, watchers: true },
  { id: 'fanout', name: 'one PUBLISH to 1,000 watchers', fanOut: true, start: { presence: true } },
];
const FAN_OUT_RUNS = 5;
const only = option('--only', null)?.split(',');
const rounds = alone ? 1 : Number(option('--rounds', 2));
const seconds = Number(option('--seconds', 15));
const log = (s = '') => console.log(s);

const onRedis = option('--store', 'embedded') === 'redis';
const workers = Number(option('--workers', 1));
if (workers !== 1 && (workers !== 2 || !onRedis)) {
  console.error('--workers 2 goes with --store redis (this build only; a baseline build runs one worker)');
  process.exit(2);
}
// `--baseline kamailio`: this build against Kamailio at the same fixed rates, the issue 17 method.
const baselineName = alone ? null : baseline === 'kamailio' ? 'Kamailio' : addBaselineTarget(baseline, { redis: onRedis });
const builds = [registerTargets.find((t) => t.name === (onRedis ? `Herald Redis, ${workers} worker${workers > 1 ? 's' : ''}` : 'Herald embedded')), registerTargets.find((t) => t.name === baselineName)]
  .filter(Boolean);
const workDir = mkdtempSync(join(tmpdir(), 'herald-ab-'));
log(alone ? `# Herald ${alloc ? 'allocation' : 'CPU'} profiles at fixed rates — ${new Date().toISOString()}${profileDir ? `: into ${profileDir}` : ''}\n`
  : `# Herald A/B at fixed rates — ${new Date().toISOString()}: this checkout against ${baselineName}, ${rounds} rounds\n`);
const rows = [];
const redis = onRedis ? await startRedis() : null;
try {
  const usersCsv = writeUsersCsv(join(workDir, 'users.csv'));
  const publishersCsv = writeUsersCsv(join(workDir, 'publishers.csv'), 1_000);
  for (const sc of SCENARIOS.filter((s) => !only || only.includes(s.id))) {
    const cpu = new Map(builds.map((b) => [b.name, []]));
    const redisCpu = new Map(builds.map((b) => [b.name, []]));
    const fanOuts = new Map(builds.map((b) => [b.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const t of r % 2 === 0 ? builds : [...builds].reverse()) {
        const tag = `${sc.id}-${r}-${t === builds[0] ? 'a' : 'b'}`;
        const inspectPort = alloc ? await freeUdpPort() : null;
        const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, sc.id)] : alloc ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
        if (sc.fanOut) {
          log(`${sc.name}, round ${r + 1} — ${t.name}:`);
          fanOuts.get(t.name).push(await fanOut(t, { workDir, redis, tag, log, runs: FAN_OUT_RUNS, nodeArgs }));
          if (profileDir) printProfile(join(profileDir, sc.id), FAN_OUT_RUNS, FAN_OUT_RUNS + 2);
          continue;
        }
        const plan = {
          scenario: join(here, 'scenarios', sc.file), sippArgs: ['-inf', sc.watchers ? publishersCsv : usersCsv, ...(sc.auth ? ['-auth_uri', DOMAIN] : [])],
          stepSeconds: seconds, startRate: alloc ? Math.ceil(sc.rate / 3) : sc.rate, factor: 1, maxSteps: alone ? 1 : 2, bisections: 0, pauseMs: 2_000, workDir, log, tag,
        };
        log(`${sc.name} at ${plan.startRate}/s, round ${r + 1} — ${t.name}:`);
        const watchers = sc.watchers ? publishWatchers({ tag, log }) : null;
        const setUp = sc.uas ? registeredUas({ here, usersCsv, workDir, tag, log }) : watchers?.prepare ?? null;
        let sampled = null;
        const prepare = !alloc ? setUp : async (server) => {
          const undo = await setUp?.(server);
          const sampling = await startAllocationSampling(inspectPort);
          return async () => { sampled = await sampling.stop(); await undo?.(); };
        };
        const row = await rampTarget(t, { start: { workDir, auth: false, redis, tag, nodeArgs, ...sc.start }, plan, log, prepare });
        watchers?.noteOn(row);
        if (profileDir) printProfile(join(profileDir, sc.id), row.steps?.[0]?.successful ?? 0, seconds + 2);
        if (sampled) printAllocations(sampled, row.steps?.[0]?.successful ?? 0);
        const passed = (row.steps ?? []).filter((s) => s.pass);
        cpu.get(t.name).push(...passed.map((s) => s.cpuUsPerCall));
        redisCpu.get(t.name).push(...passed.flatMap((s) => s.sideCpuUsPerCall?.redis ?? []));
      }
    }
    if (sc.fanOut) {
      const of = (t, key) => median(fanOuts.get(t.name).flatMap((f) => (f[key] === undefined ? [] : [f[key]])));
      const [a, b] = builds.map((t) => of(t, 'medianMs'));
      const [ca, cb] = builds.map((t) => of(t, 'cpuMs'));
      rows.push([`${sc.name}: median ms until its last NOTIFY was answered (${FAN_OUT_RUNS} PUBLISHes a round)`, ...builds.map((t) => `${of(t, 'medianMs')?.toFixed(0) ?? '—'} (first PUBLISH ${of(t, 'ms')?.toFixed(0) ?? '—'})`), a && b ? `${(a / b).toFixed(2)}×` : '—']);
      rows.push([`${sc.name}: server CPU ms per fan-out`, ...builds.map((t) => of(t, 'cpuMs')?.toFixed(1) ?? '—'), ca && cb ? `${(ca / cb).toFixed(2)}×` : '—']);
      continue;
    }
    const [a, b] = builds.map((t) => median(cpu.get(t.name)));
    // On Redis, the Redis server's CPU per call too (not in the ratio: Kamailio has no such process).
    const redisPart = (t) => (redisCpu.get(t.name).length > 0 ? ` + Redis ${median(redisCpu.get(t.name)).toFixed(1)}` : '');
    rows.push([`${sc.name} (${sc.rate}/s)`, ...builds.map((t) => `${median(cpu.get(t.name))?.toFixed(1) ?? '—'}${redisPart(t)} (${cpu.get(t.name).length} steps)`), a && b ? `${(a / b).toFixed(2)}×` : '—']);
  }
} finally {
  await redis?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
if (alone) process.exit(0);
log(`\n| scenario | ${builds.map((t) => `${t.name}: median CPU µs/call`).join(' | ')} | this ÷ baseline |`);
log(`| --- | ${builds.map(() => '---:').join(' | ')} | ---: |`);
for (const r of rows) log(`| ${r.join(' | ')} |`);
