import { type AuthenticatedUser, type LocalIdentity, canonicalHost } from '@herald/proxy';
import { type SipRequest, formatUri, isSipUri } from '@herald/sip';
import { type MessageSender, accountAor } from '@herald/store';

/**
 * Who sent a MESSAGE, as the caps of the offline store count it: the authenticated user,
 * else the AoR of From; and for a sender of a domain Herald does not serve (who cannot
 * authenticate), that domain. A From that is no SIP URI counts as its scheme's domain.
 */
export function messageSender(req: SipRequest, authenticated: AuthenticatedUser | null, identity: Pick<LocalIdentity, 'senderDomain'>): MessageSender {
  if (authenticated !== null) return { aor: authenticated.aor, foreignDomain: null };
  const from = req.from.uri;
  if (!isSipUri(from)) return { aor: formatUri(from), foreignDomain: `${from.scheme}:` };
  const host = canonicalHost(from.host);
  const aor = from.user === null || from.user === '' ? `sip:${host}` : accountAor(from.user, host);
  return { aor, foreignDomain: identity.senderDomain(from) === null ? host : null };
}
