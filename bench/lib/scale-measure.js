// Section 6 (scale): what is read from a running Redis and from /proc. Redis through
// `redis-cli INFO` (memory, stats, commandstats); Herald's resident memory as the sum of
// VmRSS over its process tree (primary and workers).
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpuMicros, processTree } from './proc.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One redis-cli command against the throwaway Redis on 127.0.0.1:`port`; its output, trimmed. */
export const redisCli = (port, ...args) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 }).toString().trim();

function info(port, section) {
  const text = redisCli(port, 'INFO', section);
  const out = {};
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/**
 * One reading of Redis: used_memory (bytes), total_commands_processed, total_reads_processed
 * (read events on client sockets: one per batch of commands a client sent together), the calls
 * of each command (commands run inside a Lua script are counted under their own names too),
 * and the redis-server process's CPU µs from /proc.
 */
export function redisReading(redis) {
  const stats = info(redis.port, 'stats');
  const calls = {};
  for (const [k, v] of Object.entries(info(redis.port, 'commandstats'))) {
    const m = /^cmdstat_(.+)$/.exec(k);
    if (m) calls[m[1]] = Number(/calls=(\d+)/.exec(v)?.[1] ?? 0);
  }
  return {
    usedMemory: Number(info(redis.port, 'memory').used_memory),
    commands: Number(stats.total_commands_processed),
    reads: Number(stats.total_reads_processed),
    calls,
    cpuUs: cpuMicros(redis.pid),
  };
}

/** `b` − `a` of two readings; `calls` keeps only the commands that ran. */
export function redisDelta(a, b) {
  const calls = {};
  for (const [k, v] of Object.entries(b.calls)) if (v - (a.calls[k] ?? 0) > 0) calls[k] = v - (a.calls[k] ?? 0);
  return { usedMemory: b.usedMemory - a.usedMemory, commands: b.commands - a.commands, reads: b.reads - a.reads, calls, cpuUs: b.cpuUs - a.cpuUs };
}

/** Resident memory (bytes) of `pid` and its live descendants, from /proc/PID/status VmRSS. */
export function treeRss(pid) {
  let kb = 0;
  for (const p of processTree(pid)) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'latin1'))?.[1] ?? 0);
    } catch { /* gone */ }
  }
  return kb * 1024;
}

/** Herald's RSS after `ms` of settling (completed transactions wait out Timer J, 32 s), sampled at the end. */
export async function settledRss(pid, ms) {
  await sleep(ms);
  return treeRss(pid);
}

export const MB = 1024 * 1024;
