// Process helpers: CPU time from /proc, free UDP ports, an OPTIONS probe, spawn/stop.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

function statOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    return { state: f[0], ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return null; // gone
  }
}

/** Whether `pid` still runs (a zombie counts as gone). */
export function isAlive(pid) {
  const st = statOf(pid);
  return st !== null && st.state !== 'Z';
}

function processTable() {
  const table = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const st = statOf(d);
    if (st) table.set(Number(d), st);
  }
  return table;
}

/** `pid` and all its live descendants (a daemon's workers, Kamailio's children), from /proc. */
export function processTree(pid, table = processTable()) {
  const out = [];
  const todo = [pid];
  for (let guard = 0; todo.length > 0 && guard < 10_000; guard++) {
    const p = todo.pop();
    const st = table.get(p);
    if (!st || st.state === 'Z') continue;
    out.push(p);
    for (const [child, cst] of table) if (cst.ppid === p) todo.push(child);
  }
  return out;
}

/**
 * CPU µs (utime+stime) used so far by `pid` and all its live descendants (workers),
 * plus what reaped children left in cutime+cstime.
 */
export function cpuMicros(pid) {
  const table = processTable();
  let ticks = 0;
  for (const p of processTree(pid, table)) {
    const st = table.get(p);
    ticks += st.ticks + st.childTicks;
  }
  return ticks * TICK_US;
}

/** Datagrams the kernel dropped so far on UDP sockets bound to `port` (full receive buffer). */
export function udpDrops(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'latin1').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(hex)) drops += Number(f[f.length - 1]) || 0;
  }
  return drops;
}

/** A UDP port free on 127.0.0.1 right now. */
export function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Send OPTIONS to 127.0.0.1:port every 200 ms until a final response arrives or
 * `timeoutMs` passes. Resolves to the status code, 0 on timeout, -1 when `signal` aborts.
 */
export function probeOptions(port, ruri, timeoutMs = 10_000, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(-1);
    const s = dgram.createSocket('udp4');
    let n = 0;
    let timer;
    let finished = false;
    const done = (code) => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      s.close();
      resolve(code);
    };
    s.on('message', (buf) => {
      const m = /^SIP\/2\.0 (\d{3})/.exec(buf.toString('latin1', 0, 16));
      if (m && m[1][0] !== '1') done(Number(m[1]));
    });
    s.on('error', () => {}); // ICMP port unreachable while the server starts
    signal?.addEventListener('abort', () => done(-1), { once: true });
    s.bind(0, '127.0.0.1', () => {
      const lport = s.address().port;
      const send = () => {
        if (++n > timeoutMs / 200) return done(0);
        const msg = [
          `OPTIONS ${ruri} SIP/2.0`,
          `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=z9hG4bK-probe-${Date.now()}-${n};rport`,
          'Max-Forwards: 70',
          `From: <sip:probe@127.0.0.1:${lport}>;tag=probe${n}`,
          `To: <${ruri}>`,
          `Call-ID: probe-${process.pid}-${n}@127.0.0.1`,
          'CSeq: 1 OPTIONS',
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n');
        s.send(msg, port, '127.0.0.1');
      };
      send();
      timer = setInterval(send, 200);
    });
  });
}

// Every process the driver spawns dies with it, however it ends (error, Ctrl-C, EPIPE).
const live = new Set();
process.on('exit', () => { for (const c of live) c.kill('SIGKILL'); });
/** Kill `child` when the driver exits; returns it. */
export function track(child) {
  live.add(child);
  child.on('exit', () => live.delete(child));
  return child;
}

/** Spawn a long-running process; stderr/stdout kept (last 4 KB) for error reports. */
export function startProcess(cmd, args, opts = {}) {
  const child = track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }));
  let tail = '';
  const keep = (d) => { tail = (tail + d).slice(-4096); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => tail;
  child.exited = new Promise((resolve) => child.on('exit', resolve));
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs` (5 s); resolves when the process is gone. */
export async function stopProcess(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}
