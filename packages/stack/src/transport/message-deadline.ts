/**
 * The time a connection has to finish what it started: an accepted one its first message,
 * then every connection each message once its first bytes arrive. A peer that trickles
 * bytes (or, accepted, sends none) is closed, where the idle timeout alone would keep it.
 */
export class MessageDeadline {
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly ms: number,
    private readonly expire: () => void,
  ) {}

  /** Starts the clock, unless it is running. */
  arm(): void {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.expire();
    }, this.ms);
    this.timer.unref();
  }

  disarm(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}
