import type { Subscription } from '@herald/store';
import { PresenceTestbed } from '../../test/helpers/presence-services.js';
import { identity, sipRequest, subscription } from '../../test/helpers/presence-requests.js';
import { listMemberNotifies } from './list-member-notifies.js';
import { memberContactUser } from './member-contact.js';
import type { MemberNotifyOutcome } from './member-notify.js';
import { newDialog, remoteDialogOf } from './remote-dialog.js';

const ID = 'l1;w1;h1|sip:dave@example.net';
let bed: PresenceTestbed;
let followUps: Array<{ before: Subscription; written: Subscription; outcome: MemberNotifyOutcome }>;
let member: Subscription;

beforeEach(async () => {
  bed = new PresenceTestbed();
  followUps = [];
  const dialog = { ...newDialog('sip:dave@example.net'), localCseq: 1 };
  member = subscription({ id: ID, resource: 'sip:dave@example.net', status: 'pending', expiresAt: bed.clock.now() + 3600_000, data: { listOf: 'l1;w1;h1', remote: dialog } });
  await bed.store.subscriptions.compareAndSet(member, bed.clock.now());
});
afterEach(() => bed.close());

function processor() {
  return listMemberNotifies({ identity: identity(), subscriptions: bed.store.subscriptions, clock: bed.clock, remote: { notified: async (before, written, outcome) => void followUps.push({ before, written, outcome }) } });
}

function notifyFor(id: string, headers: string[], { callId = remoteDialogOf(member).callId, toTag = remoteDialogOf(member).localTag } = {}) {
  return sipRequest({ method: 'NOTIFY', uri: `sip:${memberContactUser(id)}@192.0.2.1:5060`, callId, from: '<sip:dave@example.net>;tag=n1', to: `<sip:alice@example.com>;tag=${toTag}`, headers: ['Event: presence', ...headers] });
}

describe('RFC 4662 §4.4 NOTIFYs for list members in other domains', () => {
  it('answers 200, writes the member state, then hands the follow-ups to the remote members', async () => {
    const ctx = bed.context(notifyFor(ID, ['Subscription-State: active;expires=600']));
    expect(await ctx.run(processor())).toBe('stop');
    expect(ctx.response.status).toBe(200);
    const written = await bed.store.subscriptions.get(ID, bed.clock.now());
    expect(written).toMatchObject({ status: 'active', version: 2 });
    expect(followUps).toEqual([{ before: member, written, outcome: expect.objectContaining({ kind: 'state' }) }]);
  });

  it('answers 481 outside the dialog and writes nothing', async () => {
    const ctx = bed.context(notifyFor(ID, ['Subscription-State: active'], { callId: 'other' }));
    await ctx.run(processor());
    expect(ctx.response.status).toBe(481);
    expect(followUps).toEqual([]);
  });

  it('answers 200 to the final NOTIFY of a member Herald already let go of', async () => {
    const ctx = bed.context(notifyFor('l9|sip:gone@example.net', ['Subscription-State: terminated;reason=timeout']));
    await ctx.run(processor());
    expect(ctx.response.status).toBe(200);
    expect(followUps).toEqual([]);
  });

  it('leaves NOTIFYs to other URIs to the next processor', async () => {
    expect(await bed.context(sipRequest({ method: 'NOTIFY', uri: 'sip:bob@192.0.2.1', headers: ['Event: presence', 'Subscription-State: active'] })).run(processor())).toBe('continue');
  });
});
