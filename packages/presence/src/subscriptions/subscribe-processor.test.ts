import type { SubscriptionStore } from '@herald/store';
import type { ListData } from '../lists/list-subscription.js';
import { POLICY, PresenceTestbed } from '../../test/helpers/presence-services.js';
import { DOMAIN, subscribeRequest } from '../../test/helpers/presence-requests.js';
import { initialSubscriptions } from './subscribe-processor.js';

const BOB = `sip:bob@${DOMAIN}`;
const ALICE = `sip:alice@${DOMAIN}`;
let bed: PresenceTestbed;

beforeEach(async () => {
  bed = new PresenceTestbed();
  await bed.addUser('bob');
});
afterEach(() => bed.close());

async function stored(id: string, subscriptions: Pick<SubscriptionStore, 'get'> = bed.store.subscriptions) {
  return subscriptions.get(id, bed.clock.now());
}

describe('RFC 6665 §4.2.1 an initial SUBSCRIBE', () => {
  it('is written, answered 200 with our tag, Contact and Expires, then followed by its first NOTIFY', async () => {
    const ctx = bed.context(subscribeRequest(['Expires: 600'], { callId: 'c1' }));
    expect(await ctx.run(initialSubscriptions(bed.services()))).toBe('stop');
    const res = ctx.response;
    expect(res.status).toBe(200);
    expect(res.header('expires')).toBe('600');
    expect(res.header('contact')).toBe('<sip:192.0.2.1:5060;transport=udp>');
    const tag = res.to.params.get('tag') ?? '';
    const sub = await stored(`c1;w1;${tag}`);
    expect(sub).toMatchObject({ resource: BOB, watcher: ALICE, status: 'active', localCseq: 1, expiresAt: bed.clock.now() + 600_000 });
    expect(bed.notifier.calls).toEqual([
      { call: 'notifyWritten', sub, state: { state: 'active', expires: 600 }, responsesSent: 1 },
      { call: 'watchersChanged', resource: BOB, event: 'presence' },
    ]);
  });

  it('is a fetch with Expires: 0: one terminated NOTIFY and nothing kept', async () => {
    const ctx = bed.context(subscribeRequest(['Expires: 0'], { callId: 'c2' }));
    await ctx.run(initialSubscriptions(bed.services()));
    expect(ctx.response.header('expires')).toBe('0');
    expect(await stored(`c2;w1;${ctx.response.to.params.get('tag')}`)).toBeUndefined();
    expect(bed.notifier.calls.map((c) => c.call === 'notifyWritten' && c.state)).toEqual([{ state: 'terminated', reason: 'timeout' }]);
  });

  it('waits (pending) for a watcher the presentity wants to confirm, and refuses a blocked one with 403', async () => {
    await bed.store.presenceRules.setRule({ presentity: BOB, watcher: ALICE, action: 'confirm', updatedAt: 0 });
    const pending = bed.context(subscribeRequest());
    await pending.run(initialSubscriptions(bed.services()));
    expect(bed.notifier.calls[0]).toMatchObject({ call: 'notifyWritten', state: { state: 'pending' } });
    await bed.store.presenceRules.setRule({ presentity: BOB, watcher: ALICE, action: 'block', updatedAt: 1 });
    const blocked = bed.context(subscribeRequest([], { callId: 'c3' }));
    await blocked.run(initialSubscriptions(bed.services()));
    expect(blocked.response.status).toBe(403);
  });

  it('answers 404 for a user that does not exist, and leaves other requests to the next processor', async () => {
    const unknown = bed.context(subscribeRequest([], { uri: `sip:nobody@${DOMAIN}` }));
    await unknown.run(initialSubscriptions(bed.services()));
    expect(unknown.response.status).toBe(404);
    expect(await bed.context(subscribeRequest([], { uri: 'sip:bob@example.net' })).run(initialSubscriptions(bed.services()))).toBe('continue');
  });
});

describe('RFC 4662 §4 a subscription to a stored resource list', () => {
  const LIST = `sip:friends@${DOMAIN}`;
  beforeEach(() => bed.store.groups.put({ uri: LIST, members: [BOB, `sip:carol@${DOMAIN}`, 'sip:dave@elsewhere.net', BOB], name: null }));

  it('holds one subscription per known member, lists the others noresource, and answers with Require: eventlist', async () => {
    const ctx = bed.context(subscribeRequest(['Supported: eventlist'], { uri: LIST, callId: 'l1' }));
    await ctx.run(initialSubscriptions(bed.services()));
    expect(ctx.response.status).toBe(200);
    expect(ctx.response.header('require')).toBe('eventlist');
    const id = `l1;w1;${ctx.response.to.params.get('tag')}`;
    const list = await stored(id);
    expect(list?.data).toEqual({
      list: { members: [BOB], refused: [{ uri: `sip:carol@${DOMAIN}`, reason: 'noresource' }, { uri: 'sip:dave@elsewhere.net', reason: 'noresource' }] },
      format: 'application/pidf+xml',
    });
    expect(await stored(`${id}|${BOB}`)).toMatchObject({ resource: BOB, status: 'active', localCseq: 0, data: { listOf: id } });
    expect(bed.notifier.calls[0]).toMatchObject({ call: 'notifyWritten', sub: { id }, responsesSent: 1 });
  });

  it('refuses a watcher that cannot take list NOTIFYs: 421 without eventlist, 406 without multipart/related', async () => {
    const without = bed.context(subscribeRequest([], { uri: LIST }));
    await without.run(initialSubscriptions(bed.services()));
    expect(without.response.status).toBe(421);
    expect(without.response.header('require')).toBe('eventlist');
    const rlmiOnly = bed.context(subscribeRequest(['Supported: eventlist', 'Accept: application/pidf+xml'], { uri: LIST }));
    await rlmiOnly.run(initialSubscriptions(bed.services()));
    expect(rlmiOnly.response.status).toBe(406);
  });

  it('lists a member that blocks the watcher as rejected', async () => {
    await bed.store.presenceRules.setRule({ presentity: BOB, watcher: ALICE, action: 'block', updatedAt: 0 });
    const ctx = bed.context(subscribeRequest(['Supported: eventlist'], { uri: LIST, callId: 'l2' }));
    await ctx.run(initialSubscriptions(bed.services()));
    const list = await stored(`l2;w1;${ctx.response.to.params.get('tag')}`);
    const { members, refused } = list?.data.list as ListData;
    expect(members).toEqual([]);
    expect(refused[0]).toEqual({ uri: BOB, reason: 'rejected' });
  });
});

describe('RFC 5367 §4 a list carried in the SUBSCRIBE', () => {
  it('needs a resource-lists body: 415 for another type', async () => {
    const ctx = bed.context(subscribeRequest(['Require: recipient-list-subscribe', 'Supported: eventlist', 'Content-Type: text/plain'], { body: 'sip:bob@example.com' }));
    await ctx.run(initialSubscriptions(bed.services()));
    expect(ctx.response.status).toBe(415);
    expect(ctx.response.header('accept')).toBe('application/resource-lists+xml');
  });
});

describe('DESIGN (issue 13) what a watcher of another domain makes Herald keep', () => {
  const caps = (strangers: Partial<typeof POLICY.strangers>) => bed.services({ policy: { ...POLICY, strangers: { ...POLICY.strangers, ...strangers } } });
  const fromStranger = (user: string, domain: string, callId: string, headers: string[] = ['Expires: 3600']) =>
    subscribeRequest(headers, { from: `<sip:${user}@${domain}>;tag=w1`, callId });

  it('refuses a stranger past a cap with 503, Retry-After and a reason naming the cap, and counts it', async () => {
    const refused: string[] = [];
    const services = { ...caps({ maxSubscriptionsPerSource: 2 }), capReached: (cap: string) => void refused.push(cap) };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const ctx = bed.context(fromStranger(`u${i}`, `d${i}.example`, `s${i}`));
      await ctx.run(initialSubscriptions(services));
      statuses.push(ctx.response.status);
    }
    expect(statuses).toEqual([200, 200, 503, 503]);
    const last = bed.ctx!.response;
    expect(last.reason).toBe('Too Many Subscriptions From Your Address');
    expect(last.header('retry-after')).toBe('600');
    expect(refused).toEqual(['foreign-source', 'foreign-source']);
  });

  it('refuses a stranger once the presentity has maxWatchersPerPresentity watchers, never a local watcher', async () => {
    const services = caps({ maxWatchersPerPresentity: 1 });
    const local = bed.context(subscribeRequest(['Expires: 600'], { callId: 'l1' }));
    await local.run(initialSubscriptions(services));
    const stranger = bed.context(fromStranger('zed', 'other.example', 's1'));
    await stranger.run(initialSubscriptions(services));
    expect(stranger.response.status).toBe(503);
    expect(stranger.response.reason).toBe('Too Many Watchers Of This Presentity');
    const another = bed.context(subscribeRequest(['Expires: 600'], { callId: 'l2', from: `<sip:carol@${DOMAIN}>;tag=w1` }));
    await another.run(initialSubscriptions(services));
    expect(another.response.status).toBe(200);
  });

  it('grants a pending stranger at most maxForeignPendingExpires, and records who it is', async () => {
    const ctx = bed.context(fromStranger('zed', 'other.example', 'p1'));
    await ctx.run(initialSubscriptions(bed.services()));
    expect(ctx.response.header('expires')).toBe('600');
    const sub = await stored(`p1;w1;${ctx.response.to.params.get('tag')}`);
    expect(sub).toMatchObject({ status: 'pending', expiresAt: bed.clock.now() + 600_000, foreign: { domain: 'other.example', source: '198.51.100.7' } });
    const local = bed.context(subscribeRequest(['Expires: 3600'], { callId: 'p2' }));
    await local.run(initialSubscriptions(bed.services()));
    expect(local.response.header('expires')).toBe('3600');
    expect((await stored(`p2;w1;${local.response.to.params.get('tag')}`))?.foreign).toBeUndefined();
  });
});
