import type { Claims, LocationStore } from '@herald/store';

/** A little after the binding's end, so that the store no longer shows it. */
const SLACK_MS = 500;
/** Long enough that every worker's timer for the same expiry has fired. */
const CLAIM_MS = 60_000;

export interface RegistrationExpiryOptions {
  locations: Pick<LocationStore, 'get'>;
  claims: Claims;
  owner: string;
  clock: { now(): number };
  /** The presentity lost its last binding to expiry: its watchers are told. */
  expired(aor: string): void;
}

/**
 * Watches the bindings a registration-derived `open` rests on: when the last of them
 * expires without a REGISTER (a phone that went away), the presentity's watchers are
 * told, by one worker (the claim `registration-expired:<aor>:<time>`). A binding refreshed
 * meanwhile only moves the check.
 * @see RFC 3856 §6.9 (the state from registration), RFC 3261 §10.2.1.1 (bindings expire)
 */
export class RegistrationExpiry {
  private readonly timers = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly options: RegistrationExpiryOptions) {}

  /** `aor` was shown `open` from bindings, the last of which expires at `lastExpiresAt`. */
  watch(aor: string, lastExpiresAt: number): void {
    const current = this.timers.get(aor);
    if (current !== undefined && current.at === lastExpiresAt) return;
    if (current !== undefined) clearTimeout(current.timer);
    const timer = setTimeout(() => void this.check(aor, lastExpiresAt), Math.max(0, lastExpiresAt - this.options.clock.now()) + SLACK_MS);
    timer.unref();
    this.timers.set(aor, { at: lastExpiresAt, timer });
  }

  /**
   * The registrar told of the change itself (an un-REGISTER, a first binding): this worker's
   * timer would tell it again. Another worker's timer for the same expiry loses the claim.
   */
  forget(aor: string): void {
    const current = this.timers.get(aor);
    if (current === undefined) return;
    clearTimeout(current.timer);
    this.timers.delete(aor);
    const { claims, owner, clock } = this.options;
    claims.claim(expiredKey(aor, current.at), owner, CLAIM_MS, clock.now()).catch(() => {
      // The store is away: another worker may tell the watchers twice.
    });
  }

  stop(): void {
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async check(aor: string, at: number): Promise<void> {
    this.timers.delete(aor);
    const { locations, claims, owner, clock } = this.options;
    try {
      const { bindings } = await locations.get(aor, clock.now());
      if (bindings.length > 0) {
        this.watch(aor, Math.max(...bindings.map((b) => b.expiresAt)));
        return;
      }
      if ((await claims.claim(expiredKey(aor, at), owner, CLAIM_MS, clock.now())) === owner) this.options.expired(aor);
    } catch {
      // The store is away: the next change or refresh shows the state.
    }
  }
}

function expiredKey(aor: string, at: number): string {
  return `registration-expired:${aor}:${at}`;
}
