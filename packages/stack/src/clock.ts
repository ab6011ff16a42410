/** A timer handle returned by a `Clock`. */
export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

/**
 * Time and timers, injected so that protocol timers (RFC 3261 §17) can be driven by a
 * fake clock in tests instead of sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
