/** Flows remembered at most; the oldest are forgotten first. */
const MAX_FLOWS = 4096;

/**
 * Counts the requests a flow sent for a domain it is not identified as: the `limit`-th
 * offence says the flow is to be closed (and forgets it).
 */
export class FlowOffences {
  private readonly counts = new Map<string, number>();

  constructor(private readonly limit = 3) {}

  /** One more offence on `flowId`; true when it reached the limit. */
  offend(flowId: string): boolean {
    const count = (this.counts.get(flowId) ?? 0) + 1;
    this.counts.delete(flowId);
    if (count >= this.limit) return true;
    this.counts.set(flowId, count);
    if (this.counts.size > MAX_FLOWS) this.counts.delete(this.counts.keys().next().value!);
    return false;
  }

  /** The flow closed: its count goes. */
  forget(flowId: string): void {
    this.counts.delete(flowId);
  }
}
