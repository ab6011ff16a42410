import { type LocalIdentity, type RequestContext, type RequestProcessor, locateUser, temporarilyUnavailable, userNotFound } from '@herald/proxy';
import type { SipResponse } from '@herald/sip';
import type { LocationStore, MessageCap, MessageCaps, MessageStore, UserStore } from '@herald/store';
import { bodyTooLarge, storeFull, tooLargeForUdp } from './im-errors.js';
import type { ImPolicy } from './im-policy.js';
import { messageSender } from './message-sender.js';
import { isStorable, offlineRecord } from './offline-message.js';

/** Branch failures after which a message is kept for later rather than refused. */
const STORE_ON = new Set([408, 430, 480, 503]);

export interface MessageRelayOptions {
  /** Which senders are of a served domain (the caps per foreign domain count the others). */
  identity: Pick<LocalIdentity, 'senderDomain'>;
  locations: Pick<LocationStore, 'get'>;
  users: Pick<UserStore, 'get' | 'resolveAlias'>;
  messages: MessageStore;
  policy: ImPolicy;
  clock: { now(): number };
  /** A message was refused by a cap of the offline store (for the operator's metrics). */
  capReached?(cap: MessageCap): void;
}

/**
 * MESSAGE for a user of a served domain (the chain checks that): forked to every contact of the user, the first
 * 2xx going back to the sender. When the user has no contact, or every branch fails with
 * 408/430/480/503, the message is stored and the sender gets 202 Accepted, within the caps
 * per recipient, per sender and per foreign domain (480 naming the cap past one). Bodies
 * pass unchanged whatever their type: never 415.
 * @see RFC 3428 §4, §7, RFC 3994 §3
 */
export function messageRelay(options: MessageRelayOptions): RequestProcessor {
  const { policy } = options;
  return {
    name: 'message-relay',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.body.length > policy.maxBodySize) throw bodyTooLarge(policy.maxBodySize);
      if (ctx.flow.transport === 'udp' && req.byteLength() > policy.udpMessageLimit) throw tooLargeForUdp();
      return relay(ctx, options);
    },
  };
}

async function relay(ctx: RequestContext, options: MessageRelayOptions): Promise<'stop'> {
  const { account, targets, known } = await locateUser(options, ctx.req.uri, options.clock.now());
  const storable = isStorable(ctx.req);
  if (targets.length === 0) {
    if (!known) throw userNotFound();
    if (!storable) throw temporarilyUnavailable();
    await store(ctx, account, options);
    return 'stop';
  }
  await ctx.forward(targets, {
    onFailure: (best: SipResponse) => storable && STORE_ON.has(best.status) && store(ctx, account, options),
  });
  return 'stop';
}

/** Keeps the message and answers 202, or answers 480 naming the cap that refused it. Answers either way. */
async function store(ctx: RequestContext, account: string, { identity, messages, policy, clock, capReached }: MessageRelayOptions): Promise<true> {
  const now = clock.now();
  const sender = messageSender(ctx.req, ctx.authenticated, identity);
  const kept = await messages.add(offlineRecord(ctx.req, account, sender, now, policy.storeForMs), offlineCaps(policy), now);
  if (typeof kept === 'string') {
    capReached?.(kept);
    const refusal = storeFull(kept);
    ctx.respond(refusal.status, refusal.reason);
    return true;
  }
  // RFC 3428 §7: 202, the message was accepted for later delivery.
  ctx.respond(202, 'Accepted');
  return true;
}

function offlineCaps(policy: ImPolicy): MessageCaps {
  return { perRecipient: policy.maxStoredPerUser, perSender: policy.maxStoredPerSender, perForeignDomain: policy.maxStoredPerForeignDomain };
}
