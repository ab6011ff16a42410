import cluster, { type Worker } from 'node:cluster';
import { openStore, type Store } from '@herald/store';
import { systemClock } from '@herald/stack';
import { Registry } from 'prom-client';
import { storeOptions } from './accounts.js';
import { type AdminServer, startAdminServer } from './admin/admin-server.js';
import type { HeraldConfig } from './config/herald-config.js';
import type { DdnsService } from './ddns/ddns-service.js';
import { nodeDdns } from './ddns/node-ddns.js';
import { federationPolicy } from './federation/federation-policy-of.js';
import type { Logger } from './logger.js';
import { DdnsMetrics } from './metrics/ddns-metrics.js';
import { workerMetrics } from './metrics/worker-metrics.js';

/** What a worker tells the primary once its listeners are bound. */
export interface WorkerReady {
  type: 'herald:ready';
  listening: string[];
}

/** Restarts of crashed workers allowed within `RESTART_WINDOW_MS` before the pool gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const RESTART_DELAY_MS = 1000;
/** How long workers may take to drain after SIGTERM before they are killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The primary of `workers: N`: forks N workers that each run the whole pipeline on the
 * shared listening sockets (node:cluster hands every worker the same UDP socket and
 * spreads TCP, TLS and WebSocket connections among them), restarts a worker that dies,
 * and stops them all on SIGINT/SIGTERM. State lives in Redis, so any worker serves any
 * request; a connection belongs to the worker that accepted it.
 */
export class WorkerPool {
  private readonly workers = new Set<Worker>();
  /** The workers that have reported ready: those whose counters a scrape sums. */
  private readonly serving = new Set<Worker>();
  private stopping = false;
  private restarts: number[] = [];
  private failed: ((error: Error) => void) | null = null;
  private store: Store | null = null;
  private admin: AdminServer | null = null;
  private ddns: DdnsService | null = null;
  /** The primary's own metrics (DDNS), added to the workers' sums. */
  private readonly registry = new Registry();

  constructor(
    private readonly config: HeraldConfig,
    private readonly logger: Logger,
  ) {}

  /** Forks the workers; resolves with the listeners once every one of them is ready. */
  async start(): Promise<string[]> {
    cluster.setupPrimary({ exec: process.argv[1], args: process.argv.slice(2), silent: false });
    const ready: Promise<string[]>[] = [];
    for (let i = 0; i < this.config.workers; i++) ready.push(this.fork());
    const failure = new Promise<never>((_, reject) => (this.failed = reject));
    const listening = await Promise.race([Promise.all(ready), failure]);
    this.failed = null;
    await this.startAdmin();
    // One updater per node, in the primary, in the background.
    if (this.config.ddns) {
      this.ddns = nodeDdns(this.config.ddns, systemClock, this.logger, new DdnsMetrics(this.registry));
      void this.ddns.start();
    }
    return listening[0];
  }

  /** `http://HOST:PORT` of the admin server, when there is one. */
  get adminUrl(): string | undefined {
    return this.admin?.url;
  }

  /**
   * The admin server runs in the primary, on a store connection of its own; `/metrics`
   * sums the registries of the workers serving (prom-client's cluster aggregation).
   */
  private async startAdmin(): Promise<void> {
    const { config, logger } = this;
    if (!config.admin) return;
    this.store = await openStore(storeOptions(config, logger));
    this.admin = await startAdminServer({
      admin: config.admin,
      store: this.store,
      metrics: async () => ({ contentType: this.registry.contentType, body: (await workerMetrics(this.serving)) + (await this.registry.metrics()) }),
      // The policy as configured: the workers answer for what they apply.
      federation: federationPolicy(config),
      communities: config.communities,
      logger,
      domains: config.domains,
    });
  }

  /** Sends SIGTERM to every worker and waits for them (killing the ones that hang). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.ddns?.stop();
    await this.admin?.close();
    await this.store?.close();
    const exits = [...this.workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          const timer = setTimeout(() => w.process.kill('SIGKILL'), STOP_TIMEOUT_MS);
          w.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          w.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
  }

  private fork(): Promise<string[]> {
    const worker = cluster.fork({ HERALD_WORKER: '1' });
    this.workers.add(worker);
    return new Promise((resolve) => {
      worker.on('message', (m: WorkerReady) => {
        if (m?.type !== 'herald:ready') return;
        this.serving.add(worker);
        resolve(m.listening);
      });
      worker.once('exit', (code, signal) => {
        this.workers.delete(worker);
        this.serving.delete(worker);
        if (this.stopping) return;
        const why = signal ?? `exit code ${code}`;
        if (this.failed) {
          this.failed(new Error(`worker ${worker.process.pid} ended during start-up (${why})`));
          return;
        }
        this.restart(worker, why);
      });
    });
  }

  private restart(worker: Worker, why: string): void {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length >= MAX_RESTARTS) {
      this.logger.error('workers keep failing; stopping', { restarts: this.restarts.length, windowMs: RESTART_WINDOW_MS });
      process.kill(process.pid, 'SIGTERM');
      return;
    }
    this.restarts.push(now);
    this.logger.error('worker died; starting another', { pid: worker.process.pid, reason: why });
    setTimeout(() => {
      if (!this.stopping) void this.fork().then(() => this.logger.info('worker started in place of the one that died', { died: worker.process.pid }));
    }, RESTART_DELAY_MS).unref();
  }
}

/** True in a process forked by a `WorkerPool`. */
export function isPoolWorker(): boolean {
  return cluster.isWorker && process.env.HERALD_WORKER === '1';
}

/** Tells the primary this worker is serving. */
export function reportReady(listening: string[]): void {
  const ready: WorkerReady = { type: 'herald:ready', listening };
  process.send?.(ready);
}
