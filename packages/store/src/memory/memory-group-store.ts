import type { Group, GroupStore } from '../group-store.js';

/** Groups and resource lists in process memory. */
export class MemoryGroupStore implements GroupStore {
  private readonly groups = new Map<string, Group>();

  async get(uri: string): Promise<Group | undefined> {
    const g = this.groups.get(uri);
    return g && copy(g);
  }

  async put(group: Group): Promise<void> {
    this.groups.set(group.uri, copy(group));
  }

  async delete(uri: string): Promise<boolean> {
    return this.groups.delete(uri);
  }

  async list(prefix = ''): Promise<Group[]> {
    const out: Group[] = [];
    for (const g of this.groups.values()) if (g.uri.startsWith(prefix)) out.push(copy(g));
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }
}

function copy(g: Group): Group {
  return { uri: g.uri, members: [...g.members], name: g.name };
}
