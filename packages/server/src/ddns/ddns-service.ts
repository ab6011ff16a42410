import type { Clock, DnsUpdate, RecordData, TimerHandle, UpdateRcode, UpdateResult } from '@herald/stack';
import { describeRcode } from '@herald/stack';
import type { DdnsConfig } from '../config/herald-config.js';
import type { Logger } from '../logger.js';
import { FAMILIES, type Family, type PublishedAddresses, addressUpdates, addressesOf, serviceUpdate, withdrawUpdates } from './ddns-records.js';

/** What `ddns:` takes when a key is left out; the config reader reads these. */
export const DDNS_DEFAULTS = {
  ttl: 60,
  checkIntervalMs: 60_000,
  withdrawOnShutdown: true,
  algorithm: 'hmac-sha256',
  records: { address: true, naptr: false },
  srv: { priority: 10, weight: 10 },
} as const;

/** First retry after a failed update; doubled per failure up to `RETRY_MAX_MS`. */
export const RETRY_MIN_MS = 1000;
export const RETRY_MAX_MS = 300_000;

/**
 * How long `stop()` gives the withdrawal in all, the update already on the wire included: each
 * UPDATE may wait `UPDATE_TIMEOUT_MS` for its answer, and a shutdown must not hang for several
 * of them on a name server that does not answer. What is left then stays in the zone (logged).
 */
export const WITHDRAW_DEADLINE_MS = 3000;

/** How one UPDATE ended, as `herald_ddns_updates_total` labels it. */
export type DdnsResult = 'ok' | 'conflict' | 'refused' | 'notauth' | 'failed';

export interface DdnsServiceOptions {
  config: DdnsConfig;
  /** Sends one signed UPDATE; rejects when no answer came (timeout, unreachable, malformed). */
  send: (update: DnsUpdate) => Promise<UpdateResult>;
  /** The node's addresses now: the configured ones, or those of the configured interface. */
  addresses: () => string[];
  clock: Clock;
  logger: Logger;
  onResult?: (result: DdnsResult) => void;
}

/**
 * The node's dynamic DNS self-update (RFC 2136, signed with TSIG RFC 8945): publishes its
 * address records under its host name and its SRV (and NAPTR) records at start, again when its
 * address changes (checked every `checkInterval`), and withdraws them at `stop()` when
 * configured. A failed update is logged, counted and retried with capped exponential backoff.
 * Nothing here is on a request path: `start()` returns at once and SIP service never waits.
 * @see docs/operations.md (Dynamic DNS)
 */
export class DdnsService {
  private published: PublishedAddresses = { A: undefined, AAAA: undefined };
  private servicesPublished = false;
  /** Whether the interface had no address at the last check (warned once, not every check). */
  private addressless = false;
  private running: Promise<boolean> = Promise.resolve(true);
  private retryDelay = RETRY_MIN_MS;
  private retryTimer: TimerHandle | null = null;
  private checkTimer: TimerHandle | null = null;
  private stopped = false;
  /** The publishing update waiting for its answer: one that `stop()` gave up on may still be applied. */
  private publishing: DnsUpdate | null = null;

  constructor(private readonly options: DdnsServiceOptions) {}

  /**
   * Starts the periodic address check and publishes; the promise (whether every update was
   * applied) is for tests and logs, never for start-up to wait on.
   */
  start(): Promise<boolean> {
    this.stopped = false;
    this.scheduleCheck();
    return this.check();
  }

  /**
   * Reads the node's addresses and brings the zone in line with them (or finishes what an
   * earlier round left undone); resolves with whether every update was applied.
   */
  check(): Promise<boolean> {
    this.running = this.running.then(() => this.round());
    return this.running;
  }

  /** Resolves once no update is being sent (a retry or check that a timer started has ended). */
  async whenIdle(): Promise<void> {
    await this.running;
  }

  /**
   * Stops the timers and abandons the round in progress (it sends no further update); with
   * `withdrawOnShutdown`, takes the node's records back out of the zone, giving that
   * `WITHDRAW_DEADLINE_MS` in all and logging what it had to leave.
   */
  async stop(): Promise<void> {
    const { clock, config, logger } = this.options;
    this.stopped = true;
    if (this.checkTimer !== null) clock.clearTimeout(this.checkTimer);
    if (this.retryTimer !== null) clock.clearTimeout(this.retryTimer);
    this.checkTimer = this.retryTimer = null;
    if (!config.withdrawOnShutdown) return;
    const withdrawal = { left: [] as DnsUpdate[], expired: false };
    let deadline: TimerHandle | undefined;
    const expired = new Promise<void>((resolve) => {
      deadline = clock.setTimeout(resolve, WITHDRAW_DEADLINE_MS);
    });
    await Promise.race([this.withdraw(withdrawal), expired]);
    if (deadline !== undefined) clock.clearTimeout(deadline);
    withdrawal.expired = true;
    if (withdrawal.left.length > 0 || this.publishing !== null) {
      const server = `${config.server.host}:${config.server.port}`;
      const records = withdrawal.left.flatMap(describeUpdate);
      const unanswered = this.publishing === null ? [] : describeUpdate(this.publishing);
      logger.warn(`ddns withdraw not done within ${WITHDRAW_DEADLINE_MS} ms: no answer from ${server}; its records stay in the zone, and an unanswered update may still be applied`, { zone: config.zone, server, records, unanswered });
    }
    this.published = { A: undefined, AAAA: undefined };
    this.servicesPublished = false;
  }

  /**
   * Sends the withdrawal once the round in progress has ended (it ends with the update on the
   * wire, whose answer says what the zone holds); stops sending when `stop()` gave up on it.
   */
  private async withdraw(withdrawal: { left: DnsUpdate[]; expired: boolean }): Promise<void> {
    const { config } = this.options;
    // Known before the wait, so that a deadline passed during it still logs what stays.
    withdrawal.left = withdrawUpdates(config, this.published, this.servicesPublished);
    await this.running;
    withdrawal.left = withdrawUpdates(config, this.published, this.servicesPublished);
    while (withdrawal.left.length > 0 && !withdrawal.expired) {
      await this.apply(withdrawal.left[0], 'withdraw');
      withdrawal.left.shift();
    }
  }

  private async round(): Promise<boolean> {
    if (this.stopped) return true;
    const { config } = this.options;
    let ok = true;
    if (config.records.address) {
      const addresses = this.readAddresses();
      for (const family of FAMILIES) ok = (await this.publishFamily(family, addressesOf(family, addresses))) && ok;
    }
    if (!this.servicesPublished && !this.stopped) {
      const update = serviceUpdate(config);
      this.servicesPublished = update === undefined || (await this.apply(update, 'publish')) === 'ok';
      ok = this.servicesPublished && ok;
    }
    if (ok) this.retryDelay = RETRY_MIN_MS;
    else this.scheduleRetry();
    return ok;
  }

  private async publishFamily(family: Family, desired: string[]): Promise<boolean> {
    const attempts = addressUpdates(this.options.config, family, desired, this.published[family]);
    if (attempts.length === 0) return true;
    for (const [i, update] of attempts.entries()) {
      // Abandoned at stop(): nothing more is published once the withdrawal may have begun.
      if (this.stopped) return false;
      const result = await this.apply(update, 'publish', i < attempts.length - 1);
      if (result === 'ok') {
        this.published[family] = desired;
        return true;
      }
      if (result !== 'conflict') return false;
    }
    // The RRset is not what this node published: leave it, and claim afresh next time.
    this.published[family] = undefined;
    return false;
  }

  /**
   * Sends one update; logs and counts how it ended, except a failed prerequisite of an
   * attempt that has a next one (the first claim of a name published before a restart).
   */
  private async apply(update: DnsUpdate, action: 'publish' | 'withdraw', another = false): Promise<DdnsResult> {
    const { send, logger, onResult, config } = this.options;
    const records = describeUpdate(update);
    const server = `${config.server.host}:${config.server.port}`;
    let result: UpdateResult;
    try {
      if (action === 'publish') this.publishing = update;
      result = await send(update);
    } catch (error) {
      onResult?.('failed');
      logger.warn(`ddns ${action} failed: no answer from ${server}; SIP service carries on and the update is retried`, { zone: config.zone, server, records, error });
      return 'failed';
    } finally {
      if (this.publishing === update) this.publishing = null;
    }
    const verdict = classify(result);
    if (verdict === 'conflict' && another) return verdict;
    onResult?.(verdict);
    if (verdict === 'ok') {
      logger.info(`ddns ${action}ed`, { zone: config.zone, server, records });
      return verdict;
    }
    // The server's TSIG error (BADKEY, BADSIG, BADTIME) says more than the NOTAUTH around it.
    const tsigError = result.tsig.ok || result.tsig.error === 'UNSIGNED' || result.tsig.error === 'FORMERR' ? undefined : result.tsig.error;
    const rcode = tsigError === undefined ? String(result.rcode) : `${String(result.rcode)}/${tsigError}`;
    const meaning = typeof result.rcode === 'number' ? 'a response code RFC 2136 does not define' : describeRcode((tsigError as UpdateRcode | undefined) ?? result.rcode);
    const next = action === 'publish' ? 'SIP service carries on and the update is retried' : 'the records stay in the zone';
    logger.warn(`ddns ${action} refused by ${server}: ${rcode}, ${meaning}; ${next}`, { zone: config.zone, server, records, rcode, result: verdict });
    return verdict;
  }

  private readAddresses(): string[] {
    const { addresses, config, logger } = this.options;
    const now = addresses();
    if (now.length === 0 && !this.addressless && config.address?.kind === 'interface') {
      logger.warn(`ddns: interface ${config.address.name} has no address; the node's address records are withdrawn until it has one`);
    }
    this.addressless = now.length === 0;
    return now;
  }

  private scheduleCheck(): void {
    const { clock, config } = this.options;
    this.checkTimer = clock.setTimeout(() => {
      if (this.stopped) return;
      void this.check();
      this.scheduleCheck();
    }, config.checkIntervalMs);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer !== null) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, RETRY_MAX_MS);
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = null;
      void this.check();
    }, delay);
  }
}

function classify(result: UpdateResult): DdnsResult {
  if (result.rcode === 'NOERROR') return result.tsig.ok ? 'ok' : 'failed';
  if (result.rcode === 'REFUSED') return 'refused';
  if (result.rcode === 'NOTAUTH') return 'notauth';
  if (result.rcode === 'YXRRSET' || result.rcode === 'NXRRSET' || result.rcode === 'YXDOMAIN' || result.rcode === 'NXDOMAIN') return 'conflict';
  return 'failed';
}

/** `sip1.example.com A +192.0.2.10`, one entry per operation, for logs. */
function describeUpdate(update: DnsUpdate): string[] {
  return update.updates.map((u) => {
    switch (u.kind) {
      case 'add':
        return `+${u.record.name} ${String(u.record.type)} ${rdataText(u.record)}`;
      case 'delete-rr':
        return `-${u.record.name} ${String(u.record.type)} ${rdataText(u.record)}`;
      case 'delete-rrset':
        return `-${u.name} ${u.type}`;
      case 'delete-name':
        return `-${u.name}`;
    }
  });
}

function rdataText(r: RecordData): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return r.address;
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.target}`;
    case 'NAPTR':
      return `${r.order} ${r.preference} "${r.flags}" "${r.service}" "${r.regexp}" ${r.replacement}`;
    default:
      return '';
  }
}
