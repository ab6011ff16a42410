import type { SettingsStore } from '../settings-store.js';

/** Run-time settings in process memory. */
export class MemorySettingsStore implements SettingsStore {
  private readonly values = new Map<string, string>();

  async read(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async write(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }

  async remove(name: string): Promise<boolean> {
    return this.values.delete(name);
  }
}
