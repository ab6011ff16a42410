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

const MESSAGE = 'MESSAGE sip:bob@example.org';

describe('RFC 3261 §17.1.2 non-INVITE client transaction', () => {
  it('sends the request to the destination and starts in Trying', () => {
    const { layer, transport, handler } = setup();
    const tx = layer.sendRequest(request('MESSAGE'), UDP_DESTINATION, handler);
    expect(tx.state).toBe('Trying');
    expect(transport.lines).toEqual([`${MESSAGE} SIP/2.0`]);
    expect(transport.sent[0].destination).toEqual(UDP_DESTINATION);
    expect(layer.size).toBe(1);
  });

  it('retransmits on Timer E at T1, 2T1, 4T1, then every T2 while Trying', () => {
    const { layer, transport, handler, clock } = setup();
    layer.sendRequest(request('MESSAGE'), UDP_DESTINATION, handler);
    const sendsAt = (ms: number) => {
      clock.advance(ms);
      return transport.count(MESSAGE);
    };
    expect(sendsAt(499)).toBe(1);
    expect(sendsAt(1)).toBe(2); // 500
    expect(sendsAt(999)).toBe(2);
    expect(sendsAt(1)).toBe(3); // 1500 = 500 + 2*T1
    expect(sendsAt(2000)).toBe(4); // 3500 = 1500 + 4*T1
    expect(sendsAt(3999)).toBe(4);
    expect(sendsAt(1)).toBe(5); // 7500 = 3500 + T2 (8*T1 capped)
    expect(sendsAt(4000)).toBe(6); // 11500
    expect(sendsAt(4000)).toBe(7); // 15500
  });

  it('retransmits the bytes it first sent', () => {
    const { layer, transport, handler, clock } = setup();
    const req = request('MESSAGE');
    layer.sendRequest(req, UDP_DESTINATION, handler);
    req.setHeader('Subject', 'changed after sending');
    clock.advance(500);
    expect(transport.sent).toHaveLength(2);
    expect(transport.sent[1].data.equals(transport.sent[0].data)).toBe(true);
  });

  it('retransmits every T2 once Proceeding', () => {
    const { layer, transport, handler, clock } = setup();
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    clock.advance(600);
    layer.receive(response(req, 100), UDP_FLOW);
    expect(tx.state).toBe('Proceeding');
    clock.advance(900); // 1500: the Timer E already set fires
    expect(transport.count(MESSAGE)).toBe(3);
    clock.advance(3999);
    expect(transport.count(MESSAGE)).toBe(3);
    clock.advance(1); // 5500 = 1500 + T2
    expect(transport.count(MESSAGE)).toBe(4);
    clock.advance(4000);
    expect(transport.count(MESSAGE)).toBe(5);
  });

  it('passes provisional responses up and stays in Proceeding', () => {
    const { layer, handler } = setup();
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    layer.receive(response(req, 100), UDP_FLOW);
    layer.receive(response(req, 180), UDP_FLOW);
    expect(handler.statuses).toEqual([100, 180]);
    expect(tx.state).toBe('Proceeding');
  });

  it('reports Timer F at 64*T1 to the TU with a 408 built from the request', () => {
    const { layer, handler, clock } = setup();
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    clock.advance(64 * 500 - 1);
    expect(handler.timeouts).toHaveLength(0);
    clock.advance(1);
    expect(handler.timeouts).toHaveLength(1);
    const timeout = handler.timeouts[0];
    expect(timeout.status).toBe(408);
    expect(timeout.reason).toBe('Request Timeout');
    expect(timeout.callId).toBe(req.callId);
    expect(timeout.cseq).toEqual({ seq: 1, method: 'MESSAGE' });
    expect(timeout.topVia.params.get('branch')).toBe('z9hG4bKclient1');
    expect(tx.state).toBe('Terminated');
    expect(layer.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('fires Timer F in Proceeding too', () => {
    const { layer, handler, clock } = setup();
    const req = request('MESSAGE');
    layer.sendRequest(req, UDP_DESTINATION, handler);
    layer.receive(response(req, 100), UDP_FLOW);
    clock.advance(32_000);
    expect(handler.timeouts.map((r) => r.status)).toEqual([408]);
  });

  it('passes the final response up once and absorbs its retransmissions while Completed', () => {
    const { layer, handler, transport, clock } = setup();
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    layer.receive(response(req, 200), UDP_FLOW);
    layer.receive(response(req, 200), UDP_FLOW);
    expect(handler.statuses).toEqual([200]);
    expect(tx.state).toBe('Completed');
    clock.advance(4000);
    expect(transport.count(MESSAGE)).toBe(1);
    expect(handler.timeouts).toHaveLength(0);
  });

  it('ends Completed when Timer K (T4) fires', () => {
    const { layer, handler, clock, user } = setup();
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    layer.receive(response(req, 404), UDP_FLOW);
    clock.advance(4999);
    expect(tx.state).toBe('Completed');
    clock.advance(1);
    expect(tx.state).toBe('Terminated');
    expect(layer.size).toBe(0);
    layer.receive(response(req, 404), UDP_FLOW);
    expect(user.stray.map((r) => r.status)).toEqual([404]);
  });

  it('uses the configured T1, T2 and T4', () => {
    const { layer, handler, clock, transport } = setup({ t1: 100, t2: 400, t4: 1000 });
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, handler);
    clock.advance(100);
    expect(transport.count(MESSAGE)).toBe(2);
    clock.advance(200); // 300
    expect(transport.count(MESSAGE)).toBe(3);
    clock.advance(400); // 700: 4*T1 = T2
    expect(transport.count(MESSAGE)).toBe(4);
    clock.advance(400); // 1100: capped at T2
    expect(transport.count(MESSAGE)).toBe(5);
    layer.receive(response(req, 200), UDP_FLOW);
    clock.advance(999);
    expect(tx.state).toBe('Completed');
    clock.advance(1);
    expect(tx.state).toBe('Terminated');
  });

  it('times out at the configured 64*T1', () => {
    const { layer, handler, clock } = setup({ t1: 100, t2: 400 });
    layer.sendRequest(request('MESSAGE'), UDP_DESTINATION, handler);
    clock.advance(6399);
    expect(handler.timeouts).toHaveLength(0);
    clock.advance(1);
    expect(handler.timeouts).toHaveLength(1);
  });

  describe('over a reliable transport', () => {
    it('does not retransmit, but Timer F still fires', () => {
      const { layer, handler, clock, transport } = setup();
      layer.sendRequest(request('MESSAGE'), TCP_DESTINATION, handler);
      clock.advance(31_999);
      expect(transport.count(MESSAGE)).toBe(1);
      clock.advance(1);
      expect(handler.timeouts).toHaveLength(1);
    });

    it('sets Timer K to zero: Terminated as soon as the final response is passed up', () => {
      const { layer, handler, clock } = setup();
      const req = request('MESSAGE');
      const tx = layer.sendRequest(req, TCP_DESTINATION, handler);
      layer.receive(response(req, 200), TCP_FLOW);
      expect(handler.statuses).toEqual([200]);
      expect(tx.state).toBe('Terminated');
      expect(layer.size).toBe(0);
      expect(clock.pending).toBe(0);
    });
  });

  describe('RFC 3261 §17.1.3 matching', () => {
    it('matches on the branch and the CSeq method', () => {
      const { layer, handler, user } = setup();
      const req = request('MESSAGE');
      layer.sendRequest(req, UDP_DESTINATION, handler);
      layer.receive(response(request('MESSAGE', { branch: 'z9hG4bKother' }), 200), UDP_FLOW);
      layer.receive(response(request('CANCEL'), 200), UDP_FLOW);
      expect(handler.responses).toHaveLength(0);
      expect(user.stray.map((r) => r.cseq.method)).toEqual(['MESSAGE', 'CANCEL']);
    });
  });

  describe('RFC 3261 §17.1.4 transport errors', () => {
    it('informs the TU with a 503 and terminates when the send throws', () => {
      const { layer, handler, transport, clock } = setup();
      transport.fail = new Error('ECONNREFUSED');
      const tx = layer.sendRequest(request('MESSAGE'), TCP_DESTINATION, handler);
      expect(tx.state).toBe('Terminated');
      expect(handler.transportErrors).toHaveLength(1);
      expect(handler.transportErrors[0].error.message).toBe('ECONNREFUSED');
      expect(handler.transportErrors[0].response.status).toBe(503);
      expect(layer.size).toBe(0);
      expect(clock.pending).toBe(0);
    });

    it('informs the TU when the send rejects later', async () => {
      const { layer, handler, transport } = setup();
      transport.reject = new Error('EPIPE');
      const tx = layer.sendRequest(request('MESSAGE'), TCP_DESTINATION, handler);
      expect(tx.state).toBe('Trying');
      await Promise.resolve();
      expect(tx.state).toBe('Terminated');
      expect(handler.transportErrors.map((e) => e.error.message)).toEqual(['EPIPE']);
    });

    it('terminates when a retransmission fails', () => {
      const { layer, handler, transport, clock } = setup();
      const tx = layer.sendRequest(request('MESSAGE'), UDP_DESTINATION, handler);
      transport.fail = new Error('EHOSTUNREACH');
      clock.advance(500);
      expect(tx.state).toBe('Terminated');
      expect(handler.transportErrors).toHaveLength(1);
      clock.advance(64 * 500);
      expect(handler.timeouts).toHaveLength(0);
    });
  });
});
