import type { Counter } from 'prom-client';
import { Tally } from './tally.js';

/** Which way a request crossed to or from another domain. */
export type Direction = 'in' | 'out';

/**
 * The tallies of a counter labelled by a name (a peer, a community), a direction and a result,
 * found through a map per label so that a request builds no key string. `flush` (from the
 * counter's `collect`) adds them to the counter, so a scrape reads exact values.
 */
export class DirectedTallies {
  private readonly byName = new Map<string, Record<Direction, Map<string, Tally>>>();

  constructor(private readonly counter: Counter<string>) {}

  add(name: string, direction: Direction, result: string): void {
    let directions = this.byName.get(name);
    if (directions === undefined) this.byName.set(name, (directions = { in: new Map(), out: new Map() }));
    const results = directions[direction];
    let tally = results.get(result);
    if (tally === undefined) results.set(result, (tally = new Tally(this.counter.labels(name, direction, result))));
    tally.pending++;
  }

  flush(): void {
    for (const directions of this.byName.values()) {
      for (const tally of directions.in.values()) tally.flush();
      for (const tally of directions.out.values()) tally.flush();
    }
  }
}
