/**
 * What a contract suite needs from a backend, made afresh for every test: the store,
 * and when the backend has them, a way to reopen it on the same data (durable backends)
 * and a second client on the same data (shared backends).
 */
export interface StoreFixture<S> {
  store: S;
  /** Closes the store and opens it again on the same data; absent for soft state in memory. */
  reopen?: () => Promise<S>;
  /** Another client (connection) on the same data; absent when there is only one process. */
  second?: () => Promise<S>;
  /** Closes everything the fixture opened. */
  close: () => Promise<void>;
}

/**
 * What a backend's fixtures provide, known when the suite is declared: the tests that need
 * a reopen (durable backends) or a second client (shared backends) are reported skipped,
 * not passed, where the fixture has none.
 */
export interface FixtureCaps {
  durable?: boolean;
  shared?: boolean;
}
