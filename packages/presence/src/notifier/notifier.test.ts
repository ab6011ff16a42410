import { jest } from '@jest/globals';
import type { ForwardOutcome, Target } from '@herald/proxy';
import { type SipRequest, type SipResponse, parseMessage } from '@herald/sip';
import { MemoryClaims, MemorySubscriptionStore, type Subscription } from '@herald/store';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import type { EventPackage } from '../event-package.js';
import { Notifier, type NotifierOptions } from './notifier.js';

const BOB = 'sip:bob@example.com';

/** A presence package whose document says how many times it was read. */
class CountingPackage implements EventPackage {
  readonly event = 'presence';
  reads = 0;
  async body(resource: string) {
    const n = ++this.reads;
    return (sub: Subscription) => (sub.status === 'pending' ? null : { contentType: 'application/pidf+xml', body: `<${resource} ${n}/>` });
  }
}

interface Sent {
  request: SipRequest;
  target: Target;
  /** The subscription's CSeq in the store when the NOTIFY left. */
  storedCseq: number | undefined;
}

let subscriptions: MemorySubscriptionStore;
let sent: Sent[];
let answer: ForwardOutcome;
let now: number;

function notifier(options: Partial<NotifierOptions> = {}): Notifier {
  const n = new Notifier({
    subscriptions,
    claims: new MemoryClaims(),
    originate: async (request, [target]) => {
      const id = `${request.callId};${request.to.params.get('tag')};${request.from.params.get('tag')}`;
      sent.push({ request, target, storedCseq: (await subscriptions.get(id, now))?.localCseq });
      return answer;
    },
    contact: (transport) => `sip:192.0.2.1:5060;transport=${transport}`,
    owner: 'n/1',
    host: 'example.com',
    windowMs: 0,
    clock: { now: () => now },
    ...options,
  });
  n.register(new CountingPackage());
  return n;
}

/** A response to a NOTIFY from the watcher, with `headers`. */
function response(status: number, headers = ''): SipResponse {
  return parseMessage(Buffer.from(`SIP/2.0 ${status} X\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\nFrom: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>;tag=2\r\nCall-ID: c\r\nCSeq: 2 NOTIFY\r\n${headers}Content-Length: 0\r\n\r\n`)) as SipResponse;
}

/** Lets the NOTIFYs a fire-and-forget change started go out. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(async () => {
  now = NOW;
  subscriptions = new MemorySubscriptionStore();
  sent = [];
  answer = { status: 200, response: null, handled: false };
  await subscriptions.compareAndSet(subscription({ id: 'c1;w1;h1' }), now);
  await subscriptions.compareAndSet(subscription({ id: 'c2;w2;h2', callId: 'c2', remoteTag: 'w2', localTag: 'h2', status: 'pending' }), now);
});
afterEach(() => subscriptions.close());

describe('RFC 6665 §4.2.2 notifying the watchers of a change', () => {
  it('sends each active watcher the next CSeq of its dialog, written before the NOTIFY leaves; a pending one nothing', async () => {
    notifier().changed(BOB, 'presence');
    await settle();
    expect(sent.map((s) => [s.request.callId, s.request.header('cseq'), s.storedCseq, s.request.header('subscription-state')])).toEqual([['c1', '2 NOTIFY', 2, 'active;expires=3600']]);
    expect(sent[0].request.body.toString()).toBe(`<${BOB} 1/>`);
    expect((await subscriptions.get('c2;w2;h2', now))?.localCseq).toBe(1);
  });

  it('tells a list watcher of its member in one partial RLMI NOTIFY', async () => {
    const list = subscription({ id: 'l1;w9;h9', callId: 'l1', remoteTag: 'w9', localTag: 'h9', resource: 'sip:friends@example.com', localCseq: 4, data: { list: { members: [BOB], refused: [] }, format: 'application/pidf+xml' } });
    await subscriptions.compareAndSet(list, now);
    await subscriptions.compareAndSet(subscription({ id: `l1;w9;h9|${BOB}`, localCseq: 0, data: { listOf: 'l1;w9;h9', format: 'application/pidf+xml' } }), now);
    notifier().changed(BOB, 'presence');
    await settle();
    const toList = sent.find((s) => s.request.callId === 'l1');
    expect(toList?.request.header('cseq')).toBe('5 NOTIFY');
    expect(toList?.request.header('content-type')).toMatch(/^multipart\/related;type="application\/rlmi\+xml"/);
    expect(toList?.request.body.toString()).toContain('uri="sip:friends@example.com" version="4" fullState="false"');
    expect(toList?.request.body.toString()).toContain(`<${BOB} 1/>`);
  });

  it('ends the subscription of a watcher that answers 481', async () => {
    answer = { status: 481, response: null, handled: false };
    notifier().changed(BOB, 'presence');
    await settle();
    expect((await subscriptions.byResource(BOB, 'presence', now)).map((s) => s.id)).toEqual(['c2;w2;h2']);
  });

  it('ends the subscription of a watcher that answers with any other error, and counts it', async () => {
    const failed: number[] = [];
    answer = { status: 486, response: response(486), handled: false };
    notifier({ notifyFailed: (status) => void failed.push(status) }).changed(BOB, 'presence');
    await settle();
    expect((await subscriptions.byResource(BOB, 'presence', now)).map((s) => s.id)).toEqual(['c2;w2;h2']);
    expect(failed).toEqual([486]);
  });

  it('keeps it when the watcher asks to be tried later (Retry-After)', async () => {
    answer = { status: 503, response: response(503, 'Retry-After: 30\r\n'), handled: false };
    notifier().changed(BOB, 'presence');
    await settle();
    expect(await subscriptions.byResource(BOB, 'presence', now)).toHaveLength(2);
  });
});

describe('RFC 3261 §12.2.1.1 the CSeqs of a fan-out', () => {
  it('writes every watcher\'s next CSeq in one store step, each NOTIFY with its own dialog\'s', async () => {
    await subscriptions.compareAndSet(subscription({ id: 'c3;w3;h3', callId: 'c3', remoteTag: 'w3', localTag: 'h3', localCseq: 41 }), now);
    const batches: number[] = [];
    const many = subscriptions.compareAndSetMany.bind(subscriptions);
    subscriptions.compareAndSetMany = (next, at) => (batches.push(next.length), many(next, at));
    notifier().changed(BOB, 'presence');
    await settle();
    expect(batches).toEqual([2]);
    expect(sent.map((s) => [s.request.callId, s.request.header('cseq'), s.storedCseq]).sort()).toEqual([
      ['c1', '2 NOTIFY', 2],
      ['c3', '42 NOTIFY', 42],
    ]);
  });

  it('reads again a watcher whose record changed after the fan-out read it, and sends the CSeq after the one written meanwhile', async () => {
    const read = subscriptions.byResource.bind(subscriptions);
    subscriptions.byResource = async (resource, event, at) => {
      const found = await read(resource, event, at);
      // Another worker sends a NOTIFY in the dialog between the read and the write.
      const c1 = (await subscriptions.get('c1;w1;h1', at))!;
      await subscriptions.compareAndSet({ ...c1, localCseq: 7, version: c1.version + 1 }, at);
      return found;
    };
    notifier().changed(BOB, 'presence');
    await settle();
    expect(sent.map((s) => [s.request.callId, s.request.header('cseq'), s.storedCseq])).toEqual([['c1', '8 NOTIFY', 8]]);
  });
});

describe('RFC 6665 §4.2.2 one NOTIFY at a time per subscription', () => {
  /** NOTIFYs whose answer the test gives, in the order they were sent. */
  let waiting: Array<(outcome: ForwardOutcome) => void>;
  const held = () =>
    notifier({
      originate: (request) => {
        sent.push({ request, target: null as unknown as Target, storedCseq: undefined });
        return new Promise((resolve) => waiting.push(resolve));
      },
    });
  beforeEach(() => {
    waiting = [];
  });

  it('sends the changes that came while the watcher had not answered once it has, as one NOTIFY with the state then', async () => {
    const n = held();
    n.changed(BOB, 'presence');
    await settle();
    n.changed(BOB, 'presence');
    n.changed(BOB, 'presence');
    await settle();
    expect(sent.map((s) => s.request.header('cseq'))).toEqual(['2 NOTIFY']);
    waiting.shift()!({ status: 200, response: null, handled: false });
    await settle();
    // The state is read once more, when the watcher has answered: not for each change meanwhile.
    expect(sent.map((s) => [s.request.header('cseq'), s.request.body.toString()])).toEqual([
      ['2 NOTIFY', `<${BOB} 1/>`],
      ['3 NOTIFY', `<${BOB} 2/>`],
    ]);
  });

  it('reads the state once for the watchers that answer in the same turn after changes came, each with its next CSeq', async () => {
    await subscriptions.compareAndSet(subscription({ id: 'c3;w3;h3', callId: 'c3', remoteTag: 'w3', localTag: 'h3', localCseq: 9 }), now);
    const pkg = new CountingPackage();
    const n = held();
    n.register(pkg);
    n.changed(BOB, 'presence');
    await settle();
    n.changed(BOB, 'presence');
    await settle();
    // Every watcher owes an answer: nothing to send yet, so the state is not read.
    expect(pkg.reads).toBe(1);
    for (const answer of waiting.splice(0)) answer({ status: 200, response: null, handled: false });
    await settle();
    expect(pkg.reads).toBe(2);
    expect(sent.map((s) => [s.request.callId, s.request.header('cseq'), s.request.body.toString()]).sort()).toEqual([
      ['c1', '2 NOTIFY', `<${BOB} 1/>`],
      ['c1', '3 NOTIFY', `<${BOB} 2/>`],
      ['c3', '10 NOTIFY', `<${BOB} 1/>`],
      ['c3', '11 NOTIFY', `<${BOB} 2/>`],
    ]);
    expect((await subscriptions.get('c3;w3;h3', now))?.localCseq).toBe(11);
  });

  it('reads again a watcher whose record changed while its NOTIFY waited for the answer, and sends the CSeq after the one written meanwhile', async () => {
    const n = held();
    n.changed(BOB, 'presence');
    await settle();
    n.changed(BOB, 'presence');
    await settle();
    // A refresh in the dialog meanwhile: its own NOTIFY's CSeq (3) written with it.
    const current = (await subscriptions.get('c1;w1;h1', now))!;
    await subscriptions.compareAndSet({ ...current, localCseq: 3, version: current.version + 1 }, now);
    waiting.shift()!({ status: 200, response: null, handled: false });
    await settle();
    expect(sent.map((s) => s.request.header('cseq'))).toEqual(['2 NOTIFY', '4 NOTIFY']);
    expect((await subscriptions.get('c1;w1;h1', now))?.localCseq).toBe(4);
  });

  it('sends nothing more to a watcher that never answers: the timeout ends the subscription and the changes meanwhile', async () => {
    const n = held();
    n.changed(BOB, 'presence');
    await settle();
    n.changed(BOB, 'presence');
    await settle();
    waiting.shift()!({ status: 408, response: null, handled: false });
    await settle();
    expect(await subscriptions.get('c1;w1;h1', now)).toBeUndefined();
    n.changed(BOB, 'presence');
    await settle();
    expect(sent.map((s) => s.request.header('cseq'))).toEqual(['2 NOTIFY']);
  });
});

describe('RFC 3856 §6.10 coalescing changes across workers', () => {
  beforeEach(() => jest.useFakeTimers({ now: NOW, doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('sends the first change at once and merges the later ones within the window into one NOTIFY at its end', async () => {
    const n = notifier({ windowMs: 5000, clock: { now: () => Date.now() } });
    now = Date.now();
    n.changed(BOB, 'presence');
    await settle();
    expect(sent).toHaveLength(1);
    n.changed(BOB, 'presence');
    n.changed(BOB, 'presence');
    await settle();
    expect(sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(5000);
    now = Date.now();
    await settle();
    expect(sent.map((s) => s.request.header('cseq'))).toEqual(['2 NOTIFY', '3 NOTIFY']);
    n.stop();
  });
});

describe('RFC 6665 §4.2.2 the final NOTIFY', () => {
  it('carries the state when the subscription timed out, and nothing when the presentity rejected the watcher', async () => {
    const n = notifier();
    await n.ended(subscription({ id: 'c1;w1;h1' }), 'timeout');
    await n.ended(subscription({ id: 'c1;w1;h1' }), 'rejected');
    expect(sent.map((s) => [s.request.header('cseq'), s.request.header('subscription-state'), s.request.body.toString()])).toEqual([
      ['2 NOTIFY', 'terminated;reason=timeout', `<${BOB} 1/>`],
      ['2 NOTIFY', 'terminated;reason=rejected', ''],
    ]);
  });

  it('goes to every expired subscription the sweep takes; list members are handed back to end with their list', async () => {
    await subscriptions.compareAndSet(subscription({ id: 'l1|x', expiresAt: NOW + 10, data: { listOf: 'l1' } }), now);
    await subscriptions.compareAndSet(subscription({ id: 'c3;w3;h3', callId: 'c3', remoteTag: 'w3', localTag: 'h3', expiresAt: NOW + 10 }), now);
    now = NOW + 1000;
    const members = await notifier().sweep(10);
    await settle();
    expect(members.map((m) => m.id)).toEqual(['l1|x']);
    expect(sent.map((s) => [s.request.callId, s.request.header('subscription-state')])).toEqual([['c3', 'terminated;reason=timeout']]);
  });
});
