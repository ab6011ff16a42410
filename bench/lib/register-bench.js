// Section 3: REGISTER over UDP with SIPp, 10,000 users, without and with digest, for each
// target in register-targets.js (Herald embedded, Herald on Redis ×1 and ×2 workers,
// Kamailio); then a CPU profile of Herald embedded with digest at ~80 % of its max rate.
import { mkdtempSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ramp } from './ramp.js';
import { runSipp } from './sipp.js';
import { cpuMicros, processTree } from './proc.js';
import { registerTargets, startRedis, writeUsersCsv, DOMAIN } from './register-targets.js';
import { summariseFile } from './cpuprofile.js';

const SCENARIOS = [
  { id: 'noauth', name: 'REGISTER, no auth', auth: false, file: 'register-uac.xml' },
  { id: 'digest', name: 'REGISTER with digest (401, then 200)', auth: true, file: 'register-auth-uac.xml' },
];

export async function registerSection({ quick, log, table, fmt, here, targetFilter = null, profile = true }) {
  log(`\n## 3. REGISTER over UDP (SIPp), 10,000 users, ${quick ? 3 : 15} s steps\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-reg-'));
  const out = { scenarios: [], profile: null, notes: [] };
  let redis = null;
  try {
    const usersCsv = writeUsersCsv(join(workDir, 'users.csv'));
    redis = await startRedis().catch((e) => { out.notes.push(`no Redis rows: ${e.message}`); return null; });
    if (redis) log(`throwaway redis-server on 127.0.0.1:${redis.port} (pid ${redis.pid}), flushed before each Herald-on-Redis start`);
    const basePlan = rampPlan({ quick, workDir, log });
    for (const sc of SCENARIOS) {
      const plan = {
        ...basePlan,
        scenario: join(here, 'scenarios', sc.file),
        sippArgs: ['-inf', usersCsv, ...(sc.auth ? ['-auth_uri', DOMAIN] : [])],
      };
      const rows = [];
      out.scenarios.push({ id: sc.id, name: sc.name, rows });
      for (const t of registerTargets.filter((x) => !targetFilter || targetFilter.test(x.name))) {
        const tag = `${sc.id}-${t.kind}-${rows.length}`;
        log(`${sc.name} — ${t.name}:`);
        rows.push(await rampTarget(t, { start: { workDir, auth: sc.auth, redis, tag }, plan: { ...plan, tag }, log }));
      }
      printRampTable(sc.name, rows, { log, table, fmt });
      const h = sc.id === 'digest' && rows.find((r) => r.target === 'Herald embedded');
      if (h?.vsKamailio) log(`\n- [${h.vsKamailio.rate >= 0.5 ? 'x' : ' '}] issue goal: Herald embedded ≥ ½ of Kamailio's REGISTER-with-digest rate: ${h.vsKamailio.rate.toFixed(2)}×`);
    }

    // ---- profile: Herald embedded, digest, ~80 % of its max sustained rate ----
    const digest = out.scenarios.find((s) => s.id === 'digest');
    const best = digest?.rows.find((r) => r.target === 'Herald embedded')?.best;
    if (!profile) return out;
    const rate = Math.max(500, Math.round(0.8 * (best?.rate ?? 1_250)));
    out.profile = await profileHerald({ rate, seconds: quick ? 5 : 15, workDir, usersCsv, here, log });
    printProfile(out.profile, { log, table });
  } finally {
    await redis?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  if (out.notes.length) log('\nNotes:\n' + out.notes.map((n) => `- ${n}`).join('\n'));
  return out;
}

/** The ramp of sections 3 and 4: from 2,000/s ×1.5 per step, then bisections. */
export function rampPlan({ quick, workDir, log }) {
  return { stepSeconds: quick ? 3 : 15, startRate: 2_000, factor: 1.5, maxSteps: 12, bisections: quick ? 1 : 4, pauseMs: quick ? 500 : 2_000, workDir, log };
}

/**
 * Start target `t`, run the ramp of `plan` against it and stop it; the row for the tables.
 * `prepare(server)`, when given, runs before the ramp (e.g. start a UAS and register users)
 * and returns what to undo after it.
 */
export async function rampTarget(t, { start, plan, log, prepare = null }) {
  const t0 = Date.now();
  const server = await t.start(start).catch((e) => ({ skip: `start failed: ${e.message}` }));
  if (server.skip) {
    log(`  skipped: ${server.skip}`);
    return { target: t.name, kind: t.kind, skipped: server.skip };
  }
  const startSeconds = (Date.now() - t0) / 1000;
  const procs = server.pids.reduce((s, p) => s + processTree(p).length, 0);
  log(`  up after ${startSeconds.toFixed(1)} s, ${procs} process${procs === 1 ? '' : 'es'}`);
  const row = { target: t.name, kind: t.kind, workers: t.workers, startSeconds, procs };
  let undo = null;
  try {
    undo = prepare && (await prepare(server));
    Object.assign(row, await ramp(server, plan));
  } catch (e) {
    log(`  error: ${e.message}`);
    row.error = e.message;
    if (e.partial) Object.assign(row, e.partial); // the steps measured before it failed
    const c = server.child;
    if (c && (c.exitCode !== null || c.signalCode !== null)) row.exit = c.signalCode ?? c.exitCode;
    row.output = c?.output?.().slice(-600);
    log(`  server exit: ${row.exit ?? 'still running'}; last output: ${row.output?.trim().split('\n').slice(-3).join(' | ') || '(none)'}`);
    // exit 0 with nothing logged: Herald drained and stopped on a SIGTERM/SIGINT that
    // did not come from this driver (someone else's script on a shared machine)
    if (row.exit === 0) row.error = `stopped from outside (exit 0, a SIGTERM/SIGINT not sent by the bench) after ${row.steps?.length ?? 0} steps`;
  } finally {
    await undo?.().catch(() => undefined);
    await server.stop();
  }
  if (t.kind === 'herald' && t.workers > 1 && procs < 2) row.note = `workers: ${t.workers} did not fork (${procs} process)`;
  return row;
}

const cpuTotal = (s) => (s ? s.cpuUsPerCall + Object.values(s.sideCpuUsPerCall ?? {}).reduce((a, b) => a + b, 0) : null);

/** The ramp results of one scenario, one row per target, then each Herald row ÷ Kamailio's (set as `vsKamailio` on the row). */
export function printRampTable(title, rows, { log, table, fmt }) {
  log(`\n### ${title}\n`);
  const body = rows.map((o) => [
    o.target,
    o.best ? String(o.best.rate) : '—',
    o.best ? fmt(o.best.achieved, 0) : '—',
    fmt(o.best?.cpuUsPerCall, 1),
    fmt(o.best?.sideCpuUsPerCall?.redis, 1),
    fmt(cpuTotal(o.best), 1),
    [o.procs !== undefined ? `${o.procs} proc` : '', o.note ?? '', o.skipped ? `skipped: ${o.skipped}` : o.error ? `error: ${o.error}${o.best ? ' (max so far: a lower bound)' : ''}` : o.best ? `${o.steps.length} steps` : o.steps ? 'no step passed' : '']
      .filter(Boolean).join('; '),
  ]);
  // every Herald row against Kamailio: rates at max sustained, CPU per call at max
  // sustained (server + Redis), and CPU at the highest ramp rate both passed (same load)
  const ref = rows.find((r) => r.kind === 'kamailio');
  for (const o of rows) {
    if (!ref?.best || !o.best || o === ref) continue;
    const passed = (x) => new Map(x.steps.filter((s) => s.pass).map((s) => [s.rate, s]));
    const mine = passed(o);
    const common = [...passed(ref)].filter(([r]) => mine.has(r)).sort((a, b) => b[0] - a[0])[0];
    const atCommon = common ? (cpuTotal(mine.get(common[0])) / cpuTotal(common[1])).toFixed(2) : null;
    o.vsKamailio = {
      rate: o.best.rate / ref.best.rate,
      cpu: cpuTotal(o.best) / cpuTotal(ref.best),
      ...(common && { commonRate: common[0], cpuAtCommon: Number(atCommon) }),
    };
    body.push([`${o.target} / Kamailio`, `${o.vsKamailio.rate.toFixed(2)}×`, '', `${(o.best.cpuUsPerCall / ref.best.cpuUsPerCall).toFixed(2)}×`, '',
      `${o.vsKamailio.cpu.toFixed(2)}×`, atCommon ? `total CPU ratio at ${common[0]}/s (both passed): ${atCommon}×` : '']);
  }
  table(['target', 'max sustained calls/s', 'achieved/s', 'server CPU µs/call', 'Redis CPU µs/call', 'total CPU µs/call', 'note'], body, ['note']);
}

/** Herald embedded with digest under `node --cpu-prof`, SIPp at `rate` for `seconds`. */
async function profileHerald({ rate, seconds, workDir, usersCsv, here, log }) {
  log(`\nProfile: Herald embedded, digest, ${rate}/s for ${seconds} s under node --cpu-prof:`);
  const dir = join(workDir, 'cpuprof');
  mkdirSync(dir, { recursive: true });
  const t = registerTargets.find((x) => x.name === 'Herald embedded');
  const server = await t.start({ workDir, auth: true, tag: 'profile', nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  if (server.skip) { log(`  skipped: ${server.skip}`); return { skipped: server.skip }; }
  const args = { scenario: join(here, 'scenarios/register-auth-uac.xml'), port: server.port, keys: { ruri: server.ruri },
    args: ['-inf', usersCsv, '-auth_uri', DOMAIN], workDir };
  let stats;
  let cpu;
  let tStart;
  let tEnd;
  try {
    await runSipp({ ...args, rate: 500, seconds: 2, tag: 'profile-warmup' });
    const cpu0 = cpuMicros(server.pids[0]);
    tStart = Date.now();
    stats = await runSipp({ ...args, rate, seconds, tag: 'profile' });
    tEnd = Date.now();
    cpu = cpuMicros(server.pids[0]) - cpu0;
  } finally {
    await server.stop(20_000); // the profile is written when the process exits
  }
  const tExit = Date.now();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const done = stats.successful + stats.failed;
  const res = { rate, seconds, successful: stats.successful, failed: stats.failed, retransmissions: stats.retransmissions,
    cpuUsPerCall: done > 0 ? cpu / done : null };
  log(`  ${stats.successful} ok, ${stats.failed} failed, ${stats.retransmissions} retrans, ${res.cpuUsPerCall?.toFixed(1)} µs/call (profiler on)`);
  if (!file) return { ...res, error: 'no .cpuprofile written (Herald did not exit normally?)' };
  // only the load window: SIPp start..end, counted back from the process exit (≈ the profile's end)
  const s = summariseFile(join(dir, file), { fromEndUs: (tExit - tStart) * 1000, toEndUs: (tExit - tEnd) * 1000, top: 15 });
  return { ...res, ...s };
}

function printProfile(p, { log, table }) {
  if (!p || p.skipped || p.error) { log(`  profile: ${p?.skipped ?? p?.error ?? 'none'}`); return; }
  log(`\nTop 15 functions by self time over the load window (${p.sampledMs.toFixed(0)} ms busy + ${p.idleMs.toFixed(0)} ms idle sampled, ${p.successful} registrations; % of busy time):\n`);
  const perCall = (ms) => (p.successful > 0 ? ((ms * 1000) / p.successful).toFixed(2) : '—');
  table(['function', 'self ms', '%', 'µs/call', 'where'], p.rows.map((r) => [r.fn, r.selfMs.toFixed(0), r.pct.toFixed(1), perCall(r.selfMs), r.where || '—']), ['where']);
  log('\nBy file:\n');
  table(['file', 'self ms', '%', 'µs/call'], p.files.slice(0, 10).map((r) => [r.file, r.selfMs.toFixed(0), r.pct.toFixed(1), perCall(r.selfMs)]));
}
