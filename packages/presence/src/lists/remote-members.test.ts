import type { ForwardOutcome } from '@herald/proxy';
import { type SipRequest, type SipUri, parseUri } from '@herald/sip';
import { MemoryClaims, MemorySubscriptionStore } from '@herald/store';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { PIDF } from '../pidf/presence-formats.js';
import type { PresenceExternalIds } from '../subscriptions/present-to-watcher.js';
import { RemoteMembers } from './remote-members.js';

const ALICE = 'sip:alice@example.com';
const EXTERNAL = 'sip:Alice_Smith@acme.test';

/** Alice, the list's watcher, marks `Alice_Smith@acme.test` as her external form; chi.acme.test converts IDs. */
const externalIds: PresenceExternalIds = {
  convertsIdsFor: (domain) => domain === 'chi.acme.test',
  externalFormOf: async () => null,
  externalFormOfSender: async (aor) => (aor === ALICE ? (parseUri(EXTERNAL) as SipUri) : null),
};

/** The SUBSCRIBE Herald sends for list member `uri` on Alice's behalf. */
async function subscribeFor(uri: string): Promise<SipRequest> {
  const subscriptions = new MemorySubscriptionStore();
  const sent: SipRequest[] = [];
  const remote = new RemoteMembers({
    subscriptions,
    claims: new MemoryClaims(),
    owner: 'n/1',
    routes: { match: () => null },
    externalIds,
    originate: async (request): Promise<ForwardOutcome> => {
      sent.push(request);
      return { status: 408, response: null, handled: false };
    },
    contact: (transport, user) => `sip:${user}@192.0.2.1;transport=${transport}`,
    changed: async () => undefined,
    clock: { now: () => NOW },
  });
  const member = remote.member(subscription({ id: 'list-1', resource: 'sip:buddies@example.com', watcher: ALICE }), uri, PIDF)!;
  await subscriptions.compareAndSet(member, NOW);
  await remote.subscribe(member);
  remote.stop();
  return sent[0];
}

describe('ID conversion for a list member in a convertIds community (issue 16)', () => {
  it('subscribes From the list watcher\'s external form', async () => {
    expect((await subscribeFor('sip:bob@chi.acme.test')).from.uri).toMatchObject({ user: 'Alice_Smith', host: 'acme.test' });
  });

  it('subscribes From the watcher\'s own AoR anywhere else', async () => {
    expect((await subscribeFor('sip:bob@partner.test')).from.uri).toMatchObject({ user: 'alice', host: 'example.com' });
  });
});
