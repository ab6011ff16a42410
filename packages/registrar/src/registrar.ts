import { type AuthenticatedUser, type Flow, type LocalIdentity, type RequestContext, type RequestProcessor, canonicalAor, reachableOnlyOverFlow, requireUnderstood, storedFlow } from '@herald/proxy';
import { type Binding, LOST_RACE, type LocationStore, type UserStore, retryCompareAndSet } from '@herald/store';
import { applyRegister } from './apply-register.js';

import { storedBindingKeyReusing } from './contact-key.js';
import { type ReadRegister, readRegister } from './read-register.js';
import { rfc1123Date } from './rfc1123-date.js';
import { busyAor, foreignAor, notYourAor } from './registrar-errors.js';
import type { RegistrarPolicy } from './registrar-policy.js';

export interface RegistrarOptions {
  identity: LocalIdentity;
  locations: LocationStore;
  /** For aliases: an authenticated user may register any alias of their AoR. */
  users: Pick<UserStore, 'resolveAlias'>;
  policy: RegistrarPolicy;
  clock: { now(): number };
  /** When true (digest authentication on), a REGISTER must have been authenticated. */
  requireAuthentication: boolean;
}

/** A successful REGISTER wrote `bindings` (new or refreshed) for `aor`; called once per REGISTER. */
export type BindingsAddedListener = (aor: string, bindings: readonly Binding[]) => void;

/** `aor` went from no live binding to some (`registered`), or back; called once per change. */
export type RegistrationListener = (aor: string, registered: boolean) => void;

/**
 * The registrar: REGISTER for a served domain, every step of RFC 3261 §10.3, with Path
 * (RFC 3327) and outbound flows (RFC 5626). Also forgets the bindings that only a closed
 * connection could reach.
 */
export class Registrar implements RequestProcessor {
  readonly name = 'registrar';
  /** Connection-oriented flows of this worker → the AoRs bound over them. */
  private readonly flows = new Map<string, Set<string>>();
  private readonly listeners: BindingsAddedListener[] = [];
  private readonly registrationListeners: RegistrationListener[] = [];

  constructor(private readonly options: RegistrarOptions) {}

  onBindingsAdded(listener: BindingsAddedListener): void {
    this.listeners.push(listener);
  }

  onRegistrationChanged(listener: RegistrationListener): void {
    this.registrationListeners.push(listener);
  }

  /** A REGISTER (the chain checks the method). */
  process(ctx: RequestContext): 'continue' | Promise<'stop'> {
    // Step 1: the Request-URI names a domain we hold bindings for.
    const domain = this.options.identity.registrationDomain(ctx.req);
    if (domain === null) return 'continue';
    requireUnderstood(ctx.req);
    return this.register(ctx, domain);
  }

  /** The live bindings of an AoR (admin API, location lookup). */
  async bindings(aor: string): Promise<Binding[]> {
    return (await this.options.locations.get(aor, this.options.clock.now())).bindings;
  }

  /**
   * A connection closed: bindings that only it could reach (outbound flows, WebSocket and
   * other `.invalid` contacts) are removed, so nothing is sent over a dead connection.
   * @see RFC 5626 §5.3, RFC 7118 §5
   */
  async flowClosed(flow: Flow): Promise<void> {
    const aors = this.flows.get(flow.id);
    if (aors === undefined) return;
    this.flows.delete(flow.id);
    const { locations, clock } = this.options;
    for (const aor of aors) {
      await retryCompareAndSet(async () => {
        const now = clock.now();
        const { bindings, version } = await locations.get(aor, now);
        const next = bindings.filter((b) => b.flow.id !== flow.id || !reachableOnlyOverFlow(b, b.flow));
        if (next.length === bindings.length) return;
        if (!(await locations.compareAndSet(aor, version, next, now))) return LOST_RACE;
        this.registrationChanged(aor, bindings.length, next.length);
      }, () => undefined);
    }
  }

  private async register(ctx: RequestContext, domain: string): Promise<'stop'> {
    const { req } = ctx;
    const { locations, clock, policy } = this.options;
    // Every answer from here on is one a retransmission processed again gets too (RFC 3261
    // §8.2.7: a UAS may answer statelessly): refusals change nothing, and the 200 to an equal
    // Call-ID and CSeq changes nothing either (step 7 in applyRegister, see docs/architecture.md
    // "Stateless REGISTER answers"). The transaction is kept only for a removal, below.
    ctx.statelessAnswer = true;
    // Step 5: the AoR is To, canonicalised; it must be in the domain of the Request-URI.
    const aor = canonicalAor(req.to.uri);
    if (aor.slice(aor.lastIndexOf('@') + 1) !== domain) throw foreignAor();
    // Steps 3–4: the authenticated user may change this AoR.
    await this.authorize(ctx.authenticated, aor);

    const update = readRegister(req, storedFlow(ctx.flow));
    // A removal (Contact: *, or an expires of 0) processed again would remove what another
    // Call-ID bound in between; rare enough that its 32 s of Timer J cost nothing.
    if (update.wildcard || update.contacts.some((c) => c.expires === 0)) ctx.statelessAnswer = false;
    return retryCompareAndSet(async () => {
      const now = clock.now();
      const current = await locations.get(aor, now);
      // A retransmission of a REGISTER already let through (see RequestContext.retransmitted)
      // is answered, never applied again: a later request of the phone's may have removed or
      // replaced what it bound, and applied now it would bind that contact again.
      if (ctx.retransmitted === true) {
        this.answer(ctx, current.bindings, update, now);
        return 'stop' as const;
      }
      // Steps 6–7, all or nothing.
      const next = applyRegister(current.bindings, update, policy, now, storedBindingKeyReusing(update.contacts));
      const query = !update.wildcard && update.contacts.length === 0;
      // Step 8: the update is written before the 200 leaves.
      if (!query && !(await locations.compareAndSet(aor, current.version, next, now))) return LOST_RACE;
      this.answer(ctx, next, update, now);
      if (!query) {
        this.written(aor, next, update);
        this.registrationChanged(aor, current.bindings.length, next.length);
      }
      return 'stop' as const;
    }, () => {
      throw busyAor();
    });
  }

  private async authorize(user: AuthenticatedUser | null, aor: string): Promise<void> {
    if (user === null) {
      if (this.options.requireAuthentication) throw notYourAor();
      return;
    }
    if (user.aor === aor) return;
    if ((await this.options.users.resolveAlias(aor)) !== user.aor) throw notYourAor();
  }

  /** Step 8: 200 with every current binding and its remaining time, and a Date. */
  private answer(ctx: RequestContext, bindings: readonly Binding[], update: ReadRegister, now: number): void {
    const headers: Array<[string, string]> = [];
    for (const b of bindings) {
      const remaining = Math.max(0, Math.round((b.expiresAt - now) / 1000));
      headers.push(['Contact', `<${b.contact}>;expires=${remaining}${b.q === null ? '' : `;q=${b.q}`}${b.params}`]);
    }
    if (update.echoPath) for (const p of update.path) headers.push(['Path', p]);
    // RFC 5626 §6: the registrar tells the client outbound applied.
    if (update.outbound && update.contacts.some((c) => c.regId !== null)) headers.push(['Require', 'outbound']);
    headers.push(['Supported', 'path, outbound']);
    headers.push(['Date', rfc1123Date(now)]);
    ctx.respond(200, 'OK', { headers });
  }

  private registrationChanged(aor: string, before: number, after: number): void {
    if (before > 0 === after > 0) return;
    for (const l of this.registrationListeners) l(aor, after > 0);
  }

  private written(aor: string, bindings: readonly Binding[], update: ReadRegister): void {
    if (update.flow.transport !== 'udp') {
      let aors = this.flows.get(update.flow.id);
      if (aors === undefined) this.flows.set(update.flow.id, (aors = new Set()));
      aors.add(aor);
    }
    if (this.listeners.length === 0) return;
    const added = bindings.filter((b) => b.callId === update.callId && b.cseq === update.cseq);
    if (added.length > 0) for (const l of this.listeners) l(aor, added);
  }
}
