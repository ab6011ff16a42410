import { performance } from 'node:perf_hooks';
import type { Store } from '@herald/store';
import type { HeraldMetrics } from './herald-metrics.js';

type SubStoreName = Exclude<keyof Store, 'kind' | 'ping' | 'close' | 'bus' | 'onReconnect'>;

/**
 * The operations of every sub-store. A `Record` over each interface's keys, so that a
 * method added to a store interface fails to compile here until it is timed too (true) or
 * passed through untimed (false: a synchronous answer from memory, which a timer would
 * turn into a promise).
 */
const OPERATIONS: { [K in SubStoreName]: Record<keyof Store[K], boolean> } = {
  locations: { get: true, compareAndSet: true, countAors: true },
  users: { get: true, put: true, delete: true, list: true, addAlias: true, removeAlias: true, resolveAlias: true, aliasesOf: true, setExternalAlias: true, externalAliasOf: true },
  authState: { advanceNonceCount: true, addFailure: true, failures: true, failuresOf: true, clearFailures: true, sharedSecret: true },
  messages: { add: true, list: true, mayHold: false, markAttempt: true, remove: true, purge: true, sweepExpired: true },
  subscriptions: { get: true, compareAndSet: true, compareAndSetMany: true, create: true, delete: true, byResource: true, takeExpired: true },
  publications: { list: true, get: true, put: true, remove: true, takeExpired: true },
  groups: { get: true, put: true, delete: true, list: true },
  presenceRules: { rules: true, setRule: true, removeRule: true, isInvisible: true, setInvisible: true },
  settings: { read: true, write: true, remove: true },
  claims: { claim: true, holder: true, release: true },
  marker: { check: true, read: true },
};

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * `store` with every sub-store operation timed into `herald_store_operation_seconds`
 * (labels `store` = the sub-store, `operation` = the method). Failed operations are
 * timed too. `ping`, `close`, `onReconnect` and the bus pass straight through.
 */
export function instrumentStore(store: Store, metrics: HeraldMetrics): Store {
  const timed = {
    kind: store.kind,
    bus: store.bus,
    ping: () => store.ping(),
    close: () => store.close(),
    onReconnect: (listener: () => void) => store.onReconnect(listener),
  } as Record<string, unknown>;
  for (const name of Object.keys(OPERATIONS) as SubStoreName[]) {
    const operations = Object.entries(OPERATIONS[name]);
    timed[name] = timeOperations(store[name], name, operations.filter(([, t]) => t).map(([op]) => op), metrics);
    passThrough(timed[name] as Record<string, unknown>, store[name], operations.filter(([, t]) => !t).map(([op]) => op));
  }
  return timed as unknown as Store;
}

/** The untimed `operations` of `target` that it has (an optional method may be absent). */
function passThrough(out: Record<string, unknown>, target: object, operations: readonly string[]): void {
  for (const operation of operations) {
    const method = (target as Record<string, unknown>)[operation];
    if (typeof method === 'function') out[operation] = method.bind(target);
  }
}

function timeOperations(target: object, storeName: string, operations: readonly string[], metrics: HeraldMetrics): object {
  const out: Record<string, AsyncMethod> = {};
  for (const operation of operations) {
    const observe = metrics.storeTimer(storeName, operation);
    // Not an async wrapper: that would add a promise and its ticks to every store call.
    out[operation] = (...args) => {
      const start = performance.now();
      const done = () => observe((performance.now() - start) / 1000);
      let result: Promise<unknown>;
      try {
        result = (target as Record<string, AsyncMethod>)[operation](...args);
      } catch (error) {
        done();
        return Promise.reject(error);
      }
      if (typeof result?.then !== 'function') {
        done();
        return Promise.resolve(result);
      }
      result.then(done, done);
      return result;
    };
  }
  return out;
}
