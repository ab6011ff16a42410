/** What one try of a compare-and-set loop returns when another writer changed the record first. */
export const LOST_RACE: unique symbol = Symbol('lost race');

/**
 * How many times a compare-and-set is tried, each after a fresh read, before the writer
 * gives up. Two writers of one record at the same moment are rare (a REGISTER retransmitted
 * to two workers, a refresh meeting a NOTIFY); eight lost races in a row mean a record that
 * keeps changing, and the caller answers that it is busy.
 */
export const COMPARE_AND_SET_ATTEMPTS = 8;

/**
 * Runs `attempt` (read, decide, compare-and-set) until it returns something other than
 * `LOST_RACE`, at most `COMPARE_AND_SET_ATTEMPTS` times.
 * @returns what the last attempt returned, or what `exhausted` returns (or throws) when
 * every attempt lost its race.
 */
export async function retryCompareAndSet<T>(attempt: (n: number) => Promise<T | typeof LOST_RACE>, exhausted: () => T): Promise<T> {
  for (let n = 0; n < COMPARE_AND_SET_ATTEMPTS; n++) {
    const result = await attempt(n);
    if (result !== LOST_RACE) return result;
  }
  return exhausted();
}

/** The `exhausted` of a write that should never lose eight races in a row: a bug, or a record rewritten without pause. */
export function keptChanging(what: string): () => never {
  return () => {
    throw new Error(`${what} kept changing`);
  };
}
