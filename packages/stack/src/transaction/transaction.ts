import type { Clock, TimerHandle } from '../clock.js';
import { type Destination, type TransportProtocol, isReliable } from '../flow/flow.js';
import { isRfc3261Branch } from './transaction-key.js';
import type { TransactionState } from './transaction-state.js';
import type { TransactionTimers } from './transaction-timers.js';
import type { TransactionTransport } from './transaction-transport.js';

/** The RFC 3261 §17 timers, plus the §17.2.1 200 ms timer for 100 Trying. */
export type TimerName =
  | 'timerA' | 'timerB' | 'timerD' | 'timerE' | 'timerF' | 'timerG' | 'timerH'
  | 'timerI' | 'timerJ' | 'timerK' | 'timerL' | 'timerM' | 'timerTrying';

/** The timers whose only effect is to end the transaction, and which are never stopped early. */
export type TerminationTimerName = 'timerD' | 'timerI' | 'timerJ' | 'timerK' | 'timerL' | 'timerM';

/** What a transaction needs of the layer that owns it. */
export interface TransactionContext {
  readonly clock: Clock;
  readonly timers: TransactionTimers;
  readonly transport: TransactionTransport;
  /** Runs a TU callback; an exception it throws is reported, never left to unwind a state change. */
  notify(callback: () => void): void;
  /** Called once, when the transaction reaches Terminated, to drop it from the layer's tables. */
  terminated(tx: Transaction): void;
  /** Disposes of `tx` after `ms` (> 0), on a clock timer shared with others; see `TerminationTimers`. */
  terminateAfter(tx: Transaction, ms: number): void;
}

/**
 * A request and its responses (RFC 3261 §17), run as a state machine whose timers are set on
 * the injected clock. Subclasses are the four machines of §17.1 and §17.2.
 *
 * A transaction runs at most two timers of its own at once, one that retransmits (A, E, G)
 * and one that ends a state (B, F, H, and the 100 Trying timer), so it holds two handles
 * rather than a table of them. The timers that end the transaction (D, I, J, K, L, M) are
 * the layer's, shared between transactions.
 * @see RFC 3261 §17
 */
export abstract class Transaction<S extends TransactionState = TransactionState> {
  /** Whether messages go over a reliable transport: no retransmissions, zero-length D, I, J, K. */
  readonly reliable: boolean;
  private current: S;
  private retransmitTimer: TimerHandle | null = null;
  private stateTimer: TimerHandle | null = null;

  protected constructor(
    /** The key the layer matches messages on (RFC 3261 §17.1.3, §17.2.3). */
    readonly id: string,
    transport: TransportProtocol,
    protected readonly context: TransactionContext,
    initial: S,
  ) {
    this.reliable = isReliable(transport);
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  /**
   * The branch parameter of the request's top Via when it is an RFC 3261 one (with the magic
   * cookie); empty for an RFC 2543 request. Read from the key, which starts with it (or is it).
   */
  get branch(): string {
    const end = this.id.indexOf(' ');
    const branch = end < 0 ? this.id : this.id.slice(0, end);
    return isRfc3261Branch(branch) ? branch : '';
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

  /** Starts (or restarts) a timer; `fire` runs once after `ms` unless the timer is stopped first. */
  protected startTimer(name: TimerName, ms: number, fire: () => void): void {
    const clock = this.context.clock;
    if (isRetransmitTimer(name)) {
      if (this.retransmitTimer !== null) clock.clearTimeout(this.retransmitTimer);
      this.retransmitTimer = clock.setTimeout(fire, ms);
    } else {
      if (this.stateTimer !== null) clock.clearTimeout(this.stateTimer);
      this.stateTimer = clock.setTimeout(fire, ms);
    }
  }

  /**
   * Stops a timer if it is running (clearing one that has fired is harmless). Each state
   * machine runs one timer of a kind at a time, so the kind names the handle.
   */
  protected stopTimer(name: TimerName): void {
    const clock = this.context.clock;
    if (isRetransmitTimer(name)) {
      if (this.retransmitTimer !== null) clock.clearTimeout(this.retransmitTimer);
      this.retransmitTimer = null;
    } else {
      if (this.stateTimer !== null) clock.clearTimeout(this.stateTimer);
      this.stateTimer = null;
    }
  }

  private stopTimers(): void {
    const clock = this.context.clock;
    if (this.retransmitTimer !== null) clock.clearTimeout(this.retransmitTimer);
    if (this.stateTimer !== null) clock.clearTimeout(this.stateTimer);
    this.retransmitTimer = this.stateTimer = null;
  }

  /** Moves to Terminated; the layer forgets the transaction. Idempotent. */
  protected terminate(): void {
    if (this.current === 'Terminated') return;
    this.current = 'Terminated' as S;
    this.stopTimers();
    this.released();
    this.context.terminated(this);
  }

  /** Drops what a Terminated transaction no longer needs (its messages). */
  protected released(): void {}

  /**
   * Starts `timer`, which moves to Terminated when it fires; a zero length, what reliable
   * transports use (RFC 3261 §17.1.1.2 Timer D, §17.1.2.2 Timer K, §17.2.1 Timer I, §17.2.2
   * Timer J), terminates at once. The name documents which timer it is.
   */
  protected terminateAfter(_timer: TerminationTimerName, ms: number): void {
    if (ms <= 0) this.terminate();
    else this.context.terminateAfter(this, ms);
  }

  /** Hands serialised bytes to the transport; a failure, now or later, becomes a transport error. */
  protected transmit(data: Buffer, destination: Destination): void {
    this.context.transport.transmit(data, destination, (error) => {
      if (this.current !== 'Terminated') this.transportError(error);
    });
  }

  /** @see RFC 3261 §17.1.4, §17.2.4, RFC 6026 §8.8 */
  protected abstract transportError(error: Error): void;
}

function isRetransmitTimer(name: TimerName): boolean {
  return name === 'timerA' || name === 'timerE' || name === 'timerG';
}
