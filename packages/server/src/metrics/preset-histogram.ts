import type { Metric, MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';

interface Series {
  labels: Record<string, string>;
  /** Observations per bucket, not cumulative; past the last bound only `count` has them. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram whose label sets are taken once, ahead of time: an observation is
 * a bucket search and three additions. prom-client's `Histogram` hashes and checks the
 * labels on every `observe`, even a child's (~3 µs), and the store is timed several times
 * per request. Exposed through the registry like any prom-client metric (and summed across
 * workers the same way).
 */
export class PresetHistogram {
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  private readonly series: Series[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The observer of one label set; take it once, call it per observation. */
  observer(labels: Record<string, string>): (value: number) => void {
    const series: Series = { labels, counts: new Float64Array(this.bounds.length), sum: 0, count: 0 };
    this.series.push(series);
    const bounds = this.bounds;
    return (value) => {
      let i = 0;
      while (i < bounds.length && value > (bounds[i])) i++;
      if (i < bounds.length) series.counts[i]++;
      series.sum += value;
      series.count++;
    };
  }

  /** What the registry exposes: cumulative buckets, `+Inf`, sum and count per label set that was observed. */
  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: Array<MetricValueWithName<string>> = [];
    for (const s of this.series) {
      if (s.count === 0) continue;
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.counts[i];
        values.push({ labels: { le, ...s.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...s.labels }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    // prom-client's types call `type` an enum; at run time it is this string, as its own metrics give.
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values } as unknown as MetricObjectWithValues<MetricValueWithName<string>>;
  }

  reset(): void {
    for (const s of this.series) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
