import type { FederationConfig } from '../config/herald-config.js';
import { type FederationDescription, type FederationView, type RuntimeLists, listedEntries } from './federation-view.js';

/**
 * The federation view of a server that enforces no federation policy: it describes the
 * configured lists and the run-time ones it was given, and lets every domain in
 * (`permissive`, as Herald without a policy does). The view a policy replaces.
 */
export class ListsOnlyFederationView implements FederationView {
  private runtime: RuntimeLists = { allow: [], block: [] };

  constructor(private readonly config: Pick<FederationConfig, 'allow' | 'block'>) {}

  describe(): FederationDescription {
    return {
      default: 'permissive',
      allow: listedEntries(this.config.allow, this.runtime.allow),
      block: listedEntries(this.config.block, this.runtime.block),
      peers: [],
    };
  }

  useRuntimeLists(lists: RuntimeLists): void {
    this.runtime = { allow: [...lists.allow], block: [...lists.block] };
  }
}
