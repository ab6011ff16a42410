import type { SipMessage, SipRequest } from '@herald/sip';
import type { Clock, TimerHandle } from '../clock.js';
import { type Destination, isReliable } from './flow.js';
import type { TransactionState } from './transaction-state.js';
import type { TransactionTimers } from './transaction-timers.js';
import type { TransactionTransport } from './transaction-transport.js';

/** The RFC 3261 §17 timers, plus the §17.2.1 200 ms timer for 100 Trying. */
export type TimerName =
  | 'timerA' | 'timerB' | 'timerD' | 'timerE' | 'timerF' | 'timerG' | 'timerH'
  | 'timerI' | 'timerJ' | 'timerK' | 'timerL' | 'timerM' | 'timerTrying';

/** What a transaction needs of the layer that owns it. */
export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  readonly transport: TransactionTransport;
  /** Runs a TU callback; an exception it throws is reported, never left to unwind a state change. */
  notify(callback: () => void): void;
  /** Called once, when the transaction reaches Terminated, to drop it from the layer's tables. */
  terminated(tx: Transaction): void;
}

/**
 * A request and its responses (RFC 3261 §17), run as a state machine whose timers are set on
 * the injected clock. Subclasses are the four machines of §17.1 and §17.2.
 * @see RFC 3261 §17
 */
export abstract class Transaction<S extends TransactionState = TransactionState> {
  /** Whether messages go over a reliable transport: no retransmissions, zero-length D, I, J, K. */
  readonly reliable: boolean;
  private current: S;
  private readonly handles = new Map<TimerName, TimerHandle>();

  protected constructor(
    /** The key the layer matches messages on (RFC 3261 §17.1.3, §17.2.3). */
    readonly id: string,
    readonly request: SipRequest,
    /** Where this transaction sends its messages. */
    readonly destination: Destination,
    protected readonly context: TransactionContext,
    initial: S,
  ) {
    this.reliable = isReliable(destination.transport);
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  /** The branch parameter of the request's top Via. */
  get branch(): string {
    return this.request.topVia.params.get('branch') ?? '';
  }

  /** Ends the transaction at once, without telling the TU: for shutdown, or a TU giving up on it. */
  dispose(): void {
    this.terminate();
  }

  /** False once Terminated; read after a TU callback, which may have ended the transaction. */
  protected get alive(): boolean {
    return this.current !== 'Terminated';
  }

  protected setState(state: S): void {
    this.current = state;
  }

  protected get timers(): TransactionTimers {
    return this.context.timers;
  }

  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    this.stopTimer(name);
    const handle = this.context.clock.setTimeout(() => {
      this.handles.delete(name);
      fire();
    }, ms);
    this.handles.set(name, handle);
  }

  protected stopTimer(name: TimerName): void {
    const handle = this.handles.get(name);
    if (handle === undefined) return;
    this.context.clock.clearTimeout(handle);
    this.handles.delete(name);
  }

  private stopTimers(): void {
    for (const handle of this.handles.values()) this.context.clock.clearTimeout(handle);
    this.handles.clear();
  }

  /** Moves to Terminated; the layer forgets the transaction. Idempotent. */
  protected terminate(): void {
    if (this.current === 'Terminated') return;
    this.current = 'Terminated' as S;
    this.stopTimers();
    this.context.terminated(this);
  }

  /**
   * Runs `fire` after `ms`, or at once for the zero-length timers of reliable transports
   * (RFC 3261 §17.1.1.2 Timer D, §17.1.2.2 Timer K, §17.2.1 Timer I, §17.2.2 Timer J).
   */
  protected startTimerOrFire(name: TimerName, ms: number, fire: () => void): void {
    if (ms <= 0) fire();
    else this.startTimer(name, ms, fire);
  }

  /** Hands a message to the transport; a failure, now or later, becomes a transport error. */
  protected send(message: SipMessage): void {
    let pending: void | Promise<unknown>;
    try {
      pending = this.context.transport.send(message, this.destination);
    } catch (error) {
      this.transportError(asError(error));
      return;
    }
    if (pending) {
      pending.then(undefined, (error: unknown) => {
        if (this.current !== 'Terminated') this.transportError(asError(error));
      });
    }
  }

  /** @see RFC 3261 §17.1.4, §17.2.4, RFC 6026 §8.8 */
  protected abstract transportError(error: Error): void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
