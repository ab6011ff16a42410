/**
 * Named settings an operator changes while Herald runs (the run-time federation lists, a
 * gateway community switched on or off), each a string (JSON, usually) under a name
 * (`federation.lists`); durable. Whoever writes one announces it on the bus, so that every
 * worker reads it again.
 */
export interface SettingsStore {
  /** The value of `name`; `undefined` when it was never written or was removed. */
  read(name: string): Promise<string | undefined>;
  /** Creates or replaces the value of `name`. */
  write(name: string, value: string): Promise<void>;
  /** Forgets `name`; false when it had no value. */
  remove(name: string): Promise<boolean>;
}
