import { type RuntimeLists, listEntryProblem } from '@herald/proxy';
import type { MessageBus, SettingsStore } from '@herald/store';
import { type RuntimeSetting, changeRuntimeSetting, readRuntimeSetting } from '../runtime-setting.js';

/** The setting that holds the run-time lists, as JSON `{ "allow": [...], "block": [...] }`. */
export const RUNTIME_LISTS_SETTING = 'federation.lists';

/** The bus channel on which a change to the stored lists is announced to every worker of every node. */
export const RUNTIME_LISTS_CHANNEL = 'federation:lists';

/** Which run-time list: the one that lets domains in, or the one that keeps them out. */
export type ListName = keyof RuntimeLists;

/** The run-time allow and block lists, as the store keeps them. */
export const RUNTIME_LISTS: RuntimeSetting<RuntimeLists> = {
  key: RUNTIME_LISTS_SETTING,
  channel: RUNTIME_LISTS_CHANNEL,
  area: 'federation',
  what: 'run-time allow and block lists',
  empty: () => ({ allow: [], block: [] }),
  check(value) {
    const { allow, block } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    return { allow: entries('allow', allow), block: entries('block', block) };
  },
};

/**
 * The stored run-time lists; empty ones when none were ever stored.
 * @throws Error when the stored value is not lists of valid entries (written by hand)
 */
export function readRuntimeLists(settings: SettingsStore): Promise<RuntimeLists> {
  return readRuntimeSetting(settings, RUNTIME_LISTS);
}

function entries(name: ListName, value: unknown): string[] {
  if (!Array.isArray(value) || value.some((e) => typeof e !== 'string')) throw new Error(`the stored setting ${RUNTIME_LISTS_SETTING} has no list of entries "${name}"`);
  for (const entry of value as string[]) {
    const problem = listEntryProblem(entry);
    if (problem !== null) throw new Error(`the stored setting ${RUNTIME_LISTS_SETTING}: ${problem}`);
  }
  return value as string[];
}

/** One change to a run-time list, as the admin API makes it. */
export interface ListChange {
  list: ListName;
  entry: string;
  change: 'add' | 'remove';
}

/**
 * Adds an entry to a stored run-time list or removes it, then announces the change so that
 * every worker reads the lists again at once. Resolves with whether the list changed (the
 * entry was absent, or present, before).
 */
export async function changeRuntimeList(store: { settings: SettingsStore; bus: MessageBus }, { list, entry, change }: ListChange): Promise<boolean> {
  const { changed } = await changeRuntimeSetting(store, RUNTIME_LISTS, (lists) => {
    if (lists[list].includes(entry) === (change === 'add')) return null;
    return { ...lists, [list]: change === 'add' ? [...lists[list], entry] : lists[list].filter((e) => e !== entry) };
  });
  return changed;
}
