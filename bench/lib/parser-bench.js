// Section 1: µs per message for each parser × message. Warm up, then time several rounds
// of `iterations` parses each and keep the median round. Slow parsers (SIP.js takes ~1 ms
// a message) get fewer parses per round so that every cell takes a bounded time.
import { messages } from '../messages.js';
import { parsers } from './parsers.js';

let sink = 0; // keeps results observable so the JIT cannot drop the work

function timeRound(parse, msg, iterations) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (parse(msg) !== undefined) sink++;
  return Number(process.hrtime.bigint() - t0) / 1000 / iterations; // µs per message
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * @param {{quick: boolean}} opts
 * @returns {Promise<{rows: object[], notes: string[]}>}
 */
export async function runParserBench({ quick }) {
  const maxIterations = quick ? 5_000 : 20_000;
  const rounds = quick ? 3 : 7;
  const warmup = quick ? 5_000 : 30_000;
  const warmupMs = quick ? 300 : 1_500; // whichever of warmup parses / warmupMs comes first
  const roundMs = quick ? 60 : 250; // cap on one round's length for slow parsers
  const rows = [];
  const notes = [];

  const msgs = Object.entries(messages).map(([name, buf]) => ({
    name,
    buf,
    str: buf.toString('latin1'),
    isRequest: !buf.toString('latin1', 0, 8).startsWith('SIP/'),
  }));

  for (const p of parsers) {
    let impl;
    try {
      impl = await p.load();
    } catch (e) {
      impl = { skip: `failed to load: ${e.message}` };
    }
    if (impl.skip) {
      notes.push(`${p.name}: skipped (${impl.skip})`);
      continue;
    }
    const row = { parser: p.name, full: !!p.full, us: {}, iterations: {} };
    for (const msg of msgs) {
      try {
        if (impl.parse(msg) === undefined) throw new Error('returned undefined');
        if (impl.describe) notes.push(`${p.name} on ${msg.name}: typed accessors present: ${impl.describe(msg)}`);
        const t0 = performance.now();
        let w = 0;
        while (w < warmup && (w % 100 !== 0 || performance.now() - t0 < warmupMs)) { impl.parse(msg); w++; }
        const usEach = ((performance.now() - t0) * 1000) / w;
        const iterations = Math.max(50, Math.min(maxIterations, Math.round((roundMs * 1000) / usEach)));
        const times = [];
        for (let r = 0; r < rounds; r++) times.push(timeRound(impl.parse, msg, iterations));
        row.us[msg.name] = median(times);
        row.iterations[msg.name] = iterations;
      } catch (e) {
        row.us[msg.name] = null;
        notes.push(`${p.name} on ${msg.name}: error ${e.message}`);
      }
    }
    rows.push(row);
  }
  return { rows, notes, messages: msgs.map((m) => ({ name: m.name, bytes: m.buf.length })), sink };
}
