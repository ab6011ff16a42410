import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import type { ClientTransaction, ClientTransactionHandler, Clock, Destination, TimerHandle } from '@herald/stack';
import { chooseBestResponse } from './best-response.js';
import { createCancel } from './cancel-request.js';
import { restoreFrom } from './presented-identity.js';
import type { ForwardOptions, ForwardOutcome, RequestContext } from '../tu/request-context.js';
import { tlsConnectionFailed } from '../proxy-errors.js';
import type { OutboundPeer } from '../routing/target.js';

/**
 * One target's copy of the request, prepared by the proxy core: the destinations its next
 * hop resolved to, in the order to try them, and the copy for each (its own Via branch,
 * and Record-Route for its transport).
 * @see RFC 3261 §16.6, RFC 3263 §4.3
 */
export interface PreparedBranch {
  destinations: readonly Destination[];
  request(destination: Destination): SipRequest;
  /** The peer domain the target goes to, when the federation policy constrains the way there. */
  peer?: OutboundPeer;
  /** The target is in Herald's trust domain (a gateway community): its responses keep P-Asserted-Identity. @see RFC 3325 §5 */
  trustDomain?: boolean;
  /** The target's `failedForMs`: how long a destination that fails is tried last. */
  failedForMs?: number;
}

/** A prepared branch, or the final response that stands for a target that cannot be reached. */
export type Prepared = PreparedBranch | SipResponse;

/**
 * What a response context needs from the proxy core: a way to send a branch (a client
 * transaction), the clock and Timer C, and word when it is done.
 */
export interface BranchSender {
  send(request: SipRequest, destination: Destination, handler: ClientTransactionHandler): ClientTransaction;
  clock: Clock;
  /** Timer C in ms; INVITE only. @see RFC 3261 §16.6 step 11 */
  inviteTimeoutMs: number;
  /** Called once, when the context has nothing left to do. */
  finished(rc: ResponseContext, ctx: RequestContext): void;
  /**
   * `destination` did not answer (Timer B/F) or could not be reached (tried last for the
   * target's `failedForMs` when it gives one), or answered 503 with `Retry-After`
   * (`retryAfterMs`). @see RFC 3263 §4.3, RFC 3261 §21.5.4
   */
  unreachable(destination: Destination, retryAfterMs?: number): void;
  /** A branch (to `peer`, when its target has one) moved from `from`, which timed out, failed at the transport or answered 503, to `to`. @see RFC 3263 §4.3 */
  failedOver(from: Destination, to: Destination, peer: OutboundPeer | undefined): void;
  /** `destination` answered: it is no longer tried last. */
  answered(destination: Destination): void;
  /**
   * How long after a non-INVITE request arrived its branches may still move to another
   * destination: two Timer F periods (2·64·T1), so that one destination that never answers
   * is passed over (its Timer F ends as the sender's does) and a second ends the search.
   * @see RFC 3261 §17.1.2.2, RFC 3263 §4.3
   */
  nonInviteFailoverMs: number;
}

/**
 * Destinations one branch is sent to at most, however many the other domain's DNS lists:
 * each costs a transaction and, when it does not answer, Timer B or F.
 * @see RFC 3263 §4.3
 */
export const MAX_DESTINATIONS_PER_BRANCH = 8;

type BranchState = 'calling' | 'proceeding' | 'done';

/**
 * One target of a response context: while its next hop is being resolved, then one client
 * transaction per destination it is sent to, the next when the one before fails.
 */
class Branch implements ClientTransactionHandler {
  state: BranchState = 'calling';
  /** A CANCEL is owed once a provisional response arrives. @see RFC 3261 §9.1 */
  cancelOwed = false;
  cancelSent = false;
  timerC: TimerHandle | null = null;
  prepared: PreparedBranch | null = null;
  /** The destination to try after the current one, as an index of `prepared.destinations`. */
  next = 0;
  /** The copy sent to the current destination; set once it is sent. */
  request!: SipRequest;
  destination!: Destination;

  constructor(private readonly rc: ResponseContext) {}

  onResponse(response: SipResponse): void {
    this.rc.branchResponse(this, response);
  }

  onTimeout(_tx: ClientTransaction, response: SipResponse): void {
    this.rc.branchUnreachable(this, response.removeFirstValue('via'));
  }

  onTransportError(_tx: ClientTransaction, _error: Error, response: SipResponse): void {
    // A peer domain that requires TLS (a federation level): once no destination is left, the
    // caller learns that the TLS connection failed, as Herald's own 503 naming the domain.
    const peer = this.destination.tlsCheck === undefined ? undefined : this.destination.serverName;
    if (peer !== undefined) policyRefusal(Object.assign(response, { reason: tlsConnectionFailed(peer) }));
    this.rc.branchUnreachable(this, response.removeFirstValue('via'));
  }
}

/**
 * Removes P-Asserted-Identity from a message that came from outside the trust domain.
 * @see RFC 3325 §5
 */
export function removeAssertedIdentity(message: SipResponse): void {
  if (message.hasHeader('p-asserted-identity')) message.removeHeader('p-asserted-identity');
}

/** The handler of a CANCEL Herald sends: nothing to do with its answer. */
const CANCEL_HANDLER: ClientTransactionHandler = { onResponse() {}, onTimeout() {}, onTransportError() {} };

/** Herald's own answers for a target that policy forbids reaching as it is (not a downstream server's). */
const POLICY_REFUSALS = new WeakSet<SipResponse>();

/**
 * Marks a response Herald made for a target that policy forbids reaching as it is (no TLS
 * route to a peer domain): a 503 of this kind is forwarded as is, where a received one
 * becomes 500 (RFC 3261 §16.7 step 6).
 */
export function policyRefusal(response: SipResponse): SipResponse {
  POLICY_REFUSALS.add(response);
  return response;
}

/**
 * The response context of one proxied request: its branches, forked by q-value group, the
 * responses stored so far, and the one final response sent upstream.
 * @see RFC 3261 §16.7, §16.10
 */
export class ResponseContext {
  private readonly branches: Branch[] = [];
  private readonly finals: SipResponse[] = [];
  /**
   * The final responses Herald made up for a branch (408, 487, 503, a refusal), as opposed to
   * those that came from a destination; made only when a branch has one, which the common path does not.
   */
  private madeUp: WeakSet<SipResponse> | null = null;
  private group = 0;
  private accepted = false;
  private finalSent = false;
  private cancelled = false;
  private global = false;
  private closed = false;
  /** A group's branches are being started: their outcomes wait for the group check at the end. */
  private starting = false;
  private readonly isInvite: boolean;
  private readonly startedAt: number;
  private resolve!: (outcome: ForwardOutcome) => void;
  private reject!: (error: unknown) => void;
  readonly outcome: Promise<ForwardOutcome>;

  constructor(
    private readonly ctx: RequestContext,
    /** Each group's targets, prepared when the group starts (their next hops resolved, which may take a DNS look-up). */
    private readonly groups: ReadonlyArray<ReadonlyArray<() => Prepared | Promise<Prepared>>>,
    private readonly sender: BranchSender,
    private readonly options: ForwardOptions,
  ) {
    this.isInvite = ctx.req.method === 'INVITE';
    this.startedAt = sender.clock.now();
    this.outcome = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  start(): void {
    this.startGroup();
  }

  /**
   * A CANCEL for the request: branches that have a provisional response are cancelled now,
   * the others once they get one; no further group is started.
   * @see RFC 3261 §16.10
   */
  cancel(): void {
    if (this.cancelled || this.finalSent) return;
    this.cancelled = true;
    // A branch still waiting for DNS has sent nothing: it ends now rather than when DNS answers.
    for (const b of this.branches) if (b.prepared === null && b.state !== 'done') this.madeUpFinal(b, createResponse(this.ctx.req, 487));
    this.cancelPending();
  }

  branchResponse(branch: Branch, response: SipResponse): void {
    response.removeFirstValue('via');
    // RFC 3325 §5: an identity asserted by a node outside the trust domain (a user agent, another domain) goes, responses included.
    if (branch.prepared?.trustDomain !== true) removeAssertedIdentity(response);
    const status = response.status;
    if (branch.state !== 'done') this.sender.answered(branch.destination);
    if (status < 200) {
      if (branch.state === 'done') return;
      branch.state = 'proceeding';
      if (branch.cancelOwed) this.sendCancel(branch);
      else this.restartTimerC(branch);
      // RFC 3261 §16.7 step 5: provisional responses other than 100 go upstream.
      if (status !== 100 && !this.finalSent) this.relayUpstream(response);
      return;
    }
    if (status < 300) {
      this.accept(branch, response);
      return;
    }
    if (status === 503) {
      // RFC 3261 §21.5.4: nothing more goes to a server that asked for time, while it asked.
      const retryAfter = Number.parseInt(response.header('retry-after') ?? '', 10);
      if (retryAfter > 0 && branch.state !== 'done') this.sender.unreachable(branch.destination, retryAfter * 1000);
      // RFC 3263 §4.3: a 503 sends the request to the next destination.
      if (this.failOver(branch)) return;
    }
    this.branchFinal(branch, response);
  }

  /**
   * The made-up final response of a branch whose destination did not answer (408 on Timer
   * B/F) or could not be reached (503 on a transport error), our Via already removed.
   */
  branchUnreachable(branch: Branch, response: SipResponse): void {
    if (branch.state !== 'done') this.sender.unreachable(branch.destination, branch.prepared?.failedForMs);
    if (this.failOver(branch)) return;
    this.madeUpFinal(branch, response);
  }

  /** A final response Herald made up for a branch (not a destination's), our Via removed if it had ours. */
  private madeUpFinal(branch: Branch, response: SipResponse): void {
    if (branch.state === 'done') return;
    (this.madeUp ??= new WeakSet()).add(response);
    this.branchFinal(branch, response);
  }

  /** A final non-2xx response for a branch, our Via already removed. */
  private branchFinal(branch: Branch, response: SipResponse): void {
    if (branch.state === 'done') return;
    this.settle(branch);
    this.finals.push(response);
    // RFC 3261 §16.7 step 5: a 6xx cancels every other branch and ends the search.
    if (response.status >= 600 && !this.global) {
      this.global = true;
      this.cancelPending();
    }
    this.checkGroup();
  }

  /** RFC 3261 §16.7 step 5 and step 10: a 2xx goes upstream at once (every 2xx, for INVITE). */
  private accept(branch: Branch, response: SipResponse): void {
    const first = !this.accepted;
    if (branch.state !== 'done') this.settle(branch);
    if (!this.isInvite && !first) return;
    this.accepted = true;
    this.relayUpstream(response);
    if (!first) return;
    this.finalSent = true;
    // RFC 3261 §16.7 step 10: the other branches of an INVITE are cancelled.
    if (this.isInvite) this.cancelPending();
    this.finish({ status: response.status, response, handled: false, received: true });
  }

  private startGroup(): void {
    if (this.group >= this.groups.length) {
      void this.finishFailed();
      return;
    }
    const prepares = this.groups[this.group++];
    const branches = prepares.map(() => new Branch(this));
    this.branches.push(...branches);
    this.starting = true;
    for (let i = 0; i < prepares.length && !this.closed; i++) this.begin(branches[i], prepares[i]);
    this.starting = false;
    if (!this.closed) this.checkGroup();
  }

  /** Prepares one target's branch and sends it, at once or once its next hop is resolved. */
  private begin(branch: Branch, prepare: () => Prepared | Promise<Prepared>): void {
    let prepared: Prepared | Promise<Prepared>;
    try {
      prepared = prepare();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!(prepared instanceof Promise)) {
      this.prepared(branch, prepared);
      return;
    }
    prepared
      .then((p) => this.prepared(branch, p))
      .catch((error: unknown) => {
        if (!this.closed) this.fail(error);
      });
  }

  private prepared(branch: Branch, prepared: Prepared): void {
    if (branch.state === 'done') return;
    if (!('destinations' in prepared)) {
      this.madeUpFinal(branch, prepared);
      return;
    }
    // Resolved after a CANCEL, a 6xx or (INVITE) a 2xx: nothing is sent. @see RFC 3261 §16.10
    if (this.closed || this.finalSent || this.cancelled || this.global || branch.cancelOwed) {
      this.madeUpFinal(branch, createResponse(this.ctx.req, 487));
      return;
    }
    branch.prepared = prepared;
    this.sendNext(branch);
  }

  /** A new client transaction to the branch's next destination. @see RFC 3263 §4.3 */
  private sendNext(branch: Branch): void {
    const prepared = branch.prepared as PreparedBranch;
    const destination = prepared.destinations[branch.next++];
    branch.state = 'calling';
    branch.destination = destination;
    branch.request = prepared.request(destination);
    if (this.isInvite) this.restartTimerC(branch);
    this.sender.send(branch.request, destination, branch);
  }

  /**
   * RFC 3263 §4.3: when a destination times out, fails at the transport or answers 503,
   * the request goes to the next one as a new transaction, unless the request was
   * cancelled, the search has ended, an INVITE has had a provisional response, the branch
   * has tried `MAX_DESTINATIONS_PER_BRANCH`, or a non-INVITE has outlived `nonInviteFailoverMs`.
   */
  private failOver(branch: Branch): boolean {
    const prepared = branch.prepared;
    if (prepared === null || branch.state === 'done') return false;
    if (branch.next >= prepared.destinations.length || branch.next >= MAX_DESTINATIONS_PER_BRANCH) return false;
    if (this.closed || this.finalSent || this.cancelled || this.global || branch.cancelOwed || branch.cancelSent) return false;
    if (this.isInvite && branch.state === 'proceeding') return false;
    if (!this.isInvite && this.sender.clock.now() - this.startedAt >= this.sender.nonInviteFailoverMs) return false;
    const from = branch.destination;
    this.sendNext(branch);
    this.sender.failedOver(from, branch.destination, prepared.peer);
    return true;
  }

  private checkGroup(): void {
    if (this.starting) return;
    if (this.closed || this.finalSent) {
      if (this.allDone()) this.close();
      return;
    }
    if (!this.allDone()) return;
    if (!this.cancelled && !this.global && this.group < this.groups.length) {
      this.startGroup();
      return;
    }
    void this.finishFailed();
  }

  /** RFC 3261 §16.7 step 6: the best of the final responses, once every branch has one. */
  private async finishFailed(): Promise<void> {
    if (this.finalSent) return;
    this.finalSent = true;
    const best = chooseBestResponse(this.finals);
    // RFC 3261 §16.7 step 6: a 503 received (or made up for a transport error, §16.9) is not
    // forwarded; 500 stands for it. Herald's own 503 (`No TLS Route To …`) goes as it is.
    const forwardable = best?.status === 503 && !POLICY_REFUSALS.has(best) ? null : best;
    const status = forwardable?.status ?? (best !== null ? 500 : this.cancelled ? 487 : 408);
    try {
      // The caller sees what the branches said (a 503 as a 503), or the 408 of no answer at all.
      if (this.options.onFailure && (await this.options.onFailure(best ?? createResponse(this.ctx.req, status)))) {
        this.finish({ status: best?.status ?? status, response: best, handled: true, received: best !== null && !this.isMadeUp(best) });
        return;
      }
    } catch (error) {
      this.fail(error);
      return;
    }
    if (forwardable === null) this.ctx.respond(status);
    else this.relayUpstream(forwardable);
    this.finish({ status, response: forwardable, handled: false, received: forwardable !== null && !this.isMadeUp(forwardable) });
  }

  /** A response goes upstream with the sender's own From when the copies carried its external form. */
  private relayUpstream(response: SipResponse): void {
    if (this.ctx.presentedAs !== undefined) restoreFrom(response, this.ctx.req);
    this.ctx.relay(response);
  }

  private cancelPending(): void {
    if (!this.isInvite) return;
    for (const b of this.branches) {
      if (b.state === 'proceeding') this.sendCancel(b);
      else if (b.state === 'calling') b.cancelOwed = true;
    }
  }

  private sendCancel(branch: Branch): void {
    if (branch.cancelSent) return;
    branch.cancelSent = true;
    branch.cancelOwed = false;
    this.sender.send(createCancel(branch.request), branch.destination, CANCEL_HANDLER);
  }

  /**
   * RFC 3261 §16.6 step 11, §16.8: Timer C runs while an INVITE branch waits for a final
   * response, restarted by each provisional one; when it fires the branch is cancelled and
   * counts as 408.
   */
  private restartTimerC(branch: Branch): void {
    const { clock, inviteTimeoutMs } = this.sender;
    if (branch.timerC !== null) clock.clearTimeout(branch.timerC);
    branch.timerC = clock.setTimeout(() => {
      branch.timerC = null;
      if (branch.state === 'done') return;
      if (branch.state === 'proceeding') this.sendCancel(branch);
      else branch.cancelOwed = true;
      this.madeUpFinal(branch, createResponse(branch.request, 408).removeFirstValue('via'));
    }, inviteTimeoutMs);
  }

  private settle(branch: Branch): void {
    branch.state = 'done';
    if (branch.timerC !== null) {
      this.sender.clock.clearTimeout(branch.timerC);
      branch.timerC = null;
    }
  }

  private isMadeUp(response: SipResponse): boolean {
    return this.madeUp !== null && this.madeUp.has(response);
  }

  private allDone(): boolean {
    for (const b of this.branches) if (b.state !== 'done') return false;
    return true;
  }

  private finish(outcome: ForwardOutcome): void {
    this.resolve(outcome);
    if (this.allDone() || !this.isInvite) this.close();
  }

  private fail(error: unknown): void {
    this.finalSent = true;
    for (const b of this.branches) this.settle(b);
    this.close();
    this.reject(error);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const b of this.branches) if (b.timerC !== null) this.sender.clock.clearTimeout(b.timerC);
    this.sender.finished(this, this.ctx);
  }
}
