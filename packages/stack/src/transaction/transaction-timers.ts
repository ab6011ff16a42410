/**
 * The timer base values, in milliseconds. Every transaction timer is derived from these.
 * @see RFC 3261 §17.1.1.1, Appendix A
 */
export interface TransactionTimers {
  /** RTT estimate (default 500 ms). */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses (default 4 s). */
  t2: number;
  /** Longest time a message stays in the network (default 5 s). */
  t4: number;
  /** Timer D on unreliable transports: RFC 3261 asks for at least 32 s (default the larger of 32 s and 64*T1). */
  timerD: number;
}

/** @see RFC 3261 Appendix A */
export const DEFAULT_TIMERS: Readonly<Omit<TransactionTimers, 'timerD'>> = { t1: 500, t2: 4000, t4: 5000 };

/** Fills in the defaults and checks that the values make sense; throws a RangeError naming the bad one. */
export function resolveTimers(timers: Partial<TransactionTimers> = {}): TransactionTimers {
  const t1 = timers.t1 ?? DEFAULT_TIMERS.t1;
  const t2 = timers.t2 ?? DEFAULT_TIMERS.t2;
  const t4 = timers.t4 ?? DEFAULT_TIMERS.t4;
  const timerD = timers.timerD ?? Math.max(32_000, 64 * t1);
  for (const [name, value] of [['T1', t1], ['T2', t2], ['T4', t4], ['Timer D', timerD]] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds, got ${value}`);
  }
  // RFC 3261 §17.1.2.2: Timer E and Timer G double up to T2, so T2 below T1 would shorten them.
  if (t2 < t1) throw new RangeError(`T2 (${t2} ms) must not be less than T1 (${t1} ms)`);
  return { t1, t2, t4, timerD };
}
