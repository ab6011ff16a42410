import { MemoryStore } from '@herald/store';
import { RUNTIME_LISTS_CHANNEL, RUNTIME_LISTS_SETTING, changeRuntimeList, readRuntimeLists } from './runtime-lists.js';

describe('the run-time federation lists in the store', () => {
  let store: MemoryStore;
  let announcements: number;
  beforeEach(async () => {
    store = new MemoryStore();
    announcements = 0;
    await store.bus.subscribe(RUNTIME_LISTS_CHANNEL, () => announcements++);
  });
  afterEach(() => store.close());

  /** Lets the bus deliver what was published (a microtask later). */
  const delivered = () => new Promise((r) => setImmediate(r));

  it('are empty until written', async () => {
    await expect(readRuntimeLists(store.settings)).resolves.toEqual({ allow: [], block: [] });
  });

  it('add and remove an entry under one setting, announcing each change once, and nothing when there is no change', async () => {
    expect(await changeRuntimeList(store, { list: 'block', entry: '*.spam.example', change: 'add' })).toBe(true);
    expect(await changeRuntimeList(store, { list: 'allow', entry: 'partner.example', change: 'add' })).toBe(true);
    expect(await changeRuntimeList(store, { list: 'block', entry: '*.spam.example', change: 'add' })).toBe(false);
    expect(await changeRuntimeList(store, { list: 'allow', entry: 'other.example', change: 'remove' })).toBe(false);
    expect(JSON.parse((await store.settings.read(RUNTIME_LISTS_SETTING))!)).toEqual({ allow: ['partner.example'], block: ['*.spam.example'] });
    expect(await changeRuntimeList(store, { list: 'block', entry: '*.spam.example', change: 'remove' })).toBe(true);
    await expect(readRuntimeLists(store.settings)).resolves.toEqual({ allow: ['partner.example'], block: [] });
    await delivered();
    expect(announcements).toBe(3);
  });

  it('lose no change made at the same time through one process', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => `peer${i}.example`);
    await Promise.all(entries.map((entry) => changeRuntimeList(store, { list: 'allow', entry, change: 'add' })));
    expect([...(await readRuntimeLists(store.settings)).allow].sort()).toEqual([...entries].sort());
  });

  it('carry on after a change that failed', async () => {
    const write = store.settings.write.bind(store.settings);
    store.settings.write = () => Promise.reject(new Error('disk full'));
    await expect(changeRuntimeList(store, { list: 'block', entry: 'a.example', change: 'add' })).rejects.toThrow('disk full');
    store.settings.write = write;
    await expect(changeRuntimeList(store, { list: 'block', entry: 'b.example', change: 'add' })).resolves.toBe(true);
    await expect(readRuntimeLists(store.settings)).resolves.toEqual({ allow: [], block: ['b.example'] });
  });

  it('say what is wrong with a stored value that is not lists of entries', async () => {
    for (const [value, problem] of [
      ['{"allow": [', /is not JSON/],
      ['[]', /no list of entries "allow"/],
      ['{"allow": [], "block": "spam.example"}', /no list of entries "block"/],
      ['{"allow": [], "block": [7]}', /no list of entries "block"/],
      ['{"allow": ["not a domain"], "block": []}', /"not a domain" is not a domain or address/],
    ] as const) {
      await store.settings.write(RUNTIME_LISTS_SETTING, value);
      await expect(readRuntimeLists(store.settings)).rejects.toThrow(problem);
    }
  });
});
