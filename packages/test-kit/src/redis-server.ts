import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sipp.js';
import { stopProcess } from './stop-process.js';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops the server (a no-op for one given by `REDIS_URL`). */
  stop(): Promise<void>;
}

/**
 * A real `redis-server` on a free port of 127.0.0.1, keeping nothing on disk; or, when
 * `REDIS_URL` is set, that server (tests then use their own key prefixes or databases).
 */
export async function startRedis(): Promise<RedisServer> {
  const given = process.env.REDIS_URL;
  if (given) return { url: given, port: Number(new URL(given).port || 6379), stop: async () => undefined };
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'herald-redis-'));
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => reject(new Error(`redis-server could not start (${e.message}); install the Debian package redis-server`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopProcess(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
