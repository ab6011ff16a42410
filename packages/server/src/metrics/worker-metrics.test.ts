import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { Counter, Registry } from 'prom-client';
import { workerMetrics } from './worker-metrics.js';

/** A cluster worker as `workerMetrics` sees it, answering with `registry` as prom-client's worker side does, or not at all. */
function worker(pid: number, registry: Registry | null): Worker {
  const w = new EventEmitter() as EventEmitter & { send(m: unknown): boolean; isConnected(): boolean; process: { pid: number } };
  w.process = { pid };
  w.isConnected = () => true;
  w.send = (m) => {
    const { type, requestId } = m as { type: string; requestId: string };
    if (type === 'prom-client:getMetricsReq' && registry) {
      void registry.getMetricsAsJSON().then((json) => w.emit('message', { type: 'prom-client:getMetricsRes', requestId, metrics: [json] }));
    }
    return true;
  };
  return w as unknown as Worker;
}

function counted(n: number): Registry {
  const registry = new Registry();
  new Counter({ name: 'herald_test_total', help: 'test', registers: [registry] }).inc(n);
  return registry;
}

describe('workerMetrics', () => {
  it('sums the registries of the workers it is given', async () => {
    const text = await workerMetrics([worker(1, counted(2)), worker(2, counted(3))]);
    expect(text).toMatch(/^herald_test_total 5$/m);
  });

  it('fails the scrape when a worker does not answer in time, rather than sum without it', async () => {
    await expect(workerMetrics([worker(1, counted(2)), worker(2, null)], 50)).rejects.toThrow(/worker 2 did not answer/);
  });

  it('sums without a worker that exits before it answers', async () => {
    const gone = worker(2, null);
    const scrape = workerMetrics([worker(1, counted(2)), gone], 5000);
    gone.emit('exit', null, 'SIGKILL');
    expect(await scrape).toMatch(/^herald_test_total 2$/m);
  });
});
