import type { MessageCap, SubscriptionCap } from '@herald/store';
import { Counter, type Registry } from 'prom-client';

/** The caps of the offline message store, as `herald_im_offline_refused_total` labels them. */
export type OfflineCap = 'recipient' | 'sender' | 'sender_domain';

/** `herald_im_offline_refused_total` labels, per cap of the message store. */
export const OFFLINE_CAP_LABELS: Record<MessageCap, OfflineCap> = { recipient: 'recipient', sender: 'sender', 'foreign-domain': 'sender_domain' };

/** The sweeps of expired state, as `herald_store_sweep_failures_total` labels them. */
export type SweepName = 'presence' | 'im';

/** `herald_presence_subscriptions_refused_total` labels, per cap of the subscription store. */
const SUBSCRIPTION_CAP_LABELS: Record<SubscriptionCap, string> = { resource: 'presentity', 'foreign-domain': 'watcher_domain', 'foreign-source': 'source' };

/**
 * What the limits on strangers refused, and the sweeps that failed: rare events, counted
 * as they happen. Every label value is exported at 0 from the start, so that rate() sees
 * the first one.
 * @see docs/operations.md (Limits and protection)
 */
export class LimitMetrics {
  private readonly subscriptionsRefused: Counter<'cap'>;
  private readonly notifyFailures: Counter;
  private readonly offlineRefused: Counter<'cap'>;
  private readonly sweepFailures: Counter<'sweep'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.subscriptionsRefused = new Counter({
      name: 'herald_presence_subscriptions_refused_total',
      help: 'SUBSCRIBEs of watchers of other domains refused (503) by a cap: presentity, watcher_domain or source',
      labelNames: ['cap'],
      registers,
    });
    this.notifyFailures = new Counter({
      name: 'herald_presence_notify_failures_total',
      help: 'Subscriptions ended because a NOTIFY got no answer or an error response',
      registers,
    });
    this.offlineRefused = new Counter({
      name: 'herald_im_offline_refused_total',
      help: 'MESSAGEs for an offline user refused (480) by a cap of the offline store: recipient, sender or sender_domain',
      labelNames: ['cap'],
      registers,
    });
    this.sweepFailures = new Counter({
      name: 'herald_store_sweep_failures_total',
      help: 'Failed runs of the periodic sweeps of expired state (the store was unavailable), by sweep',
      labelNames: ['sweep'],
      registers,
    });
    for (const cap of Object.values(SUBSCRIPTION_CAP_LABELS)) this.subscriptionsRefused.labels(cap).inc(0);
    this.notifyFailures.inc(0);
    for (const cap of ['recipient', 'sender', 'sender_domain'] satisfies OfflineCap[]) this.offlineRefused.labels(cap).inc(0);
    for (const sweep of ['presence', 'im'] satisfies SweepName[]) this.sweepFailures.labels(sweep).inc(0);
  }

  subscriptionRefused(cap: SubscriptionCap): void {
    this.subscriptionsRefused.labels(SUBSCRIPTION_CAP_LABELS[cap]).inc();
  }

  notifyFailed(): void {
    this.notifyFailures.inc();
  }

  offlineMessageRefused(cap: OfflineCap): void {
    this.offlineRefused.labels(cap).inc();
  }

  sweepFailed(sweep: SweepName): void {
    this.sweepFailures.labels(sweep).inc();
  }
}
