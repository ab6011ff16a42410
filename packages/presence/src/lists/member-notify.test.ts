import type { Subscription } from '@herald/store';
import { NOW, rejection, sipRequest, subscription } from '../../test/helpers/presence-requests.js';
import { type MemberNotify, applyMemberNotify, memberShowsChange, readMemberNotify } from './member-notify.js';
import { type RemoteDialog, newDialog, remoteDialogOf } from './remote-dialog.js';

const PIDF = '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:dave@example.net"><tuple id="t"><status><basic>open</basic></status></tuple></presence>';
const dialog: RemoteDialog = { ...newDialog('sip:dave@example.net'), localCseq: 1, refreshAt: NOW + 3_000_000 };
const member = subscription({ id: 'l1|sip:dave@example.net', resource: 'sip:dave@example.net', status: 'pending', data: { listOf: 'l1', remote: dialog } });

function notify(fields: Partial<Omit<MemberNotify, 'state'>> & { state?: Partial<MemberNotify['state']> } = {}): MemberNotify {
  const { state, ...rest } = fields;
  return {
    callId: dialog.callId,
    fromTag: 'n1',
    toTag: dialog.localTag,
    cseq: 1,
    contact: 'sip:dave@203.0.113.9',
    recordRoute: ['<sip:p1.example.net;lr>'],
    pidf: PIDF,
    ...rest,
    state: { state: 'active', expires: 600, reason: null, retryAfter: null, params: new Map(), ...state },
  };
}

const after = (outcome: ReturnType<typeof applyMemberNotify>): Subscription => subscription({ ...member, ...(outcome.kind === 'stale' ? {} : outcome.change) });

describe('RFC 6665 §8.2.3 reading a NOTIFY for a list member', () => {
  it('answers 400 without Subscription-State', () => {
    expect(rejection(() => readMemberNotify(sipRequest({ method: 'NOTIFY', headers: ['Event: presence'] }))).status).toBe(400);
  });

  it('keeps a PIDF body, and no other', () => {
    const headers = ['Event: presence', 'Subscription-State: active;expires=600', 'Contact: <sip:dave@203.0.113.9>'];
    expect(readMemberNotify(sipRequest({ method: 'NOTIFY', headers: [...headers, 'Content-Type: application/pidf+xml'], body: PIDF }))).toMatchObject({ pidf: PIDF, contact: 'sip:dave@203.0.113.9', fromTag: 'w1' });
    expect(readMemberNotify(sipRequest({ method: 'NOTIFY', headers: [...headers, 'Content-Type: text/plain'], body: 'open' })).pidf).toBeNull();
  });
});

describe('RFC 6665 §4.1.3 a NOTIFY in a list member dialog', () => {
  it('sets up the dialog and makes its state and document the member', () => {
    const outcome = applyMemberNotify(member, notify(), NOW);
    expect(outcome).toMatchObject({ kind: 'state', refreshAt: NOW + 540_000 });
    const written = after(outcome);
    expect(written.status).toBe('active');
    expect(remoteDialogOf(written)).toMatchObject({ remoteTag: 'n1', remoteTarget: 'sip:dave@203.0.113.9', routeSet: ['<sip:p1.example.net;lr>'], remoteCseq: 1, document: PIDF });
    expect(memberShowsChange(member, written)).toBe(true);
  });

  it('keeps the route set of an established dialog and the last document when the new one does not parse', () => {
    const established = subscription({ ...member, status: 'active', data: { ...member.data, remote: { ...dialog, remoteTag: 'n1', routeSet: ['<sip:p0.example.net;lr>'], document: PIDF } } });
    const written = subscription({ ...established, ...(applyMemberNotify(established, notify({ cseq: 2, pidf: '<presence', recordRoute: [] }), NOW) as { change: Partial<Subscription> }).change });
    expect(remoteDialogOf(written)).toMatchObject({ routeSet: ['<sip:p0.example.net;lr>'], document: PIDF });
    expect(memberShowsChange(established, written)).toBe(false);
  });

  it('moves the refresh sooner when the notifier shortens the subscription, never later', () => {
    expect(applyMemberNotify(member, notify({ state: { expires: 100 } }), NOW)).toMatchObject({ refreshAt: NOW + 50_000 });
    expect(applyMemberNotify(member, notify({ state: { expires: 7200 } }), NOW)).toMatchObject({ refreshAt: dialog.refreshAt });
  });

  it('restarts the subscription when the notifier ends it and allows a new one at once', () => {
    for (const reason of [null, 'deactivated', 'timeout']) {
      const outcome = applyMemberNotify(member, notify({ state: { state: 'terminated', reason } }), NOW);
      expect(outcome.kind).toBe('restart');
      expect(remoteDialogOf(after(outcome)).callId).not.toBe(dialog.callId);
    }
  });

  it('retries after probation or giveup (Retry-After, else a minute), shows other reasons for good', () => {
    expect(applyMemberNotify(member, notify({ state: { state: 'terminated', reason: 'probation', retryAfter: 30 } }), NOW)).toMatchObject({ kind: 'state', refreshAt: NOW + 30_000, change: { status: 'terminated', data: { reason: 'probation' } } });
    expect(applyMemberNotify(member, notify({ state: { state: 'terminated', reason: 'giveup' } }), NOW)).toMatchObject({ refreshAt: NOW + 60_000 });
    const rejected = applyMemberNotify(member, notify({ state: { state: 'terminated', reason: 'rejected' } }), NOW);
    expect(rejected).toMatchObject({ kind: 'state', refreshAt: 0, change: { status: 'terminated', data: { reason: 'rejected' } } });
    expect(remoteDialogOf(after(rejected)).over).toBe(true);
  });
});

describe('RFC 3261 §12.2.2 NOTIFYs outside a list member dialog', () => {
  it('answers 481 unless Call-ID, our tag and, once known, the notifier tag match', () => {
    const established = subscription({ ...member, data: { ...member.data, remote: { ...dialog, remoteTag: 'n1' } } });
    for (const wrong of [{ callId: 'other' }, { toTag: 'other' }, { fromTag: 'n2' }]) {
      expect(rejection(() => applyMemberNotify(established, notify(wrong), NOW)).status).toBe(481);
    }
    expect(rejection(() => applyMemberNotify(undefined, notify(), NOW)).status).toBe(481);
    expect(rejection(() => applyMemberNotify(subscription(), notify(), NOW)).status).toBe(481);
  });

  it('welcomes the final NOTIFY of a subscription Herald let go of', () => {
    expect(applyMemberNotify(undefined, notify({ state: { state: 'terminated', reason: 'timeout' } }), NOW)).toEqual({ kind: 'stale' });
  });

  it('answers 500 to a CSeq not above the last one', () => {
    const seen = subscription({ ...member, data: { ...member.data, remote: { ...dialog, remoteCseq: 5 } } });
    expect(rejection(() => applyMemberNotify(seen, notify({ cseq: 5 }), NOW)).status).toBe(500);
  });
});
