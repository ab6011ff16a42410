import { type LocalIdentity, type RequestContext, type RequestProcessor, fromMismatch } from '@herald/proxy';
import { isSipUri } from '@herald/sip';
import { type UserStore, accountAor } from '@herald/store';

/**
 * An authenticated request must come From the user it authenticated as, or from one of
 * their aliases: a user may not send in another user's name. A From naming a served domain
 * in another spelling is that domain; one naming Herald's own address stands for the
 * user's own domain. (REGISTER is the registrar's to check: there the AoR is To, and a
 * third-party registration is refused there; the chain runs this step for the rest.)
 * @see RFC 3261 §22.3, RFC 3325 §1 (a network asserts who sent a request)
 */
export function fromIdentity(identity: LocalIdentity, users: Pick<UserStore, 'resolveAlias'>): RequestProcessor {
  return {
    name: 'from-identity',
    process(ctx: RequestContext) {
      const user = ctx.authenticated;
      if (user === null) return 'continue';
      const from = ctx.req.from.uri;
      if (!isSipUri(from) || from.user === null) throw fromMismatch();
      const domain = identity.isSelf(from.host, null) ? user.domain : (identity.servedDomain(from.host) ?? from.host);
      const aor = accountAor(from.user, domain);
      if (aor === user.aor) return 'continue';
      return users.resolveAlias(aor).then((account) => {
        if (account !== user.aor) throw fromMismatch();
        return 'continue' as const;
      });
    },
  };
}
