import { MemoryStore } from '@herald/store';
import { putAccount, seedUsers } from './accounts.js';

describe('the users: accounts written at start', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore();
  });
  afterEach(() => store.close());

  it('are created, and a second start resets their passwords', async () => {
    await expect(seedUsers(store.users, [{ user: 'alice', domain: 'example.com', password: 'a' }], 1)).resolves.toBe(1);
    await expect(seedUsers(store.users, [{ user: 'alice', domain: 'example.com', password: 'b' }], 2)).resolves.toBe(1);
    expect((await store.users.get('alice', 'example.com'))?.updatedAt).toBe(2);
  });

  it('refuse a name that is another account’s alias, which would let that account register and send as it', async () => {
    await putAccount(store.users, 'alice', 'example.com', 'a', 0);
    await store.users.addAlias('sip:ceo@example.com', 'sip:alice@example.com');
    await expect(seedUsers(store.users, [{ user: 'ceo', domain: 'example.com', password: 'c' }], 1)).rejects.toThrow(
      'users: sip:ceo@example.com is an alias of sip:alice@example.com; delete the alias first (herald user alias del ceo@example.com), or remove the entry from users',
    );
    await expect(store.users.get('ceo', 'example.com')).resolves.toBeUndefined();
  });
});
