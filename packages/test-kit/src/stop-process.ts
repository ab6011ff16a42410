import type { ChildProcess } from 'node:child_process';

/** How long a child has to exit after SIGTERM before it is killed, so a test never hangs on one. */
const KILL_AFTER_MS = 10_000;

/**
 * Ends a server a test started (redis-server, named, kamailio…): SIGTERM, then SIGKILL if it has
 * not exited within `killAfterMs`; resolves once it has exited (at once if it already has).
 */
export async function stopProcess(child: ChildProcess, killAfterMs = KILL_AFTER_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(kill);
}
