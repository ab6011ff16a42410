import { SipError, type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { type Clock, systemClock } from '../clock.js';
import type { ClientTransaction, ClientTransactionHandler } from './client-transaction.js';
import { type Destination, type Flow, flowDestination } from '../flow/flow.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { ServerTransaction } from './server-transaction.js';
import type { Transaction, TransactionContext } from './transaction.js';
import { TerminationTimers } from './termination-timers.js';
import { clientTransactionKey, isRfc3261Branch, serverTransactionKey } from './transaction-key.js';
import { type TransactionTimers, resolveTimers } from './transaction-timers.js';
import type { TransactionTransport } from './transaction-transport.js';
import type { TransactionUser } from './transaction-user.js';

/** @see TransactionLayer */
export interface TransactionLayerOptions {
  /** Defaults to `systemClock`. */
  clock?: Clock;
  /** T1, T2, T4 (and Timer D) in ms; defaults 500, 4000, 5000 (and max(32 s, 64*T1)). */
  timers?: Partial<TransactionTimers>;
  transport: TransactionTransport;
  tu: TransactionUser;
  /**
   * RFC 3261 §17.2.1: ms after which an INVITE server transaction sends 100 Trying itself if
   * the TU has not responded (default 200); 0 sends it on receipt, `null` never.
   */
  tryingDelay?: number | null;
  /**
   * Most transactions in the table; a new request beyond it is answered 503 with Retry-After
   * and no transaction (RFC 3261 §21.5.4). Default 100000.
   */
  maxTransactions?: number;
  /** Called for each request refused because the table is full. */
  onOverload?(request: SipRequest, flow: Flow): void;
  /**
   * A non-INVITE request the TU refuses (3xx–6xx), or an OPTIONS it answers, before
   * `onRequest` returns keeps no transaction: its retransmissions are answered afresh, as a
   * stateless UAS does (RFC 3261 §8.2.7), so that what cost no work holds no memory for
   * Timer J. Default false.
   */
  statelessImmediateAnswers?: boolean;
  /**
   * Receives exceptions thrown by TU callbacks. The transaction has already made its state
   * change, so nothing is left half done. By default the exception is rethrown from a microtask.
   */
  onError?: (error: unknown) => void;
}

/** Transactions in flight, by kind. */
export interface TransactionCounts {
  inviteClient: number;
  nonInviteClient: number;
  inviteServer: number;
  nonInviteServer: number;
}

/**
 * The transaction layer: matches what the transport delivers to client and server
 * transactions, creates server transactions for new requests, and hands the TU each request
 * and response once.
 * @see RFC 3261 §17, RFC 6026
 */
export class TransactionLayer {
  readonly timers: TransactionTimers;
  private readonly clients = new Map<string, ClientTransaction>();
  private readonly servers = new Map<string, ServerTransaction>();
  private readonly tu: TransactionUser;
  private readonly transport: TransactionTransport;
  private readonly tryingDelay: number | null;
  private readonly context: TransactionContext;
  private readonly onError: (error: unknown) => void;
  private readonly terminations: TerminationTimers;
  private readonly maxTransactions: number;
  private readonly onOverload: ((request: SipRequest, flow: Flow) => void) | undefined;
  private readonly statelessImmediateAnswers: boolean;

  constructor(options: TransactionLayerOptions) {
    this.timers = resolveTimers(options.timers);
    this.tu = options.tu;
    this.transport = options.transport;
    this.tryingDelay = options.tryingDelay === undefined ? 200 : options.tryingDelay;
    this.maxTransactions = options.maxTransactions ?? DEFAULT_MAX_TRANSACTIONS;
    if (!Number.isSafeInteger(this.maxTransactions) || this.maxTransactions < 1) throw new Error(`maxTransactions must be a whole number of at least 1, not ${this.maxTransactions}`);
    this.onOverload = options.onOverload;
    this.statelessImmediateAnswers = options.statelessImmediateAnswers ?? false;
    const onError = options.onError ?? rethrowLater;
    this.onError = onError;
    const clock = options.clock ?? systemClock;
    this.terminations = new TerminationTimers(clock);
    this.context = {
      clock,
      timers: this.timers,
      transport: options.transport,
      notify(callback) {
        try {
          callback();
        } catch (error) {
          onError(error);
        }
      },
      terminated: (tx) => this.forget(tx),
      terminateAfter: (tx, ms) => this.terminations.add(tx, ms),
    };
  }

  /** Transactions in flight. */
  get size(): number {
    return this.clients.size + this.servers.size;
  }

  /** Transactions in flight by kind, for metrics (walks the tables: not for the message path). */
  counts(): TransactionCounts {
    const counts: TransactionCounts = { inviteClient: 0, nonInviteClient: 0, inviteServer: 0, nonInviteServer: 0 };
    for (const tx of this.clients.values()) {
      if (tx instanceof InviteClientTransaction) counts.inviteClient++;
      else counts.nonInviteClient++;
    }
    for (const tx of this.servers.values()) {
      if (tx instanceof InviteServerTransaction) counts.inviteServer++;
      else counts.nonInviteServer++;
    }
    return counts;
  }

  /** Everything the transport delivers, with the flow it came in on. */
  receive(message: SipRequest | SipResponse, flow: Flow): void {
    if (message.isRequest()) this.receiveRequest(message, flow);
    else this.receiveResponse(message, flow);
  }

  /**
   * Starts a client transaction that sends `request` to `destination`. The top Via must carry
   * an RFC 3261 branch, unique to this request. A transport error while sending the request
   * reaches `handler` before this returns.
   * @see RFC 3261 §17.1, §8.1.1.7
   */
  sendRequest(request: SipRequest, destination: Destination, handler: ClientTransactionHandler): ClientTransaction {
    if (request.method === 'ACK') {
      throw new Error('An ACK has no client transaction: the TU sends the ACK for a 2xx through the transport (RFC 3261 §13.2.2.4)');
    }
    const branch = request.topVia.params.get('branch');
    if (!isRfc3261Branch(branch)) throw new Error(`The top Via needs a branch starting with z9hG4bK, got ${branch ?? 'none'}`);
    // RFC 3261 §8.1.1.7: a branch is unique to its request, but for the CANCEL of it.
    const key = clientTransactionKey(branch, request.method);
    if (this.clients.has(key)) throw new Error(`A client transaction for branch ${branch}${request.method === 'CANCEL' ? ' and CANCEL' : ''} already exists`);
    const tx =
      request.method === 'INVITE'
        ? new InviteClientTransaction(key, request, destination, handler, this.context)
        : new NonInviteClientTransaction(key, request, destination, handler, this.context);
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /**
   * The INVITE server transaction a CANCEL cancels: the §17.2.3 match with the method taken
   * as INVITE. `null` when there is none (the TU answers 481).
   * @see RFC 3261 §9.2
   */
  findInviteForCancel(cancel: SipRequest): InviteServerTransaction | null {
    try {
      return asInvite(this.servers.get(serverTransactionKey(cancel, 'INVITE')));
    } catch (error) {
      if (error instanceof SipError) return null;
      throw error;
    }
  }

  /** Stops every timer and forgets every transaction, without telling the TU. */
  close(): void {
    for (const tx of [...this.clients.values(), ...this.servers.values()]) tx.dispose();
    this.terminations.clear();
  }

  /** @see RFC 3261 §17.2.3, RFC 6026 §8.10 */
  private receiveRequest(request: SipRequest, flow: Flow): void {
    if (request.method === 'ACK') {
      this.receiveAck(request, flow);
      return;
    }
    let key: string;
    try {
      key = serverTransactionKey(request);
    } catch (error) {
      this.rejectMalformed(request, flow, error);
      return;
    }
    const existing = this.servers.get(key);
    if (existing) {
      existing.receiveRequest(request);
      return;
    }
    if (this.clients.size + this.servers.size >= this.maxTransactions) {
      this.refuseOverload(request, flow);
      return;
    }
    let tx: ServerTransaction;
    if (request.method === 'INVITE') {
      const invite = new InviteServerTransaction(key, request, flow, this.tu, this.context);
      this.servers.set(key, invite);
      invite.start(this.tryingDelay);
      tx = invite;
    } else {
      const nonInvite = new NonInviteServerTransaction(key, request, flow, this.tu, this.context);
      this.servers.set(key, nonInvite);
      nonInvite.answeringStatelessly = this.statelessImmediateAnswers;
      tx = nonInvite;
    }
    // As context.notify does, without a closure per request.
    try {
      this.tu.onRequest(tx, request, flow);
    } catch (error) {
      this.onError(error);
    }
    if (tx instanceof NonInviteServerTransaction) tx.answeringStatelessly = false;
  }

  /** RFC 3261 §21.5.4: too busy to take the request; it may be retried after a while. */
  private refuseOverload(request: SipRequest, flow: Flow): void {
    this.onOverload?.(request, flow);
    this.replyStateless(request, flow, createResponse(request, 503, 'Too Many Transactions', { headers: [['Retry-After', String(OVERLOAD_RETRY_AFTER_S)]] }));
  }

  private receiveAck(ack: SipRequest, flow: Flow): void {
    let tx: InviteServerTransaction | null;
    try {
      tx = this.matchAck(ack);
    } catch (error) {
      // An ACK gets no response, so a malformed one can only be dropped.
      if (error instanceof SipError) return;
      throw error;
    }
    if (tx && !tx.receiveAck(ack)) return;
    const user = this.tu;
    if (user.onAck) this.context.notify(() => user.onAck?.(ack, flow, tx));
    else this.context.notify(() => user.onRequest(null, ack, flow));
  }

  /**
   * An ACK matches the INVITE server transaction of the response it acknowledges: by branch
   * for RFC 3261 clients; for RFC 2543 clients by the INVITE's fields and the To tag of the
   * response sent (RFC 3261 §17.2.3), so that an ACK for a 2xx is told apart (RFC 6026 §6).
   */
  private matchAck(ack: SipRequest): InviteServerTransaction | null {
    if (isRfc3261Branch(ack.topVia.params.get('branch'))) return asInvite(this.servers.get(serverTransactionKey(ack, 'INVITE')));
    const toTag = ack.to.params.get('tag') ?? '';
    // The INVITE carried this To tag (a re-INVITE), or none (the tag came with the response).
    const tx = asInvite(this.servers.get(serverTransactionKey(ack, 'INVITE'))) ?? asInvite(this.servers.get(serverTransactionKey(ack, 'INVITE', '')));
    if (!tx || (tx.responseToTag ?? '') !== toTag) return null;
    return tx;
  }

  /** @see RFC 3261 §17.1.3; RFC 6026 §8.9: what matches nothing is the TU's to forward or drop. */
  private receiveResponse(response: SipResponse, flow: Flow): void {
    let tx: ClientTransaction | undefined;
    try {
      // RFC 3261 §17.1.3: the branch of the top Via and the CSeq method both match.
      const branch = response.topVia.params.get('branch');
      const method = response.cseq.method;
      tx = branch ? this.clients.get(clientTransactionKey(branch, method)) : undefined;
      if (tx !== undefined && tx.method !== method) tx = undefined;
    } catch (error) {
      if (error instanceof SipError) return;
      throw error;
    }
    if (tx) {
      tx.receiveResponse(response, flow);
      return;
    }
    const user = this.tu;
    if (user.onStrayResponse) this.context.notify(() => user.onStrayResponse?.(response, flow));
  }

  /** A request whose matching fields do not parse is answered statelessly with the 400 naming the problem. */
  private rejectMalformed(request: SipRequest, flow: Flow, error: unknown): void {
    if (!(error instanceof SipError)) throw error;
    this.replyStateless(request, flow, createResponse(request, error.status, error.reason));
  }

  private replyStateless(request: SipRequest, flow: Flow, response: SipResponse): void {
    let destination: Destination;
    try {
      destination = this.transport.responseDestination(request, flow);
    } catch {
      // The Via may be what is malformed: answer the source of the request.
      destination = flowDestination(flow);
    }
    try {
      this.transport.transmit(response.toBuffer(), destination, ignore);
    } catch {
      // Nothing more can be done for a request that cannot be answered.
    }
  }

  private forget(tx: Transaction): void {
    // Only its own table can hold it: one look-up and one delete, in tables of up to 32 s of transactions.
    const table: Map<string, Transaction> = tx instanceof ServerTransaction ? this.servers : this.clients;
    if (table.get(tx.id) === tx) table.delete(tx.id);
  }
}

/** Transactions of one worker; at roughly 2 KB each (bench/, docs/benchmarks.md), about 200 MB. */
export const DEFAULT_MAX_TRANSACTIONS = 100_000;
const OVERLOAD_RETRY_AFTER_S = 5;

function asInvite(tx: ServerTransaction | undefined): InviteServerTransaction | null {
  return tx instanceof InviteServerTransaction ? tx : null;
}

function ignore(): void {}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
