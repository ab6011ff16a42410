import { PassThrough } from 'node:stream';
import { StoreUnavailableError } from '@herald/store';
import { createLogger } from './logger.js';
import { SweepFailureLog } from './sweep-failure-log.js';

/** A JSON logger whose lines the test reads, and a clock it sets. */
function harness(quietMs = 60_000) {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter((l) => l !== '')));
  const clock = { t: 0, now: () => clock.t };
  let counted = 0;
  const log = new SweepFailureLog({ sweep: 'presence', logger: createLogger({ level: 'info', format: 'json' }, out), clock, count: () => void counted++, quietMs });
  return { log, clock, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), raw: lines, counted: () => counted };
}

const outage = () => new StoreUnavailableError('Redis store did not take expired subscriptions within 2000 ms');

describe('a sweep that fails while the store is down (issue 13 item 10)', () => {
  it('logs one warn line with the message and no stack, then nothing more within the quiet period; every failure counts', async () => {
    const h = harness();
    for (let i = 0; i < 30; i++) {
      h.log.failed(outage());
      h.clock.t += 1000;
    }
    await new Promise((r) => setImmediate(r));
    expect(h.entries()).toEqual([expect.objectContaining({ level: 'warn', message: 'presence sweep failed', sweep: 'presence', error: 'Redis store did not take expired subscriptions within 2000 ms' })]);
    expect(h.raw.join('\n')).not.toMatch(/stack|\n\s+at /);
    expect(h.counted()).toBe(30);
  });

  it('repeats once per quiet period with the failures since, and says when the sweep works again', async () => {
    const h = harness(10_000);
    for (let i = 0; i < 25; i++) {
      h.log.failed(outage());
      h.clock.t += 1000;
    }
    h.log.succeeded();
    h.log.succeeded();
    h.log.failed(outage());
    await new Promise((r) => setImmediate(r));
    expect(h.entries().map((e) => [e.level, e.message, e.failures])).toEqual([
      ['warn', 'presence sweep failed', undefined],
      ['warn', 'presence sweep failed', 10],
      ['warn', 'presence sweep failed', 10],
      ['info', 'presence sweep works again', 25],
      ['warn', 'presence sweep failed', undefined],
    ]);
  });
});
