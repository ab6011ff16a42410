import type { SipRequest } from '@herald/sip';
import type { TransactionTimers } from './transaction-timers.js';
import {
  TCP_DESTINATION,
  TCP_FLOW,
  UDP_DESTINATION,
  UDP_FLOW,
  request,
  response,
  setupLayer,
} from '../../test/helpers/transaction-harness.js';

const setup = (timers: Partial<TransactionTimers> = {}) => setupLayer({ timers });

const INVITE = 'INVITE sip:bob@example.org';
const ACK = 'ACK sip:bob@example.org';

/** An INVITE as a proxy forwards it: its own Via on top of the one it received. */
function forwardedInvite(): SipRequest {
  return request('INVITE', {
    branch: 'z9hG4bKproxy1',
    sentBy: '192.0.2.1:5060',
    lowerVias: ['SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKuac1'],
  });
}

describe('RFC 3261 §17.1.1 INVITE client transaction', () => {
  it('sends the INVITE and starts in Calling', () => {
    const { layer, transport, handler } = setup();
    const tx = layer.sendRequest(request('INVITE'), UDP_DESTINATION, handler);
    expect(tx.state).toBe('Calling');
    expect(transport.lines).toEqual([`${INVITE} SIP/2.0`]);
  });

  it('retransmits on Timer A at T1, 2T1, 4T1... doubling without a cap until Timer B', () => {
    const { layer, transport, handler, clock } = setup();
    layer.sendRequest(request('INVITE'), UDP_DESTINATION, handler);
    const at: number[] = [];
    let sends = 1;
    for (let t = 1; t <= 32_000; t++) {
      clock.advance(1);
      if (transport.count(INVITE) > sends) {
        sends = transport.count(INVITE);
        at.push(t);
      }
    }
    expect(at).toEqual([500, 1500, 3500, 7500, 15_500, 31_500]);
  });

  it('reports Timer B at 64*T1 with a 408 and terminates', () => {
    const { layer, handler, clock, transport } = setup();
    const tx = layer.sendRequest(request('INVITE'), UDP_DESTINATION, handler);
    clock.advance(31_999);
    expect(handler.timeouts).toHaveLength(0);
    clock.advance(1);
    expect(handler.timeouts.map((r) => r.status)).toEqual([408]);
    expect(handler.timeouts[0].cseq.method).toBe('INVITE');
    expect(tx.state).toBe('Terminated');
    expect(layer.size).toBe(0);
    expect(clock.pending).toBe(0);
    clock.advance(100_000);
    expect(transport.count(INVITE)).toBe(7);
  });

  it('stops retransmitting and cancels Timer B once a provisional response moves it to Proceeding', () => {
    const { layer, handler, clock, transport } = setup();
    const req = request('INVITE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    clock.advance(600);
    layer.receive(response(req, 100), UDP_FLOW);
    layer.receive(response(req, 180), UDP_FLOW);
    expect(tx.state).toBe('Proceeding');
    expect(handler.statuses).toEqual([100, 180]);
    clock.advance(120_000);
    expect(transport.count(INVITE)).toBe(2);
    expect(handler.timeouts).toHaveLength(0);
    expect(tx.state).toBe('Proceeding');
  });

  it('uses the configured T1 for Timer A and Timer B', () => {
    const { layer, handler, clock, transport } = setup({ t1: 200, t2: 1000 });
    layer.sendRequest(request('INVITE'), UDP_DESTINATION, handler);
    clock.advance(200);
    expect(transport.count(INVITE)).toBe(2);
    clock.advance(400);
    expect(transport.count(INVITE)).toBe(3);
    clock.advance(64 * 200 - 601);
    expect(handler.timeouts).toHaveLength(0);
    clock.advance(1);
    expect(handler.timeouts).toHaveLength(1);
  });

  describe('§17.1.1.3 non-2xx final responses', () => {
    it('passes the response up and ACKs it to the same destination', () => {
      const { layer, handler, transport } = setup();
      const req = forwardedInvite();
      const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 486, 'callee7'), UDP_FLOW);
      expect(handler.statuses).toEqual([486]);
      expect(tx.state).toBe('Completed');
      expect(transport.lines).toEqual([`${INVITE} SIP/2.0`, `${ACK} SIP/2.0`]);
      expect(transport.sent[1].destination).toEqual(UDP_DESTINATION);
    });

    it('builds the ACK from the INVITE with the To of the response', () => {
      const { layer, handler, transport } = setup();
      const req = forwardedInvite();
      layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 486, 'callee7'), UDP_FLOW);
      const ack = transport.sent[1].message as SipRequest;
      expect(ack.method).toBe('ACK');
      expect(ack.uriText).toBe(req.uriText);
      expect(ack.callId).toBe(req.callId);
      expect(ack.header('from')).toBe(req.header('from'));
      expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' });
      expect(ack.headerValues('via')).toEqual(['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKproxy1']);
      expect(ack.to.params.get('tag')).toBe('callee7');
      expect(ack.headerValues('route')).toEqual(req.headerValues('route'));
      expect(ack.maxForwards).toBe(70);
      expect(ack.hasHeader('contact')).toBe(false);
      expect(ack.body.length).toBe(0);
    });

    it('sends the ACK again for each retransmission of the final response, without passing it up', () => {
      const { layer, handler, transport } = setup();
      const req = request('INVITE');
      layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 603), UDP_FLOW);
      layer.receive(response(req, 603), UDP_FLOW);
      layer.receive(response(req, 603), UDP_FLOW);
      expect(handler.statuses).toEqual([603]);
      expect(transport.count(ACK)).toBe(3);
    });

    it('ends Completed when Timer D (32 s) fires', () => {
      const { layer, handler, clock } = setup();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 404), UDP_FLOW);
      clock.advance(31_999);
      expect(tx.state).toBe('Completed');
      clock.advance(1);
      expect(tx.state).toBe('Terminated');
      expect(layer.size).toBe(0);
    });

    it('sets Timer D to at least 64*T1 when T1 is larger, or to the configured value', () => {
      const large = setup({ t1: 1000, t2: 4000 });
      const req = request('INVITE');
      const tx = large.layer.sendRequest(req, UDP_DESTINATION, large.handler);
      large.layer.receive(response(req, 404), UDP_FLOW);
      large.clock.advance(63_999);
      expect(tx.state).toBe('Completed');
      large.clock.advance(1);
      expect(tx.state).toBe('Terminated');

      const configured = setup({ timerD: 40_000 });
      const tx2 = configured.layer.sendRequest(req, UDP_DESTINATION, configured.handler);
      configured.layer.receive(response(req, 404), UDP_FLOW);
      configured.clock.advance(39_999);
      expect(tx2.state).toBe('Completed');
      configured.clock.advance(1);
      expect(tx2.state).toBe('Terminated');
    });
  });

  describe('RFC 6026 §8.4 Accepted', () => {
    it('passes a 2xx up, moves to Accepted and leaves the ACK to the TU', () => {
      const { layer, handler, transport } = setup();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 200), UDP_FLOW);
      expect(tx.state).toBe('Accepted');
      expect(handler.statuses).toEqual([200]);
      expect(transport.count('ACK')).toBe(0);
    });

    it('passes every further 2xx up, retransmissions and other forks alike', () => {
      const { layer, handler, transport } = setup();
      const req = request('INVITE');
      layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 200, 'fork1'), UDP_FLOW);
      layer.receive(response(req, 200, 'fork1'), UDP_FLOW);
      layer.receive(response(req, 200, 'fork2'), UDP_FLOW);
      layer.receive(response(req, 180, 'fork3'), UDP_FLOW);
      layer.receive(response(req, 486, 'fork3'), UDP_FLOW);
      expect(handler.responses.map((r) => `${r.status} ${r.to.params.get('tag')}`)).toEqual(['200 fork1', '200 fork1', '200 fork2']);
      expect(transport.count('ACK')).toBe(0);
    });

    it('stops retransmitting and never times out once Accepted', () => {
      const { layer, handler, transport, clock } = setup();
      const req = request('INVITE');
      layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 200), UDP_FLOW);
      clock.advance(31_999);
      expect(transport.count(INVITE)).toBe(1);
      expect(handler.timeouts).toHaveLength(0);
    });

    it('ends Accepted when Timer M (64*T1) fires; later 2xx are stray', () => {
      const { layer, handler, clock, user } = setup();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(req, 200), UDP_FLOW);
      clock.advance(31_999);
      expect(tx.state).toBe('Accepted');
      clock.advance(1);
      expect(tx.state).toBe('Terminated');
      expect(layer.size).toBe(0);
      layer.receive(response(req, 200), UDP_FLOW);
      expect(handler.statuses).toEqual([200]);
      expect(user.stray.map((r) => r.status)).toEqual([200]);
    });

    it('keeps Timer M on a reliable transport', () => {
      const { layer, handler, clock } = setup();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, TCP_DESTINATION, handler);
      layer.receive(response(req, 200), TCP_FLOW);
      clock.advance(31_999);
      expect(tx.state).toBe('Accepted');
      clock.advance(1);
      expect(tx.state).toBe('Terminated');
    });
  });

  describe('over a reliable transport', () => {
    it('does not start Timer A, but Timer B still fires', () => {
      const { layer, handler, transport, clock } = setup();
      layer.sendRequest(request('INVITE'), TCP_DESTINATION, handler);
      clock.advance(31_999);
      expect(transport.count(INVITE)).toBe(1);
      clock.advance(1);
      expect(handler.timeouts.map((r) => r.status)).toEqual([408]);
    });

    it('sets Timer D to zero: Terminated once the non-2xx is ACKed', () => {
      const { layer, handler, transport, clock } = setup();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, TCP_DESTINATION, handler);
      layer.receive(response(req, 480), TCP_FLOW);
      expect(handler.statuses).toEqual([480]);
      expect(transport.count(ACK)).toBe(1);
      expect(transport.sent[1].destination).toEqual(TCP_DESTINATION);
      expect(tx.state).toBe('Terminated');
      expect(clock.pending).toBe(0);
    });
  });

  describe('§17.1.4 transport errors', () => {
    it('informs the TU with a 503 and terminates when the INVITE cannot be sent', () => {
      const { layer, handler, transport, clock } = setup();
      transport.fail = new Error('ECONNRESET');
      const tx = layer.sendRequest(request('INVITE'), TCP_DESTINATION, handler);
      expect(tx.state).toBe('Terminated');
      expect(handler.transportErrors.map((e) => e.response.status)).toEqual([503]);
      expect(clock.pending).toBe(0);
      expect(layer.size).toBe(0);
    });

    it('terminates when the ACK cannot be sent in Completed', () => {
      const { layer, handler, transport } = setup();
      const req = request('INVITE');
      const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
      transport.fail = new Error('ENETUNREACH');
      layer.receive(response(req, 500), UDP_FLOW);
      expect(handler.statuses).toEqual([500]);
      expect(handler.transportErrors).toHaveLength(1);
      expect(tx.state).toBe('Terminated');
    });
  });
});
