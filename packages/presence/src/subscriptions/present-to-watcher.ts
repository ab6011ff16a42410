import type { ExternalIds } from '@herald/proxy';
import { formatUri } from '@herald/sip';
import type { Subscription } from '@herald/store';

/** What the presence agent asks of ID conversion (`ExternalIds` of `@herald/proxy`). */
export type PresenceExternalIds = Pick<ExternalIds, 'convertsIdsFor' | 'externalFormOf' | 'externalFormOfSender'>;

/**
 * ID conversion for a watcher in a `convertIds` community: the subscription shows the
 * presentity by its external form, as the dialog's local URI (the From of every NOTIFY)
 * and as the PIDF `entity` (`data.entity`), decided once, when the subscription is made
 * (one read of the user store; none for other watchers).
 * DEVIATION(RFC 3261 §12.1.1): the local URI of the notifier's side of the dialog is the
 * To of the SUBSCRIBE; a watcher that subscribed to the account's own AoR is sent NOTIFYs
 * From the external form. It matches them to the dialog by Call-ID and tags, which stay.
 * @see RFC 3863 §4.1.1 (entity), RFC 6665 §4.2.2
 */
export async function presentedToWatcher(sub: Subscription, ids: PresenceExternalIds | undefined): Promise<Subscription> {
  if (ids === undefined || !sub.foreign || !ids.convertsIdsFor(sub.foreign.domain)) return sub;
  const external = await ids.externalFormOf(sub.resource);
  if (external === null) return sub;
  const uri = formatUri(external);
  return { ...sub, localUri: uri, data: { ...sub.data, entity: uri } };
}

/** The entity a subscription's documents name, when it is not the resource's own AoR. */
export function presentedEntity(sub: Subscription): string | null {
  return typeof sub.data.entity === 'string' ? sub.data.entity : null;
}
