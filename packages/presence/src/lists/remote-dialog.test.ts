import { type SipResponse, parseMessage } from '@herald/sip';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { type RemoteDialog, answeredChange, failureReason, newDialog, refreshDelayMs, remoteDialogOf, subscribeAnswer } from './remote-dialog.js';

const sent: RemoteDialog = { ...newDialog('sip:dave@example.net'), localCseq: 1 };
const member = subscription({ id: 'l1|sip:dave@example.net', resource: 'sip:dave@example.net', status: 'pending', data: { listOf: 'l1', remote: sent } });

function response(status: number, headers: string[]): SipResponse {
  const text = [
    `SIP/2.0 ${status} Whatever`,
    'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
    `From: <sip:alice@example.com>;tag=${sent.localTag}`,
    'To: <sip:dave@example.net>;tag=n1',
    `Call-ID: ${sent.callId}`,
    'CSeq: 1 SUBSCRIBE',
    ...headers,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text)) as SipResponse;
}

describe('RFC 6665 §4.1.2.1 the answer to a SUBSCRIBE for a list member', () => {
  it('sets up the dialog from a 2xx: the notifier tag, its Contact, the route set reversed, a refresh before the end', () => {
    const answer = subscribeAnswer({ status: 200, response: response(200, ['Expires: 600', 'Contact: <sip:dave@203.0.113.9>', 'Record-Route: <sip:p1.example.net;lr>', 'Record-Route: <sip:p2.example.net;lr>']) }, sent, 3600, NOW);
    expect(answer).toEqual({ kind: 'established', refreshAt: NOW + 540_000, remoteTag: 'n1', remoteTarget: 'sip:dave@203.0.113.9', routeSet: ['<sip:p2.example.net;lr>', '<sip:p1.example.net;lr>'] });
    expect(remoteDialogOf(subscription({ ...member, ...answeredChange(member, sent, answer) }))).toMatchObject({ remoteTag: 'n1', remoteTarget: 'sip:dave@203.0.113.9', routeSet: ['<sip:p2.example.net;lr>', '<sip:p1.example.net;lr>'], refreshAt: NOW + 540_000 });
  });

  it('keeps a dialog a NOTIFY set up first, moving only the refresh', () => {
    const established = subscription({ ...member, data: { ...member.data, remote: { ...sent, remoteTag: 'n0', remoteTarget: 'sip:dave@203.0.113.1' } } });
    const answer = subscribeAnswer({ status: 202, response: response(202, ['Contact: <sip:dave@203.0.113.9>']) }, sent, 600, NOW);
    expect(remoteDialogOf(subscription({ ...established, ...answeredChange(established, sent, answer) }))).toMatchObject({ remoteTag: 'n0', remoteTarget: 'sip:dave@203.0.113.1', refreshAt: NOW + 540_000 });
  });

  it('restarts at once after a 481 to a refresh', () => {
    expect(subscribeAnswer({ status: 481, response: null }, { ...sent, remoteTag: 'n1' }, 600, NOW)).toEqual({ kind: 'restart' });
    const change = answeredChange(member, sent, { kind: 'restart' });
    expect(remoteDialogOf(subscription({ ...member, ...change })).callId).not.toBe(sent.callId);
  });

  it('retries in a minute after no answer, a 408, a 5xx, or a 2xx that grants nothing: probation meanwhile', () => {
    for (const outcome of [{ status: 408, response: null }, { status: 503, response: null }, { status: 200, response: response(200, ['Expires: 0']) }]) {
      expect(subscribeAnswer(outcome, sent, 600, NOW)).toEqual({ kind: 'ended', retry: true, refreshAt: NOW + 60_000, reason: 'probation' });
    }
  });

  it('gives up on other failures, with the RLMI reason their status says', () => {
    expect(subscribeAnswer({ status: 403, response: null }, sent, 600, NOW)).toEqual({ kind: 'ended', retry: false, refreshAt: 0, reason: 'rejected' });
    expect(subscribeAnswer({ status: 404, response: null }, sent, 600, NOW)).toMatchObject({ kind: 'ended', retry: false, reason: 'noresource' });
    expect(failureReason(603)).toBe('rejected');
    for (const status of [404, 410, 480, 484, 604]) expect(failureReason(status)).toBe('noresource');
    expect(failureReason(488)).toBe('giveup');
    expect(subscribeAnswer({ status: 481, response: null }, sent, 600, NOW)).toMatchObject({ kind: 'ended', reason: 'giveup' });
  });

  it('shows an ended member terminated with the reason, its dialog over', () => {
    const change = answeredChange(member, sent, { kind: 'ended', retry: false, refreshAt: 0, reason: 'rejected' });
    expect(change).toMatchObject({ status: 'terminated', data: { reason: 'rejected', remote: { over: true, refreshAt: 0 } } });
  });

  it('changes nothing when a newer dialog replaced the one the SUBSCRIBE was sent in', () => {
    expect(answeredChange(member, { ...sent, callId: 'older' }, { kind: 'restart' })).toEqual({});
  });
});

describe('refresh timing of list member subscriptions', () => {
  it('refreshes a minute before the end, half-way through intervals under two minutes', () => {
    expect(refreshDelayMs(3600)).toBe(3_540_000);
    expect(refreshDelayMs(120)).toBe(60_000);
    expect(refreshDelayMs(60)).toBe(30_000);
  });
});
