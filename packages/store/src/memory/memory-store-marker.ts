import type { StoreMarker, StoreMarkerCheck, StoreMarkerRecord } from '../store-marker.js';

/** The marker of a store in this process: it goes only with the process. */
export class MemoryStoreMarker implements StoreMarker {
  private marker: StoreMarkerRecord | undefined;

  async check(candidate: string, now: number, known?: string): Promise<StoreMarkerCheck> {
    this.marker ??= { id: candidate, createdAt: now };
    const lost = known !== undefined && known !== this.marker.id;
    const firstToReport = lost && this.marker.foundEmptyAt === undefined;
    if (firstToReport) this.marker.foundEmptyAt = now;
    return { ...this.marker, firstToReport };
  }

  async read(): Promise<StoreMarkerRecord | undefined> {
    return this.marker && { ...this.marker };
  }

  /** Forgets the marker, as an emptied store would (for tests). */
  clear(): void {
    this.marker = undefined;
  }
}
