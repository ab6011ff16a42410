import { type SipRequest, type SipResponse, createResponse, parseMessage } from '@herald/sip';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import { TransactionLayer } from './transaction-layer.js';
import {
  RecordingHandler,
  RecordingTransport,
  RecordingUser,
  UDP_DESTINATION,
  UDP_FLOW,
  request,
  response,
  setupLayer,
} from '../../test/helpers/transaction-harness.js';

const setup = setupLayer;

const answer = (req: SipRequest, status: number) => createResponse(req, status, undefined, { toTag: 'uas1' });

describe('RFC 3261 §17.2.3 matching requests to server transactions', () => {
  it('matches a retransmission on branch, sent-by and method', () => {
    const { layer, user } = setup();
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(request('MESSAGE', { callId: 'changed@example.com' }), UDP_FLOW);
    expect(user.requests).toHaveLength(1);
  });

  it('tells transactions apart by sent-by when two clients pick the same branch', () => {
    const { layer, user } = setup();
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(request('MESSAGE', { sentBy: '198.51.100.8:5070' }), UDP_FLOW);
    layer.receive(request('MESSAGE', { sentBy: '198.51.100.7' }), UDP_FLOW);
    expect(user.requests).toHaveLength(3);
    expect(layer.size).toBe(3);
  });

  it('tells transactions apart by branch and by method', () => {
    const { layer, user } = setup();
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(request('MESSAGE', { branch: 'z9hG4bKclient2' }), UDP_FLOW);
    layer.receive(request('OPTIONS'), UDP_FLOW);
    expect(user.requests).toHaveLength(3);
  });

  it('answers a request whose top Via does not parse with a 400 naming it, statelessly', () => {
    const { layer, user, transport } = setup();
    const text = request('MESSAGE').toString().replace('Via: SIP/2.0/UDP 198.51.100.7:5070;', 'Via: SIP/2.0/UDP 198.51.100.7:5070:99;');
    layer.receive(parseMessage(Buffer.from(text)), UDP_FLOW);
    expect(user.requests).toHaveLength(0);
    expect(transport.lines).toHaveLength(1);
    expect(transport.lines[0]).toMatch(/^SIP\/2\.0 400 Malformed Via header: /);
    expect(transport.sent[0].destination.flowId).toBe(UDP_FLOW.id);
    expect(layer.size).toBe(0);
  });

  describe('RFC 2543 clients (no magic cookie)', () => {
    const old = (method: string, fields: Parameters<typeof request>[1] = {}) => request(method, { branch: null, ...fields });

    it('matches a retransmission on Request-URI, tags, Call-ID, CSeq and top Via', () => {
      const { layer, user, transport } = setup();
      const req = old('INVITE');
      layer.receive(req, UDP_FLOW);
      user.tx().respond(answer(req, 180));
      layer.receive(old('INVITE'), UDP_FLOW);
      expect(user.requests).toHaveLength(1);
      expect(transport.lines).toEqual(['SIP/2.0 180 Ringing', 'SIP/2.0 180 Ringing']);
    });

    it('starts a new transaction when any of those fields differ', () => {
      const { layer, user } = setup();
      layer.receive(old('INVITE'), UDP_FLOW);
      layer.receive(old('INVITE', { seq: 2 }), UDP_FLOW);
      layer.receive(old('INVITE', { fromTag: 'a2' }), UDP_FLOW);
      layer.receive(old('INVITE', { uri: 'sip:carol@example.org' }), UDP_FLOW);
      layer.receive(old('INVITE', { callId: 'call-2@example.com' }), UDP_FLOW);
      layer.receive(old('INVITE', { sentBy: '198.51.100.7:5071' }), UDP_FLOW);
      layer.receive(old('INVITE', { branch: 'oldbranch1' }), UDP_FLOW);
      expect(user.requests).toHaveLength(7);
    });

    it('matches the ACK for a non-2xx by the To tag of the response sent, and absorbs it', () => {
      const { layer, user } = setup();
      const req = old('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      layer.receive(old('ACK', { toTag: 'uas1' }), UDP_FLOW);
      expect(tx.state).toBe('Confirmed');
      expect(user.requests).toHaveLength(1);
    });

    it('does not match an ACK whose To tag is not that of the response', () => {
      const { layer, user } = setup();
      const req = old('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 486));
      layer.receive(old('ACK', { toTag: 'other' }), UDP_FLOW);
      expect(tx.state).toBe('Completed');
      expect(user.requests.map((r) => [r.tx, r.request.method])).toEqual([
        [tx, 'INVITE'],
        [null, 'ACK'],
      ]);
    });

    it('matches a re-INVITE that carried the To tag already', () => {
      const { layer, user } = setup();
      const req = old('INVITE', { toTag: 'uas1', seq: 2 });
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 491));
      layer.receive(old('ACK', { toTag: 'uas1', seq: 2 }), UDP_FLOW);
      expect(tx.state).toBe('Confirmed');
    });

    it('RFC 6026 §6: passes the ACK for a 2xx to the TU even though it matches the INVITE', () => {
      const { layer, user } = setup();
      const req = old('INVITE');
      layer.receive(req, UDP_FLOW);
      const tx = user.tx();
      tx.respond(answer(req, 200));
      layer.receive(old('ACK', { toTag: 'uas1' }), UDP_FLOW);
      expect(tx.state).toBe('Accepted');
      expect(user.requests.map((r) => r.request.method)).toEqual(['INVITE', 'ACK']);
    });
  });
});

describe('RFC 3261 §9.2 CANCEL', () => {
  it('gets its own non-INVITE server transaction and finds the INVITE it cancels', () => {
    const { layer, user, transport } = setup();
    const invite = request('INVITE');
    layer.receive(invite, UDP_FLOW);
    const cancel = request('CANCEL');
    layer.receive(cancel, UDP_FLOW);
    expect(user.requests).toHaveLength(2);
    const cancelTx = user.tx(1);
    expect(cancelTx).toBeInstanceOf(NonInviteServerTransaction);
    expect(cancelTx).not.toBe(user.tx(0));
    expect(layer.findInviteForCancel(cancel)).toBe(user.tx(0));

    cancelTx.respond(answer(cancel, 200));
    user.tx(0).respond(answer(invite, 487));
    expect(transport.lines).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 487 Request Terminated']);
    layer.receive(request('CANCEL'), UDP_FLOW);
    expect(transport.lines).toHaveLength(3);
    expect(transport.sent[2].message.cseq.method).toBe('CANCEL');
  });

  it('finds nothing for a CANCEL with another branch or sent-by', () => {
    const { layer } = setup();
    layer.receive(request('INVITE'), UDP_FLOW);
    expect(layer.findInviteForCancel(request('CANCEL', { branch: 'z9hG4bKother' }))).toBeNull();
    expect(layer.findInviteForCancel(request('CANCEL', { sentBy: '198.51.100.9' }))).toBeNull();
  });

  it('finds nothing once the INVITE transaction has ended', () => {
    const { layer, user, clock } = setup();
    const invite = request('INVITE');
    layer.receive(invite, UDP_FLOW);
    user.tx().respond(answer(invite, 200));
    expect(layer.findInviteForCancel(request('CANCEL'))).toBe(user.tx());
    clock.advance(32_000);
    expect(layer.findInviteForCancel(request('CANCEL'))).toBeNull();
  });

  it('matches an RFC 2543 CANCEL on the INVITE fields', () => {
    const { layer, user } = setup();
    layer.receive(request('INVITE', { branch: null }), UDP_FLOW);
    const cancel = request('CANCEL', { branch: null });
    layer.receive(cancel, UDP_FLOW);
    expect(user.requests).toHaveLength(2);
    expect(layer.findInviteForCancel(cancel)).toBe(user.tx(0));
    expect(layer.findInviteForCancel(request('CANCEL', { branch: null, seq: 9 }))).toBeNull();
  });
});

describe('RFC 3261 §17 transaction layer', () => {
  it('refuses to start a client transaction for an ACK, a branch without the cookie, or a branch in use', () => {
    const { layer } = setup();
    const handler = new RecordingHandler();
    expect(() => layer.sendRequest(request('ACK'), UDP_DESTINATION, handler)).toThrow(/ACK has no client transaction/);
    expect(() => layer.sendRequest(request('MESSAGE', { branch: '1234' }), UDP_DESTINATION, handler)).toThrow(/z9hG4bK/);
    expect(() => layer.sendRequest(request('MESSAGE', { branch: null }), UDP_DESTINATION, handler)).toThrow(/z9hG4bK/);
    layer.sendRequest(request('MESSAGE'), UDP_DESTINATION, handler);
    expect(() => layer.sendRequest(request('MESSAGE'), UDP_DESTINATION, handler)).toThrow(/already exists/);
    expect(layer.size).toBe(1);
  });

  it('keeps client and server transactions with the same branch apart', () => {
    const { layer, user } = setup();
    const handler = new RecordingHandler();
    const out = request('MESSAGE');
    layer.sendRequest(out, UDP_DESTINATION, handler);
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(response(out, 200), UDP_FLOW);
    expect(user.requests).toHaveLength(1);
    expect(handler.statuses).toEqual([200]);
  });

  it('RFC 3261 §17.1.3: matches a response on branch and CSeq method, the CANCEL apart from its INVITE', () => {
    const { layer, user } = setup();
    const invite = request('INVITE');
    const inviteHandler = new RecordingHandler();
    layer.sendRequest(invite, UDP_DESTINATION, inviteHandler);
    const cancel = request('CANCEL');
    const cancelHandler = new RecordingHandler();
    layer.sendRequest(cancel, UDP_DESTINATION, cancelHandler);
    expect(() => layer.sendRequest(request('CANCEL'), UDP_DESTINATION, cancelHandler)).toThrow(/already exists/);
    // The INVITE's branch with another CSeq method matches neither transaction.
    layer.receive(response(request('MESSAGE'), 200), UDP_FLOW);
    expect(user.stray).toHaveLength(1);
    layer.receive(response(cancel, 200), UDP_FLOW);
    layer.receive(response(invite, 487), UDP_FLOW);
    expect(cancelHandler.statuses).toEqual([200]);
    expect(inviteHandler.statuses).toEqual([487]);
  });

  it('RFC 3261 §17.1.3: a CANCEL response with no CANCEL sent, or a CSeq method in another case, is stray, and the INVITE stays matched', () => {
    const { layer, user } = setup();
    const invite = request('INVITE');
    const inviteHandler = new RecordingHandler();
    layer.sendRequest(invite, UDP_DESTINATION, inviteHandler);
    layer.receive(response(request('CANCEL'), 200), UDP_FLOW);
    const lowerCase = response(invite, 180).toString().replace(/^CSeq: (\d+) INVITE/m, 'CSeq: $1 invite');
    layer.receive(parseMessage(Buffer.from(lowerCase)), UDP_FLOW);
    expect(user.stray).toHaveLength(2);
    expect(inviteHandler.statuses).toEqual([]);
    layer.receive(response(invite, 180), UDP_FLOW);
    expect(inviteHandler.statuses).toEqual([180]);
  });

  it('drops a response whose top Via has no branch, or does not parse, as stray', () => {
    const { layer, user } = setup();
    layer.receive(response(request('MESSAGE', { branch: null }), 200), UDP_FLOW);
    expect(user.stray).toHaveLength(1);
    const text = response(request('MESSAGE'), 200).toString().replace('SIP/2.0/UDP', 'SIP/2.0/UDP;');
    layer.receive(parseMessage(Buffer.from(text)), UDP_FLOW);
    expect(user.stray).toHaveLength(1);
  });

  it('counts the transactions in flight by kind', () => {
    const { layer } = setup();
    const handler = new RecordingHandler();
    layer.sendRequest(request('INVITE', { branch: 'z9hG4bKout1' }), UDP_DESTINATION, handler);
    layer.sendRequest(request('BYE', { branch: 'z9hG4bKout2' }), UDP_DESTINATION, handler);
    layer.sendRequest(request('OPTIONS', { branch: 'z9hG4bKout3' }), UDP_DESTINATION, handler);
    layer.receive(request('INVITE'), UDP_FLOW);
    layer.receive(request('CANCEL'), UDP_FLOW);
    expect(layer.size).toBe(5);
    expect(layer.counts()).toEqual({ inviteClient: 1, nonInviteClient: 2, inviteServer: 1, nonInviteServer: 1 });
  });

  it('clears every timer and transaction on close, telling no one', () => {
    const { layer, clock, user, transport } = setup();
    const handler = new RecordingHandler();
    layer.sendRequest(request('INVITE', { branch: 'z9hG4bKout1' }), UDP_DESTINATION, handler);
    layer.sendRequest(request('MESSAGE', { branch: 'z9hG4bKout2' }), UDP_DESTINATION, handler);
    const inv = request('INVITE');
    layer.receive(inv, UDP_FLOW);
    user.tx().respond(answer(inv, 486));
    expect(clock.pending).toBeGreaterThan(0);
    layer.close();
    expect(clock.pending).toBe(0);
    expect(layer.size).toBe(0);
    const sent = transport.sent.length;
    clock.advance(100_000);
    expect(transport.sent).toHaveLength(sent);
    expect(handler.timeouts).toHaveLength(0);
    expect(user.timeouts).toHaveLength(0);
  });

  it('reports an exception from the TU to onError after finishing the state change', () => {
    const errors: unknown[] = [];
    const { layer, clock } = setup({ onError: (e) => errors.push(e) });
    const req = request('MESSAGE');
    const tx = layer.sendRequest(req, UDP_DESTINATION, {
      onResponse: () => {
        throw new Error('TU bug');
      },
      onTimeout: () => undefined,
      onTransportError: () => undefined,
    });
    layer.receive(response(req, 200), UDP_FLOW);
    expect(errors.map((e) => (e as Error).message)).toEqual(['TU bug']);
    expect(tx.state).toBe('Completed');
    clock.advance(5000);
    expect(tx.state).toBe('Terminated');
  });

  it('creates the server transaction before an exception from onRequest, so retransmissions are absorbed', () => {
    const errors: unknown[] = [];
    const { layer, user } = setup({ onError: (e) => errors.push(e) });
    user.answer = () => {
      throw new Error('TU bug');
    };
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(errors).toHaveLength(1);
    expect(user.requests).toHaveLength(1);
    expect(layer.size).toBe(1);
  });

  it('ends the transactions completed in the same millisecond on one shared timer (RFC 3261 §17.2.2 Timer J)', () => {
    const { layer, user, clock } = setup();
    user.answer = (tx, req) => tx.respond(createResponse(req, 200));
    for (const branch of ['z9hG4bKa', 'z9hG4bKb', 'z9hG4bKc']) layer.receive(request('OPTIONS', { branch }), UDP_FLOW);
    expect(layer.size).toBe(3);
    expect(clock.pending).toBe(1);
    clock.advance(32_000);
    expect(layer.size).toBe(0);
    expect(user.requests.map((r) => r.tx?.state)).toEqual(['Terminated', 'Terminated', 'Terminated']);
  });

  it('checks the timer values', () => {
    const transport = new RecordingTransport();
    const tu = new RecordingUser();
    expect(() => new TransactionLayer({ transport, tu, timers: { t1: 0 } })).toThrow(RangeError);
    expect(() => new TransactionLayer({ transport, tu, timers: { t1: 1000, t2: 500 } })).toThrow(/T2/);
    expect(new TransactionLayer({ transport, tu }).timers).toEqual({ t1: 500, t2: 4000, t4: 5000, timerD: 32_000 });
  });
});

describe('holding little for what costs nothing (RFC 3261 §8.2.7, §21.5.4)', () => {
  it('keeps no transaction for a refusal or an OPTIONS answer given before onRequest returns, and answers a retransmission afresh', () => {
    const { layer, user, transport, clock } = setup({ statelessImmediateAnswers: true });
    user.answer = (tx, req) => tx.respond(answer(req, req.method === 'OPTIONS' ? 200 : 403));
    layer.receive(request('OPTIONS'), UDP_FLOW);
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(layer.size).toBe(0);
    expect(clock.pending).toBe(0);
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(user.requests).toHaveLength(3);
    expect(transport.lines.map((l) => l.slice(0, 15))).toEqual(['SIP/2.0 200 OK', 'SIP/2.0 403 For', 'SIP/2.0 403 For']);
  });

  it('keeps the transaction for a 2xx other than to OPTIONS, for an answer given later, and for INVITE', async () => {
    const { layer, user } = setup({ statelessImmediateAnswers: true });
    user.answer = (tx, req) => {
      if (req.method === 'MESSAGE') tx.respond(answer(req, 202));
      else if (req.method === 'INVITE') tx.respond(answer(req, 486));
      else void Promise.resolve().then(() => tx.respond(answer(req, 403)));
    };
    layer.receive(request('MESSAGE'), UDP_FLOW);
    layer.receive(request('INVITE'), UDP_FLOW);
    layer.receive(request('SUBSCRIBE'), UDP_FLOW);
    await Promise.resolve();
    expect(layer.size).toBe(3);
    expect(user.requests.map((r) => r.tx?.state)).toEqual(['Completed', 'Completed', 'Completed']);
  });

  it('ends a non-INVITE transaction with its final response, given late, when the TU answers statelessly; absorbs retransmissions until then', async () => {
    const { layer, user, transport, clock } = setup();
    let answerLater: (() => void) | undefined;
    user.answer = (tx, req) => {
      tx.answerStatelessly();
      answerLater = () => tx.respond(answer(req, 200));
    };
    layer.receive(request('REGISTER'), UDP_FLOW);
    layer.receive(request('REGISTER'), UDP_FLOW);
    expect(user.requests).toHaveLength(1);
    answerLater?.();
    expect(layer.size).toBe(0);
    expect(clock.pending).toBe(0);
    layer.receive(request('REGISTER'), UDP_FLOW);
    expect(user.requests).toHaveLength(2);
    expect(transport.lines).toEqual(['SIP/2.0 200 OK']);
  });

  it('keeps the INVITE transaction whatever the TU asks (RFC 3261 §17.2.1: its answer waits for the ACK)', () => {
    const { layer, user } = setup();
    user.answer = (tx, req) => {
      tx.answerStatelessly();
      tx.respond(answer(req, 486));
    };
    layer.receive(request('INVITE'), UDP_FLOW);
    expect(layer.size).toBe(1);
  });

  it('keeps the transaction by default', () => {
    const { layer, user } = setup();
    user.answer = (tx, req) => tx.respond(answer(req, 403));
    layer.receive(request('MESSAGE'), UDP_FLOW);
    expect(layer.size).toBe(1);
  });

  it('answers a new request 503 with Retry-After, without a transaction, once the table is full', () => {
    const overloads: string[] = [];
    const { layer, user, transport } = setup({ maxTransactions: 2, onOverload: (req) => overloads.push(req.method) });
    layer.receive(request('MESSAGE', { branch: 'z9hG4bKa' }), UDP_FLOW);
    layer.receive(request('MESSAGE', { branch: 'z9hG4bKb' }), UDP_FLOW);
    layer.receive(request('MESSAGE', { branch: 'z9hG4bKc' }), UDP_FLOW);
    layer.receive(request('MESSAGE', { branch: 'z9hG4bKa' }), UDP_FLOW);
    layer.receive(request('MESSAGE', { branch: 'z9hG4bKc' }), UDP_FLOW);
    expect(user.requests).toHaveLength(2);
    expect(layer.size).toBe(2);
    expect(overloads).toEqual(['MESSAGE', 'MESSAGE']);
    expect(transport.lines).toEqual(['SIP/2.0 503 Too Many Transactions', 'SIP/2.0 503 Too Many Transactions']);
    const [first, again] = transport.sent.map((s) => s.message as SipResponse);
    expect(first?.header('retry-after')).toBe('5');
    // RFC 3261 §8.2.7: the retransmission, answered afresh, gets the same To tag.
    expect(again?.to.params.get('tag')).toBe(first?.to.params.get('tag'));
  });

  it('checks maxTransactions', () => {
    expect(() => setup({ maxTransactions: 0 })).toThrow('maxTransactions must be a whole number of at least 1, not 0');
  });
});
