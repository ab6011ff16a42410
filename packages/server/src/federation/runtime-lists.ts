import { type RuntimeLists, listEntryProblem } from '@herald/proxy';
import type { MessageBus, SettingsStore } from '@herald/store';

/** The setting that holds the run-time lists, as JSON `{ "allow": [...], "block": [...] }`. */
export const RUNTIME_LISTS_SETTING = 'federation.lists';

/** The bus channel on which a change to the stored lists is announced to every worker of every node. */
export const RUNTIME_LISTS_CHANNEL = 'federation:lists';

/** Which run-time list: the one that lets domains in, or the one that keeps them out. */
export type ListName = keyof RuntimeLists;

/**
 * The stored run-time lists; empty ones when none were ever stored.
 * @throws Error when the stored value is not lists of valid entries (written by hand)
 */
export async function readRuntimeLists(settings: SettingsStore): Promise<RuntimeLists> {
  const text = await settings.read(RUNTIME_LISTS_SETTING);
  if (text === undefined) return { allow: [], block: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`the stored setting ${RUNTIME_LISTS_SETTING} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const { allow, block } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return { allow: entries('allow', allow), block: entries('block', block) };
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

/** Changes of one process's stores, run one after another so that none overwrites another's read-modify-write. */
const queues = new WeakMap<SettingsStore, Promise<unknown>>();

/**
 * Adds an entry to a stored run-time list or removes it, then announces the change so that
 * every worker reads the lists again at once. Resolves with whether the list changed (the
 * entry was absent, or present, before).
 *
 * DEVIATION: two admin servers (on two nodes) changing the lists at the same moment may
 * lose one change (the last write wins); changes through one admin server never do.
 */
export function changeRuntimeList(store: { settings: SettingsStore; bus: MessageBus }, { list, entry, change }: ListChange): Promise<boolean> {
  const run = async (): Promise<boolean> => {
    const lists = await readRuntimeLists(store.settings);
    const present = lists[list].includes(entry);
    if (present === (change === 'add')) return false;
    const next = { ...lists, [list]: change === 'add' ? [...lists[list], entry] : lists[list].filter((e) => e !== entry) };
    await store.settings.write(RUNTIME_LISTS_SETTING, JSON.stringify(next));
    await announceRuntimeLists(store.bus);
    return true;
  };
  const previous = queues.get(store.settings) ?? Promise.resolve();
  const result = previous.then(run, run);
  queues.set(store.settings, result.catch(() => undefined));
  return result;
}

/** Tells every worker of every node to read the stored lists again. */
export async function announceRuntimeLists(bus: MessageBus): Promise<void> {
  await bus.publish(RUNTIME_LISTS_CHANNEL, Buffer.from('{}'));
}
