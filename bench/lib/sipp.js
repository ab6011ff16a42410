// Run one SIPp load step and read its final statistics row.
//
// SIPp 3.6.1 notes (see docs/benchmarks.md): the -trace_stat CSV (-stf FILE, ';'-separated,
// one header line) gets a row every -fd seconds and one last row when SIPp exits, also on
// -timeout; its time columns contain tabs; ElapsedTime(C) has only 1 s resolution, so the
// achieved rate is computed from the epoch seconds at the end of StartTime/CurrentTime.
// SIPp's default UDP buffer (-buff_size 65535) drops responses in bursts above ~10k calls/s,
// which shows up as SIPp retransmissions: always pass a large -buff_size.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeUdpPort, track } from './proc.js';

const epoch = (field) => Number(field.trim().split(/\s+/).pop()); // "date\ttime\tepoch"

/** Parse the last row of a SIPp -trace_stat CSV into the counters we need. */
export function readSippStats(file) {
  const lines = readFileSync(file, 'latin1').split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`no statistics rows in ${file}`);
  const cols = lines[0].split(';');
  const row = lines[lines.length - 1].split(';');
  const get = (name) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`SIPp statistics have no column ${name}`);
    return row[i];
  };
  return {
    created: Number(get('TotalCallCreated')),
    current: Number(get('CurrentCall')),
    successful: Number(get('SuccessfulCall(C)')),
    failed: Number(get('FailedCall(C)')),
    retransmissions: Number(get('Retransmissions(C)')),
    seconds: epoch(get('CurrentTime')) - epoch(get('StartTime')),
  };
}

/**
 * Send `rate` calls/s for `seconds` (SIPp -m rate*seconds) with the given scenario and
 * keys (and extra SIPp `args`); resolves to SIPp's counters. Bounded by SIPp's -timeout and a kill timer.
 */
export async function runSipp({ scenario, port, keys = {}, args: extra = [], rate, seconds, workDir, tag }) {
  const calls = Math.max(1, Math.round(rate * seconds));
  const localPort = await freeUdpPort();
  const limit = Math.ceil(seconds * 2 + 15); // s: generous, but every step ends
  const stats = await spawnSipp([
    '-sf', scenario, `127.0.0.1:${port}`, '-p', String(localPort),
    '-r', String(rate), '-rp', '1000', '-m', String(calls),
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, String(v)]),
    ...extra, // e.g. -inf users.csv -auth_uri bench.test
  ], { limit, workDir, tag }).finished;
  return { asked: calls, ...stats };
}

/**
 * Start a SIPp UAS on a free port with `scenario` (and extra SIPp `args`: -m, -d ...);
 * it runs until it has handled its -m calls, reaches `limitSeconds` (-timeout) or is
 * stopped. `finished` resolves to its counters.
 */
export async function startSippUas({ scenario, args: extra = [], limitSeconds, workDir, tag }) {
  const port = await freeUdpPort();
  const { child, finished } = spawnSipp(['-sf', scenario, '-p', String(port), ...extra], { limit: limitSeconds, workDir, tag: `${tag}-uas` });
  await new Promise((r) => setTimeout(r, 300)); // SIPp reads its scenario, then binds
  if (child.exitCode !== null) await finished; // throws with SIPp's complaint
  return { port, finished, stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); return finished; } };
}

/** One SIPp process on 127.0.0.1/UDP with a statistics file; `finished` resolves to its last row. */
function spawnSipp(args, { limit, workDir, tag }) {
  const stf = join(workDir, `${tag}.csv`);
  const child = track(spawn('sipp', [
    ...args, '-i', '127.0.0.1', '-t', 'u1',
    '-buff_size', String(4 << 20),
    '-nostdin', '-timeout', `${limit}s`,
    '-trace_stat', '-stf', stf, '-fd', '1',
  ], { cwd: workDir, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-2048); });
  const killer = setTimeout(() => child.kill('SIGKILL'), (limit + 15) * 1000);
  const finished = new Promise((resolve) => {
    child.on('error', (e) => resolve(`spawn error: ${e.message}`));
    child.on('exit', (c, sig) => resolve(sig ?? c));
  }).then((code) => {
    clearTimeout(killer);
    // Exit 0: all calls succeeded, 1: some failed, 97/99 and -timeout: stopped early. The
    // statistics file tells in every case; without it, the run itself failed.
    try {
      return { exitCode: code, ...readSippStats(stf) };
    } catch (e) {
      throw new Error(`sipp exited with ${code} (${e.message}): ${stderr.trim()}`);
    }
  });
  finished.catch(() => undefined); // awaited by the caller; never an unhandled rejection
  return { child, finished };
}
