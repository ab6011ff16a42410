import type { Subscription } from '@herald/store';
import type { NotifyBody } from '../event-package.js';
import { composePresence } from '../pidf/compose-presence.js';
import { parsePidf } from '../pidf/pidf-document.js';
import { PIDF, type PresenceFormat, renderPresence } from '../pidf/presence-formats.js';
import { remoteDialogOf } from './remote-dialog.js';
import type { ListMember } from './rlmi-document.js';

/** A member in a served domain as a list NOTIFY shows it: its standing, and the document the presence package writes for it. @see RFC 4662 §5.2 */
export function localMemberEntry(member: Subscription, body: NotifyBody): ListMember {
  return { uri: member.resource, state: member.status === 'pending' ? 'pending' : 'active', part: body(member) };
}

/**
 * A member in another domain as a list NOTIFY shows it: its state, and its document in the
 * format the list's watcher takes (PIDF as its domain wrote it, else converted).
 * @see RFC 4662 §5.2
 */
export function remoteMemberEntry(member: Subscription): ListMember {
  const uri = member.resource;
  if (member.status === 'terminated') return { uri, state: 'terminated', reason: (member.data.reason as string | undefined) ?? 'noresource', part: null };
  const { document } = remoteDialogOf(member);
  if (member.status === 'pending' || document === null) return { uri, state: member.status, part: null };
  const format = (member.data.format as PresenceFormat | undefined) ?? PIDF;
  if (format === PIDF) return { uri, state: 'active', part: { contentType: PIDF, body: document } };
  return { uri, state: 'active', part: { contentType: format, body: renderPresence(composePresence(uri, [parsePidf(document)]), format) } };
}

/** A member that is no more, or never was, with the RLMI reason. @see RFC 4662 §5.2 */
export function terminatedEntry(uri: string, reason: string): ListMember {
  return { uri, state: 'terminated', reason, part: null };
}
