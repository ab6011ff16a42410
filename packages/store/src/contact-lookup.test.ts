import { testBinding, testUser } from './contract/index.js';
import { lookUpContacts } from './contact-lookup.js';
import { MemoryLocationStore } from './memory/memory-location-store.js';
import { MemoryUserStore } from './memory/memory-user-store.js';

const ALICE = 'sip:alice@example.com';
const ALIAS = 'sip:alice.smith@example.com';

describe('lookUpContacts: where a request for an AoR goes', () => {
  async function stores() {
    const locations = new MemoryLocationStore();
    const users = new MemoryUserStore();
    await users.put(testUser('alice', 'example.com'));
    await users.addAlias(ALIAS, ALICE);
    return { locations, users };
  }

  it('takes the bindings under the AoR itself', async () => {
    const s = await stores();
    const b = testBinding('sip:alice@192.0.2.1');
    expect(await s.locations.compareAndSet(ALICE, 0, [b], b.updatedAt)).toBe(true);
    expect(await lookUpContacts(s, ALICE, b.updatedAt)).toEqual({ account: ALICE, bindings: [b], known: true });
  });

  it('follows an alias to the bindings of its account', async () => {
    const s = await stores();
    const b = testBinding('sip:alice@192.0.2.1');
    await s.locations.compareAndSet(ALICE, 0, [b], b.updatedAt);
    expect(await lookUpContacts(s, ALIAS, b.updatedAt)).toEqual({ account: ALICE, bindings: [b], known: true });
  });

  it('tells a known user with no binding from an unknown one', async () => {
    const s = await stores();
    expect(await lookUpContacts(s, ALICE, Date.now())).toEqual({ account: ALICE, bindings: [], known: true });
    expect(await lookUpContacts(s, 'sip:nobody@example.com', Date.now())).toEqual({ account: 'sip:nobody@example.com', bindings: [], known: false });
  });
});
