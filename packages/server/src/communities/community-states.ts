import type { RuntimeCommunityStates } from '@herald/proxy';
import type { MessageBus, SettingsStore } from '@herald/store';
import { type RuntimeSetting, changeRuntimeSetting, readRuntimeSetting } from '../runtime-setting.js';

/** The setting that holds the run-time switches, as JSON `{ "all": false, "communities": { "chicago": true } }`. */
export const COMMUNITY_STATES_SETTING = 'communities.state';

/** The bus channel on which a change to the switches is announced to every worker of every node. */
export const COMMUNITY_STATES_CHANNEL = 'communities:state';

/** The gateway communities' run-time switches (`herald community enable|disable`), as the store keeps them. */
export const COMMUNITY_STATES: RuntimeSetting<RuntimeCommunityStates> = {
  key: COMMUNITY_STATES_SETTING,
  channel: COMMUNITY_STATES_CHANNEL,
  area: 'communities',
  what: 'run-time switches',
  empty: () => ({ communities: {} }),
  check(value) {
    const { all, communities } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (all !== undefined && typeof all !== 'boolean') throw new Error(`the stored setting ${COMMUNITY_STATES_SETTING}: "all" is not true or false`);
    if (typeof communities !== 'object' || communities === null || Array.isArray(communities)) {
      throw new Error(`the stored setting ${COMMUNITY_STATES_SETTING} has no object "communities" of names and true or false`);
    }
    for (const [name, on] of Object.entries(communities)) {
      if (typeof on !== 'boolean') throw new Error(`the stored setting ${COMMUNITY_STATES_SETTING}: the switch of "${name}" is not true or false`);
    }
    return { ...(all !== undefined && { all }), communities: communities as Record<string, boolean> };
  },
};

/** The stored switches; none when none were ever set. @throws Error when the stored value is not of their shape */
export function readCommunityStates(settings: SettingsStore): Promise<RuntimeCommunityStates> {
  return readRuntimeSetting(settings, COMMUNITY_STATES);
}

/** Which switch: one community's, or the global one that turns them all off. */
export type CommunitySwitchName = { community: string } | 'all';

/**
 * Sets a run-time switch (`true`, `false`), or removes it (`null`: the configuration's
 * `enabled` counts again), and announces the change so that every worker obeys it at once.
 * Resolves with the switches now stored.
 */
export async function setCommunityState(store: { settings: SettingsStore; bus: MessageBus }, which: CommunitySwitchName, enabled: boolean | null): Promise<RuntimeCommunityStates> {
  const { value } = await changeRuntimeSetting(store, COMMUNITY_STATES, (states) => {
    if (which === 'all') {
      const { all: _, ...rest } = states;
      return enabled === null ? rest : { ...rest, all: enabled };
    }
    const { [which.community]: _, ...others } = states.communities;
    return { ...states, communities: enabled === null ? others : { ...others, [which.community]: enabled } };
  });
  return value;
}
