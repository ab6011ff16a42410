import type { LocalIdentity, RequestContext, RequestProcessor } from '@herald/proxy';
import type { SubscriptionStore } from '@herald/store';
import { rewriteSubscription } from '../subscription-writes.js';
import { applyMemberNotify, readMemberNotify } from './member-notify.js';
import { memberIdOf } from './member-contact.js';
import type { RemoteMembers } from './remote-members.js';

export interface ListMemberNotifiesOptions {
  identity: Pick<LocalIdentity, 'isSelf'>;
  subscriptions: Pick<SubscriptionStore, 'get' | 'compareAndSet'>;
  remote: Pick<RemoteMembers, 'notified'>;
  clock: { now(): number };
}

/**
 * NOTIFYs of the subscriptions Herald holds in other domains for list members, addressed
 * to the Contact that names the member's record: answered, and their state made the
 * member's. The dialog is its own credential, so this runs before authentication, as
 * in-dialog requests do.
 * @see RFC 4662 §4.4, RFC 6665 §4.1.3
 */
export function listMemberNotifies(options: ListMemberNotifiesOptions): RequestProcessor {
  return {
    name: 'list-member-notifies',
    process(ctx: RequestContext) {
      const id = memberIdOf(ctx.req.uri, options.identity);
      return id === null ? 'continue' : notified(ctx, id, options);
    },
  };
}

async function notified(ctx: RequestContext, id: string, { subscriptions, remote, clock }: ListMemberNotifiesOptions): Promise<'stop'> {
  const now = clock.now();
  const notify = readMemberNotify(ctx.req);
  const member = await subscriptions.get(id, now);
  const outcome = applyMemberNotify(member, notify, now);
  ctx.respond(200, 'OK');
  if (outcome.kind === 'stale' || member === undefined) return 'stop';
  const written = await rewriteSubscription(subscriptions, member, () => outcome.change, clock);
  if (written !== undefined) await remote.notified(member, written, outcome);
  return 'stop';
}
