import type { Subscription } from '@herald/store';

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
