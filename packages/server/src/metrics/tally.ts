import type { Counter } from 'prom-client';

/**
 * A count flushed into one prom-client counter child at scrape time (the counter's `collect`):
 * the hot path adds to a plain number, where `inc` would check and store a value each time.
 */
export class Tally {
  pending = 0;

  constructor(readonly child: Counter.Internal) {
    // Exported at 0 from the start, so that rate() sees the first increase.
    child.inc(0);
  }

  flush(): void {
    if (this.pending === 0) return;
    this.child.inc(this.pending);
    this.pending = 0;
  }
}
