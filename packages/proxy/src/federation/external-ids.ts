import { type SipUri, isSipUri, parseUri } from '@herald/sip';
import type { UserStore } from '@herald/store';
import type { CommunityRef } from './community-settings.js';

/** What ID conversion asks of the user store: an account's external form, and the account an alias names. */
export type ExternalAliases = Pick<UserStore, 'externalAliasOf' | 'resolveAlias'>;

/**
 * ID conversion towards gateway communities: the domains of a `convertIds` community see
 * Herald's users by the alias each marks as its external form (`Alice_Smith@acme.test`
 * for the account `asmith@dc.acme.test`), in From, P-Asserted-Identity, the PIDF
 * `entity` and a NOTIFY's From. Which domains convert is read from the peer table (no
 * store read); the external form costs one read of the user store.
 */
export class ExternalIds {
  constructor(
    private readonly policy: { communityOf(domain: string): CommunityRef | undefined },
    private readonly users: ExternalAliases,
  ) {}

  /** Whether `domain` (lower case) belongs to a community that sees users by their external form. */
  convertsIdsFor(domain: string): boolean {
    return this.policy.communityOf(domain)?.convertIds === true;
  }

  /**
   * The external form of `account` (an AoR as `accountAor` writes it), as a SIP URI; `null`
   * when it marks none (or the alias stored is not a SIP URI).
   */
  async externalFormOf(account: string): Promise<SipUri | null> {
    return sipUriOrNull(await this.users.externalAliasOf(account));
  }

  /**
   * The external form of the user a sender's AoR names: the account's own (one read), or,
   * when it is none, that of the account it is an alias of.
   */
  async externalFormOfSender(aor: string): Promise<SipUri | null> {
    const own = await this.users.externalAliasOf(aor);
    if (own !== undefined) return sipUriOrNull(own);
    const account = await this.users.resolveAlias(aor);
    return account === undefined ? null : this.externalFormOf(account);
  }
}

function sipUriOrNull(text: string | undefined): SipUri | null {
  if (text === undefined) return null;
  try {
    const uri = parseUri(text);
    return isSipUri(uri) && uri.user !== null ? uri : null;
  } catch {
    return null;
  }
}
