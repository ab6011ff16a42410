import type { FederationPolicy, RuntimeLists } from '@herald/proxy';
import type { Clock } from '@herald/stack';
import type { Store } from '@herald/store';
import type { Logger } from '../logger.js';
import { RUNTIME_SETTING_REREAD_MS, RuntimeSettingService } from '../runtime-setting-service.js';
import { RUNTIME_LISTS } from './runtime-lists.js';

/** How often each worker reads the stored lists again, in case an announcement was lost. */
export const RUNTIME_LISTS_REREAD_MS = RUNTIME_SETTING_REREAD_MS;

export interface RuntimeListsServiceOptions {
  store: Pick<Store, 'settings' | 'bus' | 'onReconnect'>;
  /** The policy the lists are handed to. */
  view: Pick<FederationPolicy, 'useRuntimeLists'>;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}

/** A worker's copy of the run-time allow and block lists, handed to the federation view each time they change. */
export class RuntimeListsService extends RuntimeSettingService<RuntimeLists> {
  constructor({ view, ...options }: RuntimeListsServiceOptions) {
    super({ ...options, setting: RUNTIME_LISTS, apply: (lists) => view.useRuntimeLists({ allow: [...lists.allow], block: [...lists.block] }) });
  }
}
