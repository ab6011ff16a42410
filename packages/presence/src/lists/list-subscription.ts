import type { PresenceAction, Subscription } from '@herald/store';
import { standingOf } from '../authorization/watcher-authorization.js';
import type { PresenceFormat } from '../pidf/presence-formats.js';
import { newDialog } from './remote-dialog.js';

/** A member's record outlives its list by this much, so that the list's own end is what its watcher is told. */
export const LIST_MEMBER_GRACE_MS = 60_000;

/** What a list subscription keeps: the members with a subscription of their own, and those refused. */
export interface ListData {
  members: string[];
  refused: Array<{ uri: string; reason: string }>;
}

/** The id of the subscription a list subscription holds for one member, on the list watcher's behalf. */
export function listMemberId(parentId: string, member: string): string {
  return `${parentId}|${member}`;
}

/** A subscription to a resource list. @see RFC 4662 */
export function isList(sub: Subscription): boolean {
  return sub.data.list !== undefined;
}

/** The id of the list subscription `sub` is a member of, or `null` when it is none. */
export function listOf(sub: Subscription): string | null {
  return typeof sub.data.listOf === 'string' ? sub.data.listOf : null;
}

/**
 * The subscription a list holds for a member in a served domain, standing as the member's
 * decision about the list's watcher says; `rejected` when the member blocks the watcher.
 * Members outlive their list a little, so that the list's own end is what watchers are told.
 * @see RFC 4662 §4.4, §5.2; RFC 3857 §3.2
 */
export function localListMember(parent: Subscription, resource: string, action: PresenceAction, format: PresenceFormat): Subscription | 'rejected' {
  if (action === 'block') return 'rejected';
  const { status, polite } = standingOf(action);
  return { ...parent, id: listMemberId(parent.id, resource), resource, status, localCseq: 0, expiresAt: parent.expiresAt + LIST_MEMBER_GRACE_MS, data: { listOf: parent.id, format, polite } };
}

/**
 * The record of a member in another domain before Herald subscribes there: `pending`, with
 * a dialog yet to be set up from the member's URI as the list has it.
 * @see RFC 4662 §4.4
 */
export function remoteListMember(parent: Subscription, resource: string, uri: string, format: PresenceFormat): Subscription {
  return { ...parent, id: listMemberId(parent.id, resource), resource, status: 'pending', localCseq: 0, expiresAt: parent.expiresAt + LIST_MEMBER_GRACE_MS, data: { listOf: parent.id, format, remote: newDialog(uri) } };
}

/**
 * What a list subscription keeps from what became of each of its entries (a member's
 * subscription, or the reason there is none), in list order: each member once, by its AoR.
 * @returns the list's data and the member subscriptions to write.
 */
export function gatherMembers(outcomes: ReadonlyArray<readonly [uri: string, outcome: Subscription | string]>): { data: ListData; members: Subscription[] } {
  const data: ListData = { members: [], refused: [] };
  const members: Subscription[] = [];
  for (const [uri, outcome] of outcomes) {
    if (typeof outcome === 'string') data.refused.push({ uri, reason: outcome });
    else if (!data.members.includes(outcome.resource)) {
      data.members.push(outcome.resource);
      members.push(outcome);
    }
  }
  return { data, members };
}
