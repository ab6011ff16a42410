import type { Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** prom-client's cluster messages, which a worker's `AggregatorRegistry` answers. */
const REQUEST = 'prom-client:getMetricsReq';
const RESPONSE = 'prom-client:getMetricsRes';
/** As long as prom-client's own `clusterMetrics` waits. */
const TIMEOUT_MS = 5000;

type RegistryJson = MetricObjectWithValues<MetricValue<string>>[];

interface MetricsResponse {
  type: typeof RESPONSE;
  requestId: string;
  metrics?: RegistryJson[];
  error?: string;
}

let requests = 0;

/**
 * The sum of the registries of `workers`, in the text format: prom-client's cluster
 * aggregation, asked of the workers given rather than of every forked one. A worker still
 * starting has counted nothing and installs its answering listener only once it serves, so
 * asking it would stall the scrape until the timeout; the pool passes only ready workers.
 * A ready worker that does not answer in time fails the scrape, as in prom-client: a sum
 * without it would read as a counter reset.
 */
export async function workerMetrics(workers: Iterable<Worker>, timeoutMs = TIMEOUT_MS): Promise<string> {
  const requestId = `herald-${++requests}`;
  const answers = await Promise.all([...workers].filter((w) => w.isConnected()).map((w) => ask(w, requestId, timeoutMs)));
  return AggregatorRegistry.aggregate(answers.flat()).metrics();
}

function ask(worker: Worker, requestId: string, timeoutMs: number): Promise<RegistryJson[]> {
  return new Promise((resolve, reject) => {
    const finish = (error: Error | null, metrics: RegistryJson[] = []) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      if (error) reject(error);
      else resolve(metrics);
    };
    const onMessage = (m: MetricsResponse) => {
      if (m?.type !== RESPONSE || m.requestId !== requestId) return;
      finish(m.error === undefined ? null : new Error(`worker ${worker.process.pid}: ${m.error}`), m.metrics);
    };
    // A worker that dies meanwhile took its counts with it, as a restart does.
    const onExit = () => finish(null);
    const timer = setTimeout(() => finish(new Error(`worker ${worker.process.pid} did not answer for its metrics within ${timeoutMs} ms`)), timeoutMs);
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.send({ type: REQUEST, requestId });
  });
}
