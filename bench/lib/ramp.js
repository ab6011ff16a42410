// Section 2 method (DESIGN.md, "Benchmark method"): ramp the asked rate ×1.5 per step
// until a step fails, then bisect between the last good and the first bad step.
// Each step: SIPp runs rate×seconds calls while we take the server's CPU from /proc.
import { cpuMicros, isAlive, processTree, udpDrops } from './proc.js';
import { runSipp } from './sipp.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The median of `xs` (the mean of the middle two for an even count), null for none: of the steps of fixed-rate runs. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The pass rule for one step, and the figures it is judged on. */
export function judge(stats, rate) {
  const completed = stats.successful + stats.failed;
  const achieved = stats.seconds > 0 ? stats.successful / stats.seconds : 0;
  const failedPct = (100 * stats.failed) / stats.asked;
  const retransPct = (100 * stats.retransmissions) / stats.asked;
  const reasons = [];
  if (completed !== stats.asked || stats.current !== 0) reasons.push(`${stats.asked - completed} calls unfinished`);
  if (failedPct >= 0.5) reasons.push(`${failedPct.toFixed(2)} % failed`);
  if (retransPct >= 1) reasons.push(`${retransPct.toFixed(2)} % retransmissions`);
  if (achieved < 0.95 * rate) reasons.push(`achieved ${Math.round(achieved)}/s < 95 %`);
  return { completed, achieved, failedPct, retransPct, pass: reasons.length === 0, reasons };
}

/**
 * @param {object} server   what a target's start() returned ({ pids, port, ruri, side? }); `side`
 *                          ({ redis: [pid] }) are processes the server needs (its store) whose
 *                          CPU is reported per call in a column of its own, not in the server's
 * @param {object} plan     { scenario, stepSeconds, startRate, factor, maxSteps, bisections, pauseMs, workDir, log,
 *                            sippArgs? (extra SIPp arguments, e.g. -inf users.csv) }
 * @returns {{ steps: object[], best: object|null, warmup: object }}  best = the highest passing step; warmup = SIPp's
 *          figures for the short warm-up before the steps (its calls reach the server too)
 */
export async function ramp(server, plan) {
  const steps = [];
  let n = 0;
  const sides = Object.entries(server.side ?? {});
  const sideCpu = () => Object.fromEntries(sides.map(([k, pids]) => [k, pids.reduce((s, p) => s + cpuMicros(p), 0)]));
  const sipp = (rate, seconds, tag) => runSipp({
    scenario: plan.scenario, port: server.port, keys: { ruri: server.ruri }, args: plan.sippArgs ?? [],
    rate, seconds, workDir: plan.workDir, tag,
  });
  const step = async (rate) => {
    rate = Math.round(rate);
    if (!server.pids.every(isAlive)) throw new Error('server process exited');
    const procs = server.pids.reduce((s, p) => s + processTree(p).length, 0); // workers forked?
    const cpu0 = server.pids.reduce((s, p) => s + cpuMicros(p), 0);
    const side0 = sideCpu();
    const drops0 = udpDrops(server.port);
    const stats = await sipp(rate, plan.stepSeconds, `${plan.tag}-${++n}-${rate}`);
    const cpu = server.pids.reduce((s, p) => s + cpuMicros(p), 0) - cpu0;
    const side1 = sideCpu();
    const serverDrops = udpDrops(server.port) - drops0; // diagnostic: a full receive buffer
    const v = judge(stats, rate);
    const per = (us) => (v.completed > 0 ? us / v.completed : null);
    const sideCpuUsPerCall = Object.fromEntries(sides.map(([k]) => [k, per(side1[k] - side0[k])]));
    const s = { rate, ...stats, ...v, serverDrops, procs, cpuUsPerCall: per(cpu), ...(sides.length && { sideCpuUsPerCall }) };
    steps.push(s);
    plan.log(`  ${String(rate).padStart(6)}/s  achieved ${Math.round(v.achieved)}/s  ` +
      `fail ${stats.failed}  retrans ${stats.retransmissions}  server drops ${serverDrops}  cpu ${s.cpuUsPerCall?.toFixed(1)} µs/call  ` +
      sides.map(([k]) => `${k} ${sideCpuUsPerCall[k]?.toFixed(1)} µs/call  `).join('') +
      (v.pass ? 'ok' : `FAIL: ${v.reasons.join(', ')}`));
    await sleep(v.pass ? plan.pauseMs : plan.pauseMs * 3); // let queues and retransmissions drain
    return s;
  };

  // warm-up (JIT, buffers): short and slow, not reported
  const warmup = await sipp(Math.min(1000, plan.startRate), 2, `${plan.tag}-warmup`);

  let good = null;
  let bad = null;
  try {
    let rate = plan.startRate;
    for (let i = 0; i < plan.maxSteps; i++, rate *= plan.factor) {
      const s = await step(rate);
      if (s.successful === 0) throw new Error(`no call answered at ${s.rate}/s: the server stopped answering`);
      if (!s.pass) { bad = s; break; }
      good = s;
    }
    for (let i = 0; bad && i < plan.bisections; i++) {
      const lo = good?.rate ?? 0;
      if (bad.rate - lo <= Math.max(50, lo * 0.03)) break; // close enough
      const s = await step((lo + bad.rate) / 2);
      if (s.pass) good = s; else bad = s;
    }
  } catch (e) {
    e.partial = { steps, best: good, warmup }; // what was measured before the target failed
    throw e;
  }
  return { steps, best: good, warmup };
}
