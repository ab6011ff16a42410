// Section 6: scale. One node (Herald as in sections 3–5, UDP on 127.0.0.1), measured on a
// throwaway redis-server and on the embedded store:
//   bindings (scale-bindings.js): 1,000,000 AoRs registered through Herald by SIPp (100,000
//     with --quick): memory per binding, the refresh load at Expires 3600, the restart;
//   presence held (scale-presence.js): 100,000 subscriptions (10,000 with --quick), memory
//     per subscription, one PUBLISH to 1,000 of their watchers;
//   the Redis cost model (scale-cost.js): round trips, commands and CPU per request type.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTargets, startRedis } from './register-targets.js';
import { bindings, printBindings } from './scale-bindings.js';
import { heldSubscriptions, printHeld } from './scale-presence.js';
import { printCost, redisCostModel } from './scale-cost.js';

export async function scaleSection({ quick, log, table, fmt, here }) {
  const aors = quick ? 100_000 : 1_000_000;
  const subscriptions = quick ? 10_000 : 100_000;
  log(`\n## 6. Scale: ${aors.toLocaleString('en')} bindings, ${subscriptions.toLocaleString('en')} subscriptions held, the Redis cost model\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-scale-'));
  const out = { bindings: [], presence: [], cost: [], notes: [] };
  const target = (name) => registerTargets.find((t) => t.name === name);
  let redis = null;
  try {
    redis = await startRedis().catch((e) => { out.notes.push(`no Redis rows: ${e.message}`); return null; });
    if (redis) log(`throwaway redis-server on 127.0.0.1:${redis.port} (pid ${redis.pid}), flushed before each Herald-on-Redis start`);
    const stores = [target('Herald Redis, 1 worker'), target('Herald embedded')];

    for (const t of stores) {
      log(`${aors.toLocaleString('en')} bindings — ${t.name}:`);
      out.bindings.push(await bindings(t, { count: aors, quick, redis, workDir, here, log }));
    }
    printBindings(out.bindings, { log, table, fmt });

    for (const t of stores) {
      log(`\n${subscriptions.toLocaleString('en')} subscriptions held — ${t.name}:`);
      out.presence.push(await heldSubscriptions(t, { count: subscriptions, quick, redis, workDir, log }));
    }
    printHeld(out.presence, { log, table, fmt });

    if (redis) {
      log('\nRedis cost model — Herald Redis, 1 worker:');
      out.cost = await redisCostModel(stores[0], { quick, redis, workDir, here, log });
      printCost(out.cost, { log, table, fmt });
    }
  } finally {
    await redis?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  if (out.notes.length) log('\nNotes:\n' + out.notes.map((n) => `- ${n}`).join('\n'));
  return out;
}
