import { type RequestContext, type RequestProcessor, locateUser, temporarilyUnavailable, userNotFound } from '@herald/proxy';
import type { SipResponse } from '@herald/sip';
import type { LocationStore, MessageStore, UserStore } from '@herald/store';
import { bodyTooLarge, tooLargeForUdp } from './im-errors.js';
import type { ImPolicy } from './im-policy.js';
import { isStorable, offlineRecord } from './offline-message.js';

/** Branch failures after which a message is kept for later rather than refused. */
const STORE_ON = new Set([408, 430, 480, 503]);

export interface MessageRelayOptions {
  locations: Pick<LocationStore, 'get'>;
  users: Pick<UserStore, 'get' | 'resolveAlias'>;
  messages: MessageStore;
  policy: ImPolicy;
  clock: { now(): number };
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
}

/**
 * MESSAGE for a user of a served domain (the chain checks that): forked to every contact of the user, the first
 * 2xx going back to the sender. When the user has no contact, or every branch fails with
 * 408/430/480/503, the message is stored and the sender gets 202 Accepted. Bodies pass
 * unchanged whatever their type: never 415.
 * @see RFC 3428 §4, §7, RFC 3994 §3
 */
export function messageRelay(options: MessageRelayOptions): RequestProcessor {
  const { policy } = options;
  return {
    name: 'message-relay',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.body.length > policy.maxBodySize) throw bodyTooLarge(policy.maxBodySize);
      if (ctx.flow.transport === 'udp' && req.toBuffer().length > policy.udpMessageLimit) throw tooLargeForUdp();
      return relay(ctx, options);
    },
  };
}

async function relay(ctx: RequestContext, options: MessageRelayOptions): Promise<'stop'> {
  const { account, targets, known } = await locateUser(options, ctx.req.uri, options.clock.now());
  const storable = isStorable(ctx.req);
  if (targets.length === 0) {
    if (!known) throw userNotFound();
    if (!storable || !(await store(ctx, account, options))) throw temporarilyUnavailable();
    return 'stop';
  }
  await ctx.forward(targets, {
    onFailure: (best: SipResponse) => storable && STORE_ON.has(best.status) && store(ctx, account, options),
  });
  return 'stop';
}

/** Keeps the message and answers 202; false when the recipient's store is full. */
async function store(ctx: RequestContext, account: string, { messages, policy, clock, logger }: MessageRelayOptions): Promise<boolean> {
  const now = clock.now();
  const kept = await messages.add(offlineRecord(ctx.req, account, now, policy.storeForMs), policy.maxStoredPerUser, now);
  if (kept === undefined) {
    logger?.warn('offline messages: recipient store full, message refused', { recipient: account, cap: policy.maxStoredPerUser });
    return false;
  }
  // RFC 3428 §7: 202, the message was accepted for later delivery.
  ctx.respond(202, 'Accepted');
  return true;
}
