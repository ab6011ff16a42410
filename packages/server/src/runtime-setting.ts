import type { MessageBus, SettingsStore } from '@herald/store';

/**
 * A setting changed while Herald runs (through the admin API), kept in the store as JSON on
 * top of the configuration file and applied by every worker of every node: the federation
 * allow and block lists, the gateway communities' switches.
 */
export interface RuntimeSetting<T extends object> {
  /** The settings store key. */
  key: string;
  /** The bus channel on which a change is announced to every worker of every node. */
  channel: string;
  /** Who applies it, for log messages: `federation`. */
  area: string;
  /** What it is, for log messages: `run-time allow and block lists`. */
  what: string;
  /** The value when none was ever stored. */
  empty(): T;
  /**
   * The stored value (parsed JSON) as the setting's shape.
   * @throws Error naming what is wrong with it (written by hand, or by another version)
   */
  check(value: unknown): T;
}

/**
 * The stored value of `setting`; its empty value when none was stored.
 * @throws Error when the stored value is not JSON, or not of the setting's shape
 */
export async function readRuntimeSetting<T extends object>(settings: SettingsStore, setting: RuntimeSetting<T>): Promise<T> {
  const text = await settings.read(setting.key);
  if (text === undefined) return setting.empty();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`the stored setting ${setting.key} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  return setting.check(value);
}

/** Changes of one process's stores, run one after another so that none overwrites another's read-modify-write. */
const queues = new WeakMap<SettingsStore, Promise<unknown>>();

/**
 * Reads the stored value of `setting`, and when `change` gives a different one (not `null`)
 * writes it and announces it, so that every worker reads it again at once. Resolves with
 * the value now stored and whether it changed.
 *
 * DEVIATION: two admin servers (on two nodes) changing one setting at the same moment may
 * lose one change (the last write wins); changes through one admin server never do.
 */
export function changeRuntimeSetting<T extends object>(
  store: { settings: SettingsStore; bus: MessageBus },
  setting: RuntimeSetting<T>,
  change: (current: T) => T | null,
): Promise<{ value: T; changed: boolean }> {
  const run = async (): Promise<{ value: T; changed: boolean }> => {
    const current = await readRuntimeSetting(store.settings, setting);
    const next = change(current);
    if (next === null || JSON.stringify(next) === JSON.stringify(current)) return { value: current, changed: false };
    await store.settings.write(setting.key, JSON.stringify(next));
    await announceRuntimeSetting(store.bus, setting);
    return { value: next, changed: true };
  };
  const previous = queues.get(store.settings) ?? Promise.resolve();
  const result = previous.then(run, run);
  queues.set(store.settings, result.catch(() => undefined));
  return result;
}

/** Tells every worker of every node to read the stored setting again. */
export async function announceRuntimeSetting(bus: MessageBus, setting: Pick<RuntimeSetting<object>, 'channel'>): Promise<void> {
  await bus.publish(setting.channel, Buffer.from('{}'));
}
