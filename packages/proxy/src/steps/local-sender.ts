import { isSipUri } from '@herald/sip';
import { accountAor } from '@herald/store';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { RequestContext } from '../tu/request-context.js';

/**
 * The AoR of the local user sending a request: the account it authenticated as, else (digest
 * off, or a request within a dialog, which is not authenticated) the user From names in a
 * served domain, which may be an alias; `null` when From names no local user.
 */
export function localSenderAor(ctx: RequestContext, identity: Pick<LocalIdentity, 'senderDomain'>): string | null {
  if (ctx.authenticated !== null) return ctx.authenticated.aor;
  const from = ctx.req.from.uri;
  const domain = identity.senderDomain(from);
  return domain !== null && isSipUri(from) && from.user !== null ? accountAor(from.user, domain) : null;
}
