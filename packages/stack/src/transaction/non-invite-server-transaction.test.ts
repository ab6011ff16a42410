import { type SipRequest, createResponse } from '@herald/sip';
import { flowDestination } from '../flow/flow.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { TransactionTimers } from './transaction-timers.js';
import { TCP_FLOW, UDP_FLOW, request, setupLayer } from '../../test/helpers/transaction-harness.js';

const setup = (timers: Partial<TransactionTimers> = {}) => setupLayer({ timers });

const answer = (req: SipRequest, status: number) => createResponse(req, status, undefined, { toTag: 'uas1' });

describe('RFC 3261 §17.2.2 non-INVITE server transaction', () => {
  it('passes the request to the TU once, in Trying', () => {
    const { layer, user } = setup();
    layer.receive(request('OPTIONS'), UDP_FLOW);
    expect(user.requests).toHaveLength(1);
    const { tx, request: req, flow } = user.requests[0];
    expect(tx).toBeInstanceOf(NonInviteServerTransaction);
    expect(tx?.state).toBe('Trying');
    expect(req.method).toBe('OPTIONS');
    expect(flow).toBe(UDP_FLOW);
    expect(layer.size).toBe(1);
  });

  it('discards retransmissions while Trying', () => {
    const { layer, user, transport } = setup();
    layer.receive(request('OPTIONS'), UDP_FLOW);
    layer.receive(request('OPTIONS'), UDP_FLOW);
    expect(user.requests).toHaveLength(1);
    expect(transport.sent).toHaveLength(0);
  });

  it('sends responses on the flow the request came in on', () => {
    const { layer, user, transport } = setup();
    const req = request('OPTIONS');
    layer.receive(req, TCP_FLOW);
    expect(user.tx().respond(answer(req, 200))).toBe(true);
    expect(transport.sent[0].destination).toEqual(flowDestination(TCP_FLOW));
    expect(transport.sent[0].destination.flowId).toBe('tcp-1');
  });

  it('answers a retransmission with the last provisional response while Proceeding', () => {
    const { layer, user, transport } = setup();
    const req = request('SUBSCRIBE');
    layer.receive(req, UDP_FLOW);
    const tx = user.tx();
    tx.respond(createResponse(req, 100));
    expect(tx.state).toBe('Proceeding');
    layer.receive(request('SUBSCRIBE'), UDP_FLOW);
    expect(transport.lines).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 100 Trying']);
    expect(user.requests).toHaveLength(1);
  });

  it('retransmits the final response while Completed', () => {
    const { layer, user, transport } = setup();
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    const tx = user.tx();
    tx.respond(createResponse(req, 100));
    tx.respond(answer(req, 202));
    expect(tx.state).toBe('Completed');
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(transport.lines).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 202 Accepted', 'SIP/2.0 202 Accepted', 'SIP/2.0 202 Accepted']);
    expect(user.requests).toHaveLength(1);
  });

  it('discards further responses from the TU once Completed', () => {
    const { layer, user, transport } = setup();
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    const tx = user.tx();
    expect(tx.respond(answer(req, 200))).toBe(true);
    expect(tx.respond(answer(req, 500))).toBe(false);
    expect(tx.respond(createResponse(req, 180))).toBe(false);
    expect(transport.lines).toEqual(['SIP/2.0 200 OK']);
  });

  it('rejects a status no response can carry', () => {
    const { layer, user } = setup();
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    expect(() => user.tx().respond(answer(req, 99))).toThrow('Invalid response status 99');
  });

  it('ends Completed when Timer J (64*T1) fires; the next copy is a new transaction', () => {
    const { layer, user, clock } = setup();
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    const tx = user.tx();
    tx.respond(answer(req, 200));
    clock.advance(31_999);
    expect(tx.state).toBe('Completed');
    clock.advance(1);
    expect(tx.state).toBe('Terminated');
    expect(layer.size).toBe(0);
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(user.requests).toHaveLength(2);
  });

  it('uses the configured T1 for Timer J', () => {
    const { layer, user, clock } = setup({ t1: 50, t2: 400 });
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    const tx = user.tx();
    tx.respond(answer(req, 200));
    clock.advance(64 * 50 - 1);
    expect(tx.state).toBe('Completed');
    clock.advance(1);
    expect(tx.state).toBe('Terminated');
  });

  it('sets Timer J to zero over a reliable transport', () => {
    const { layer, user, clock } = setup();
    const req = request('MESSAGE');
    layer.receive(req, TCP_FLOW);
    const tx = user.tx();
    tx.respond(answer(req, 200));
    expect(tx.state).toBe('Terminated');
    expect(layer.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it('lets the request go once Completed and answers retransmissions with the bytes first sent', () => {
    const { layer, user, transport } = setup();
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    const tx = user.tx();
    expect(tx.request).toBe(req);
    const res = answer(req, 200);
    tx.respond(res);
    expect(tx.request).toBeNull();
    expect(tx.lastStatus).toBe(200);
    res.setHeader('Subject', 'changed after sending');
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(transport.sent).toHaveLength(2);
    expect(transport.sent[1].data.equals(transport.sent[0].data)).toBe(true);
    expect(transport.sent[1].destination).toEqual(transport.sent[0].destination);
  });

  it('never retransmits a response on its own', () => {
    const { layer, user, clock, transport } = setup();
    const req = request('MESSAGE');
    layer.receive(req, UDP_FLOW);
    user.tx().respond(answer(req, 200));
    clock.advance(40_000);
    expect(transport.sent).toHaveLength(1);
  });

  describe('RFC 3261 §17.2.4 and RFC 6026 §8.8 transport errors', () => {
    it('reports a failed final response over a reliable transport before Timer J ends it', () => {
      const { layer, user, transport } = setup();
      const req = request('MESSAGE');
      layer.receive(req, TCP_FLOW);
      const tx = user.tx();
      transport.fail = new Error('ECONNRESET');
      tx.respond(answer(req, 200));
      expect(user.transportErrors.map((e) => e.tx)).toEqual([tx]);
      expect(tx.state).toBe('Terminated');
    });

    it('informs the TU and stays in its state, so retransmissions still match', () => {
      const { layer, user, transport, clock } = setup();
      const req = request('MESSAGE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      transport.fail = new Error('EHOSTUNREACH');
      tx.respond(answer(req, 200));
      expect(user.transportErrors.map((e) => e.error.message)).toEqual(['EHOSTUNREACH']);
      expect(user.transportErrors[0].tx).toBe(tx);
      expect(tx.state).toBe('Completed');
      layer.receive(request('MESSAGE'), UDP_FLOW);
      expect(user.requests).toHaveLength(1);
      clock.advance(32_000);
      expect(tx.state).toBe('Terminated');
    });

    it('reports a send that rejects later', async () => {
      const { layer, user, transport } = setup();
      const req = request('MESSAGE');
      layer.receive(req, UDP_FLOW);
      transport.reject = new Error('EPIPE');
      user.tx().respond(answer(req, 200));
      await Promise.resolve();
      expect(user.transportErrors.map((e) => e.error.message)).toEqual(['EPIPE']);
    });
  });
});
