import type { CommunitiesSettings, RuntimeCommunityStates } from './community-settings.js';

/** A community as `GET /api/communities` and `herald community list` show it. */
export interface CommunityState {
  name: string;
  /** What it obeys now: the global switch and its own, run-time over configured. */
  enabled: boolean;
  configured: boolean;
  /** The run-time switch, `null` when none was set. */
  runtime: boolean | null;
}

/**
 * Whether each gateway community is switched on: the configured `enabled` values, overridden
 * by those set at run time. A community that is off is refused both ways.
 */
export class CommunitySwitch {
  private runtime: RuntimeCommunityStates = { communities: {} };
  private readonly configured: ReadonlyMap<string, boolean>;

  constructor(private readonly settings: CommunitiesSettings) {
    this.configured = new Map(settings.list.map((c) => [c.name, c.enabled]));
  }

  /** Replaces the run-time switches wholesale; names no community has are ignored. */
  useRuntimeStates(states: RuntimeCommunityStates): void {
    this.runtime = states;
  }

  /** The global switch, run-time over configured. */
  get allEnabled(): boolean {
    return this.runtime.all ?? this.settings.enabled;
  }

  /** Whether `name` is on now (and the global switch too); false for a name no community has. */
  isEnabled(name: string): boolean {
    const configured = this.configured.get(name);
    if (configured === undefined || !this.allEnabled) return false;
    return Object.hasOwn(this.runtime.communities, name) ? this.runtime.communities[name] : configured;
  }

  has(name: string): boolean {
    return this.configured.has(name);
  }

  describe(): CommunityState[] {
    return this.settings.list.map((c) => ({
      name: c.name,
      enabled: this.isEnabled(c.name),
      configured: c.enabled,
      runtime: Object.hasOwn(this.runtime.communities, c.name) ? this.runtime.communities[c.name] : null,
    }));
  }
}
