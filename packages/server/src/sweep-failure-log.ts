/** What the sweep failure log writes to (Herald's logger). */
export interface SweepLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
}

export interface SweepFailureLogOptions {
  /** The sweep, as the log lines name it (`presence`, `im`). */
  sweep: string;
  logger: SweepLogger;
  clock: { now(): number };
  /** Counts each failure (the operator's metric). */
  count?(): void;
  /** After a line, further failures are only counted for this long; 60 s unless given. */
  quietMs?: number;
}

/**
 * How a periodic sweep of expired state tells an outage of the store: the first failure is
 * one warn line with the error's message and no stack (a store outage is not a bug), then
 * at most one line per `quietMs` with the failures since the last one, and one info line
 * when a sweep works again. Each failure is counted all the same.
 */
export class SweepFailureLog {
  /** Failures since the last line. */
  private unlogged = 0;
  /** Failures since the sweep last worked. */
  private failing = 0;
  private lastLineAt = -Infinity;
  private readonly quietMs: number;

  constructor(private readonly options: SweepFailureLogOptions) {
    this.quietMs = options.quietMs ?? 60_000;
  }

  failed(error: unknown): void {
    const { sweep, logger, clock, count } = this.options;
    count?.();
    this.failing++;
    this.unlogged++;
    const now = clock.now();
    if (now - this.lastLineAt < this.quietMs) return;
    const repeated = this.unlogged > 1 ? { failures: this.unlogged } : {};
    logger.warn(`${sweep} sweep failed`, { sweep, error: errorMessage(error), ...repeated });
    this.unlogged = 0;
    this.lastLineAt = now;
  }

  succeeded(): void {
    if (this.failing === 0) return;
    this.options.logger.info(`${this.options.sweep} sweep works again`, { sweep: this.options.sweep, failures: this.failing });
    this.failing = 0;
    this.unlogged = 0;
    this.lastLineAt = -Infinity;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
