import { type RequestContext, type RequestProcessor, fromMismatch } from '@herald/proxy';
import { isSipUri } from '@herald/sip';
import { type UserStore, accountAor } from '@herald/store';

/**
 * An authenticated request must come From the user it authenticated as, or from one of
 * their aliases: a user may not send in another user's name. (REGISTER is the registrar's
 * to check: there the AoR is To, and a third-party registration is refused there.)
 * @see RFC 3261 §22.3, RFC 3325 §1 (a network asserts who sent a request)
 */
export function fromIdentity(users: Pick<UserStore, 'resolveAlias'>): RequestProcessor {
  return {
    name: 'from-identity',
    process(ctx: RequestContext) {
      const user = ctx.authenticated;
      if (user === null || ctx.req.method === 'REGISTER') return 'continue';
      const from = ctx.req.from.uri;
      if (!isSipUri(from) || from.user === null) throw fromMismatch();
      const aor = accountAor(from.user, from.host);
      if (aor === user.aor) return 'continue';
      return users.resolveAlias(aor).then((account) => {
        if (account !== user.aor) throw fromMismatch();
        return 'continue' as const;
      });
    },
  };
}
