// Section 4: MESSAGE over UDP with SIPp.
//   Relay: a SIPp UAS stands for 10,000 users registered with Contacts at its port and
//   answers every MESSAGE with 200; a SIPp UAC sends MESSAGEs to those users through the
//   server, ramped as in section 3, for Herald (embedded; Redis ×1 and ×2 workers) and
//   Kamailio (tm, lookup, t_relay) in the same run.
//   Drain: 10,000 messages stored for offline users (202), then the users register and
//   the seconds until the UAS has answered the last delivered one: one user with all
//   10,000 (delivered one at a time, in order), and 1,000 users with 10 each.
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSipp, startSippUas } from './sipp.js';
import { registerTargets, startRedis, writeUsersCsv, ADMIN_TOKEN, DOMAIN, USERS } from './register-targets.js';
import { printRampTable, rampPlan, rampTarget } from './register-bench.js';

const REGISTER_RATE = 2_000;
const STORE_RATE = 2_000;
const DRAIN_CASES = [
  { id: 'one', name: 'one user, 10,000 waiting', users: 1 },
  { id: 'many', name: '1,000 users, 10 waiting each', users: 1_000 },
];

export async function messageSection({ quick, log, table, fmt, here, targetFilter = null }) {
  log(`\n## 4. MESSAGE over UDP (SIPp), 10,000 registered users, ${quick ? 3 : 15} s steps\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-msg-'));
  const out = { relay: [], drain: [], notes: [] };
  const scenario = (f) => join(here, 'scenarios', f);
  let redis = null;
  try {
    const usersCsv = writeUsersCsv(join(workDir, 'users.csv'));
    redis = await startRedis().catch((e) => { out.notes.push(`no Redis rows: ${e.message}`); return null; });
    if (redis) log(`throwaway redis-server on 127.0.0.1:${redis.port} (pid ${redis.pid}), flushed before each Herald-on-Redis start`);
    const targets = registerTargets.filter((x) => !targetFilter || targetFilter.test(x.name));

    const plan = { ...rampPlan({ quick, workDir, log }), scenario: scenario('message-uac.xml'), sippArgs: ['-inf', usersCsv] };
    for (const t of targets) {
      const tag = `relay-${t.kind}-${out.relay.length}`;
      log(`MESSAGE relay — ${t.name}:`);
      const prepare = registeredUas({ here, usersCsv, workDir, tag, log });
      out.relay.push(await rampTarget(t, { start: { workDir, auth: false, messages: true, redis, tag }, plan: { ...plan, tag }, log, prepare }));
    }
    printRampTable('MESSAGE relayed to a registered contact (200 end to end)', out.relay, { log, table, fmt });

    // the fill scenario: message-uac.xml expecting the 202 of a stored message
    const storeScenario = join(workDir, 'message-store-uac.xml');
    const relayScenario = readFileSync(scenario('message-uac.xml'), 'utf8');
    if (!relayScenario.includes('<recv response="200"')) throw new Error('message-uac.xml has no <recv response="200"> for the fill copy to expect 202 instead');
    writeFileSync(storeScenario, relayScenario.replace('<recv response="200"', '<recv response="202"'));
    log('\nDrain of stored messages on registration:');
    for (const t of targets.filter((x) => x.kind === 'herald')) {
      for (const c of DRAIN_CASES) {
        const tag = `drain-${c.id}-${out.drain.length}`;
        log(`${c.name} — ${t.name}:`);
        const csv = writeUsersCsv(join(workDir, `users-${c.users}.csv`), c.users);
        const row = { target: t.name, case: c.name, users: c.users };
        out.drain.push(row);
        const server = await t.start({ workDir, auth: false, messages: true, redis, tag }).catch((e) => ({ skip: `start failed: ${e.message}` }));
        if (server.skip) { log(`  skipped: ${server.skip}`); row.skipped = server.skip; continue; }
        try {
          Object.assign(row, await drain(server, { csv, users: c.users, storeScenario, registerScenario: scenario('message-register-uac.xml'),
            uasScenario: scenario('message-uas.xml'), workDir, tag, log }));
        } catch (e) {
          log(`  error: ${e.message}`);
          row.error = e.message;
        } finally {
          await server.stop();
        }
      }
    }
    printDrain(out.drain, { log, table, fmt });
    log('\nKamailio has no drain row: store-and-forward there is the msilo module with a database, not set up here.');
  } finally {
    await redis?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  if (out.notes.length) log('\nNotes:\n' + out.notes.map((n) => `- ${n}`).join('\n'));
  return out;
}

/**
 * The `prepare` of a MESSAGE relay ramp: a SIPp UAS answering MESSAGE with 200, and the
 * 10,000 users registered with Contacts at its port; returns what stops the UAS.
 */
export function registeredUas({ here, usersCsv, workDir, tag, log }) {
  const scenario = (f) => join(here, 'scenarios', f);
  return async (server) => {
    // the UAS keeps each call 4 s after its 200, so that a retransmission finds its call
    const uas = await startSippUas({ scenario: scenario('message-uas.xml'), args: ['-d', '4000'], limitSeconds: 7_200, workDir, tag });
    await registerUsers(server, { uasPort: uas.port, usersCsv, count: USERS, scenario: scenario('message-register-uac.xml'), workDir, tag, log });
    return () => uas.stop();
  };
}

/** REGISTER the first `count` users with Contacts at the UAS's port; throws unless all got 200. */
async function registerUsers(server, { uasPort, usersCsv, count, scenario, workDir, tag, log }) {
  const s = await runSipp({ scenario, port: server.port, keys: { ruri: server.ruri, uas_port: uasPort }, args: ['-inf', usersCsv],
    rate: Math.min(REGISTER_RATE, count), seconds: count / Math.min(REGISTER_RATE, count), workDir, tag: `${tag}-register` });
  if (s.successful !== count) throw new Error(`registering ${count} users: ${s.successful} got 200, ${s.failed} failed`);
  log(`  ${count} user${count === 1 ? '' : 's'} registered at the UAS on 127.0.0.1:${uasPort}`);
  return s;
}

/** Stored messages waiting for `aor`, read through Herald's admin API. */
async function waiting(server, aor) {
  const res = await fetch(`${server.admin}/api/messages/${encodeURIComponent(aor)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (!res.ok) throw new Error(`admin API: GET /api/messages/${aor} → ${res.status}`);
  return (await res.json()).messages.length;
}

async function waitingAll(server, users) {
  let n = 0;
  for (let i = 0; i < users; i++) n += await waiting(server, `sip:u${String(i).padStart(4, '0')}@${DOMAIN}`);
  return n;
}

/**
 * Fill the store with USERS messages for `users` offline users (202 each), start a UAS
 * that exits after USERS answered calls, register the users at it and time until it exits.
 */
async function drain(server, { csv, users, storeScenario, registerScenario, uasScenario, workDir, tag, log }) {
  const fill = await runSipp({ scenario: storeScenario, port: server.port, args: ['-inf', csv], rate: STORE_RATE, seconds: USERS / STORE_RATE, workDir, tag: `${tag}-fill` });
  const stored = await waitingAll(server, users);
  log(`  stored: ${fill.successful} × 202 at ${STORE_RATE}/s asked (${fill.failed} failed), ${stored} waiting`);
  if (stored === 0) throw new Error('nothing was stored');
  const uas = await startSippUas({ scenario: uasScenario, args: ['-d', '0', '-m', String(stored)], limitSeconds: 600, workDir, tag });
  const t0 = process.hrtime.bigint();
  try {
    await registerUsers(server, { uasPort: uas.port, usersCsv: csv, count: users, scenario: registerScenario, workDir, tag, log });
  } catch (e) {
    await uas.stop();
    throw e;
  }
  const got = await uas.finished;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // the last removal follows the last 2xx: give it a moment before counting what is left
  let left = await waitingAll(server, users);
  for (let i = 0; i < 4 && left > 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    left = await waitingAll(server, users);
  }
  log(`  ${got.successful} delivered in ${seconds.toFixed(2)} s (${Math.round(got.successful / seconds)}/s), ${left} left in the store, UAS exit ${got.exitCode}`);
  return { stored, storeFailed: fill.failed, delivered: got.successful, seconds, perSecond: got.successful / seconds, left };
}

function printDrain(rows, { log, table, fmt }) {
  log('\n### Drain: stored messages delivered on registration\n');
  table(['target', 'case', 'stored', 'delivered', 'seconds', 'messages/s', 'left', 'note'], rows.map((r) => [
    r.target, r.case, r.stored ?? '—', r.delivered ?? '—', fmt(r.seconds), fmt(r.perSecond, 0), r.left ?? '—',
    r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : r.storeFailed ? `${r.storeFailed} not stored` : '',
  ]), ['case', 'note']);
}
