import { type SipRequest, createResponse } from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { RecordingUser, TCP_FLOW, UDP_FLOW, request, setupLayer } from '../../test/helpers/transaction-harness.js';

const setup = setupLayer;

const answer = (req: SipRequest, status: number) => createResponse(req, status, undefined, { toTag: 'uas1' });

/** The ACK a UAC sends for a non-2xx: same branch as the INVITE, the To tag of the response. */
const ackFor = (fields: Parameters<typeof request>[1] = {}) => request('ACK', { toTag: 'uas1', ...fields });

describe('RFC 3261 §17.2.1 INVITE server transaction', () => {
  it('passes the INVITE to the TU once, in Proceeding', () => {
    const { layer, user } = setup();
    layer.receive(request('INVITE'), UDP_FLOW);
    layer.receive(request('INVITE'), UDP_FLOW);
    expect(user.requests).toHaveLength(1);
    expect(user.tx()).toBeInstanceOf(InviteServerTransaction);
    expect(user.tx().state).toBe('Proceeding');
  });

  describe('100 Trying', () => {
    it('sends 100 Trying itself when the TU has not responded within 200 ms', () => {
      const { layer, clock, transport } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      clock.advance(199);
      expect(transport.sent).toHaveLength(0);
      clock.advance(1);
      expect(transport.lines).toEqual(['SIP/2.0 100 Trying']);
      const trying = transport.sent[0].message;
      expect(trying.to.params.get('tag')).toBeUndefined();
      expect(trying.callId).toBe(req.callId);
    });

    it('does not send it when the TU responded first', () => {
      const { layer, clock, transport, user } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      clock.advance(100);
      user.tx().respond(answer(req, 180));
      clock.advance(1000);
      expect(transport.lines).toEqual(['SIP/2.0 180 Ringing']);
    });

    it('sends it on receipt when the delay is 0, before the TU sees the INVITE', () => {
      const { layer, transport, user } = setup({ tryingDelay: 0 });
      let seenByTu: string[] = [];
      user.answer = () => (seenByTu = [...transport.lines]);
      layer.receive(request('INVITE'), UDP_FLOW);
      expect(seenByTu).toEqual(['SIP/2.0 100 Trying']);
      expect(transport.lines).toEqual(['SIP/2.0 100 Trying']);
    });

    it('waits the configured delay, or leaves it to the TU when null', () => {
      const delayed = setup({ tryingDelay: 50 });
      delayed.layer.receive(request('INVITE'), UDP_FLOW);
      delayed.clock.advance(49);
      expect(delayed.transport.sent).toHaveLength(0);
      delayed.clock.advance(1);
      expect(delayed.transport.lines).toEqual(['SIP/2.0 100 Trying']);

      const never = setup({ tryingDelay: null });
      never.layer.receive(request('INVITE'), UDP_FLOW);
      never.clock.advance(10_000);
      expect(never.transport.sent).toHaveLength(0);
    });
  });

  it('answers a retransmitted INVITE with the last provisional response while Proceeding', () => {
    const { layer, user, transport } = setup();
    const req = request('INVITE');
    layer.receive(req, UDP_FLOW);
    layer.receive(request('INVITE'), UDP_FLOW);
    expect(transport.sent).toHaveLength(0);
    const tx = user.tx();
    tx.respond(createResponse(req, 100));
    tx.respond(answer(req, 183));
    layer.receive(request('INVITE'), UDP_FLOW);
    expect(transport.lines).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 183 Session Progress', 'SIP/2.0 183 Session Progress']);
    expect(user.requests).toHaveLength(1);
  });

  describe('non-2xx final responses', () => {
    it('answers a retransmitted INVITE with the final response while Completed', () => {
      const { layer, user, transport } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      expect(tx.state).toBe('Completed');
      layer.receive(request('INVITE'), UDP_FLOW);
      expect(transport.lines).toEqual(['SIP/2.0 486 Busy Here', 'SIP/2.0 486 Busy Here']);
    });

    it('retransmits the final response on Timer G at T1, 2T1, 4T1, then every T2', () => {
      const { layer, user, transport, clock } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      user.tx().respond(answer(req, 486));
      const at: number[] = [];
      let sends = 1;
      for (let t = 1; t <= 20_000; t++) {
        clock.advance(1);
        if (transport.sent.length > sends) {
          sends = transport.sent.length;
          at.push(t);
        }
      }
      expect(at).toEqual([500, 1500, 3500, 7500, 11_500, 15_500, 19_500]);
    });

    it('uses the configured T1 and T2 for Timer G', () => {
      const { layer, user, transport, clock } = setup({ timers: { t1: 100, t2: 300 } });
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      user.tx().respond(answer(req, 486));
      clock.advance(100);
      expect(transport.sent).toHaveLength(2);
      clock.advance(200); // 300
      expect(transport.sent).toHaveLength(3);
      clock.advance(300); // 600: 4*T1 capped at T2
      expect(transport.sent).toHaveLength(4);
      clock.advance(300);
      expect(transport.sent).toHaveLength(5);
    });

    it('reports Timer H (64*T1) to the TU when the ACK never comes', () => {
      const { layer, user, clock } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      clock.advance(31_999);
      expect(user.timeouts).toHaveLength(0);
      clock.advance(1);
      expect(user.timeouts).toEqual([tx]);
      expect(tx.state).toBe('Terminated');
      expect(layer.size).toBe(0);
      expect(clock.pending).toBe(0);
    });

    it('moves to Confirmed on the ACK, stops Timer G and H, and absorbs ACKs', () => {
      const { layer, user, transport, clock } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      clock.advance(600);
      layer.receive(ackFor(), UDP_FLOW);
      expect(tx.state).toBe('Confirmed');
      layer.receive(ackFor(), UDP_FLOW);
      layer.receive(request('INVITE'), UDP_FLOW);
      clock.advance(4000);
      expect(transport.sent).toHaveLength(2);
      expect(user.requests).toHaveLength(1);
      expect(user.timeouts).toHaveLength(0);
    });

    it('ends Confirmed when Timer I (T4) fires', () => {
      const { layer, user, clock } = setup({ timers: { t4: 2500 } });
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 403));
      layer.receive(ackFor(), UDP_FLOW);
      clock.advance(2499);
      expect(tx.state).toBe('Confirmed');
      clock.advance(1);
      expect(tx.state).toBe('Terminated');
      expect(layer.size).toBe(0);
    });

    it('over a reliable transport: no Timer G, Timer H still runs, Timer I is zero', () => {
      const { layer, user, clock, transport } = setup();
      const req = request('INVITE');
      layer.receive(req, TCP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      clock.advance(20_000);
      expect(transport.sent).toHaveLength(1);
      layer.receive(ackFor(), TCP_FLOW);
      expect(tx.state).toBe('Terminated');
      expect(clock.pending).toBe(0);

      layer.receive(request('INVITE', { branch: 'z9hG4bKclient2' }), TCP_FLOW);
      const unacked = user.tx(1);
      unacked.respond(answer(req, 486));
      clock.advance(32_000);
      expect(user.timeouts).toEqual([unacked]);
    });

    it('discards provisional and further final responses from the TU once Completed', () => {
      const { layer, user, transport } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      expect(tx.respond(answer(req, 180))).toBe(false);
      expect(tx.respond(answer(req, 200))).toBe(false);
      expect(transport.sent).toHaveLength(1);
    });
  });

  describe('RFC 6026 §7.1 Accepted', () => {
    it('sends a 2xx once and moves to Accepted; the TU retransmits it', () => {
      const { layer, user, transport, clock } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 200));
      expect(tx.state).toBe('Accepted');
      clock.advance(10_000);
      expect(transport.lines).toEqual(['SIP/2.0 200 OK']);
    });

    it('absorbs retransmitted INVITEs while Accepted', () => {
      const { layer, user, transport } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      user.tx().respond(answer(req, 200));
      layer.receive(request('INVITE'), UDP_FLOW);
      layer.receive(request('INVITE'), UDP_FLOW);
      expect(transport.sent).toHaveLength(1);
      expect(user.requests).toHaveLength(1);
    });

    it('sends further 2xx responses from the TU, and discards anything else', () => {
      const { layer, user, transport } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 200));
      expect(tx.respond(answer(req, 200))).toBe(true);
      expect(tx.respond(createResponse(req, 200, undefined, { toTag: 'fork2' }))).toBe(true);
      expect(tx.respond(answer(req, 486))).toBe(false);
      expect(tx.respond(answer(req, 180))).toBe(false);
      expect(transport.lines).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 200 OK', 'SIP/2.0 200 OK']);
    });

    it('passes the ACK for the 2xx to the TU with no transaction', () => {
      const { layer, user } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      user.tx().respond(answer(req, 200));
      const ack = request('ACK', { branch: 'z9hG4bKack2xx', toTag: 'uas1', uri: 'sip:alice@198.51.100.7:5070' });
      layer.receive(ack, UDP_FLOW);
      layer.receive(request('ACK', { branch: 'z9hG4bKack2xx', toTag: 'uas1', uri: 'sip:alice@198.51.100.7:5070' }), UDP_FLOW);
      expect(user.requests.map((r) => [r.tx, r.request.method])).toEqual([
        [user.tx(), 'INVITE'],
        [null, 'ACK'],
        [null, 'ACK'],
      ]);
    });

    it('passes an ACK that matches the transaction in Accepted to onAck, with the transaction', () => {
      class AckUser extends RecordingUser {
        readonly acks: [string, InviteServerTransaction | null][] = [];
        onAck(ack: SipRequest, _flow: Flow, tx: InviteServerTransaction | null): void {
          this.acks.push([ack.topVia.params.get('branch') ?? '', tx]);
        }
      }
      const user = new AckUser();
      const { layer } = setup({ tu: user });
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      user.tx().respond(answer(req, 200));
      layer.receive(ackFor(), UDP_FLOW);
      layer.receive(request('ACK', { branch: 'z9hG4bKnew', toTag: 'uas1' }), UDP_FLOW);
      expect(user.acks).toEqual([
        ['z9hG4bKclient1', user.tx()],
        ['z9hG4bKnew', null],
      ]);
      expect(user.requests).toHaveLength(1);
    });

    it('ends Accepted when Timer L (64*T1) fires, on any transport', () => {
      for (const flow of [UDP_FLOW, TCP_FLOW]) {
        const { layer, user, clock } = setup();
        const req = request('INVITE');
        layer.receive(req, flow);
        const tx = user.tx();
        tx.respond(answer(req, 200));
        clock.advance(31_999);
        expect(tx.state).toBe('Accepted');
        clock.advance(1);
        expect(tx.state).toBe('Terminated');
        expect(layer.size).toBe(0);
      }
    });
  });

  describe('RFC 3261 §17.2.4 and RFC 6026 §8.8 transport errors', () => {
    it('informs the TU and stays in Completed, where Timer H still ends it', () => {
      const { layer, user, transport, clock } = setup();
      const req = request('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      transport.fail = new Error('ENETDOWN');
      tx.respond(answer(req, 500));
      expect(user.transportErrors).toHaveLength(1);
      expect(tx.state).toBe('Completed');
      clock.advance(32_000);
      expect(tx.state).toBe('Terminated');
    });
  });
});
