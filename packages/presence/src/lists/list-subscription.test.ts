import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { LIST_MEMBER_GRACE_MS, gatherMembers, localListMember, remoteListMember } from './list-subscription.js';
import { remoteDialogOf } from './remote-dialog.js';

const LIST = subscription({ id: 'l1;w1;h1', resource: 'sip:friends@example.com', data: {} });
const BOB = 'sip:bob@example.com';

describe('RFC 4662 §4.4 the subscriptions a list holds for its members', () => {
  it('holds one for a local member as its rules decide, outliving the list a little', () => {
    expect(localListMember(LIST, BOB, 'confirm', 'application/xpidf+xml')).toEqual({
      ...LIST,
      id: `l1;w1;h1|${BOB}`,
      resource: BOB,
      status: 'pending',
      localCseq: 0,
      expiresAt: NOW + 3600_000 + LIST_MEMBER_GRACE_MS,
      data: { listOf: 'l1;w1;h1', format: 'application/xpidf+xml', polite: false },
    });
  });

  it('holds none for a member that blocks the watcher: it is listed rejected', () => {
    expect(localListMember(LIST, BOB, 'block', 'application/pidf+xml')).toBe('rejected');
  });

  it('holds a pending one, with a dialog to set up, for a member in another domain', () => {
    const member = remoteListMember(LIST, 'sip:dave@example.net', 'sip:Dave@example.net;transport=tcp', 'application/pidf+xml');
    expect(member).toMatchObject({ id: 'l1;w1;h1|sip:dave@example.net', status: 'pending', localCseq: 0, data: { listOf: 'l1;w1;h1', format: 'application/pidf+xml' } });
    expect(remoteDialogOf(member)).toMatchObject({ uri: 'sip:Dave@example.net;transport=tcp', remoteTarget: 'sip:Dave@example.net;transport=tcp', remoteTag: null, localCseq: 0, over: false });
  });
});

describe('RFC 4662 §5.2 what a list keeps of its entries', () => {
  it('keeps each member once, in list order, and every refusal with its reason', () => {
    const bob = localListMember(LIST, BOB, 'allow', 'application/pidf+xml');
    expect(gatherMembers([[BOB, bob], ['sip:carol@example.com', 'noresource'], ['sip:Bob@example.com', bob]])).toEqual({
      data: { members: [BOB], refused: [{ uri: 'sip:carol@example.com', reason: 'noresource' }] },
      members: [bob],
    });
  });
});
