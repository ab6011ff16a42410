import type { FederationPolicy } from '../federation/federation-policy.js';
import { uriDomain } from '../federation/uri-domain.js';
import type { AuthenticatedUser, RequestContext } from '../tu/request-context.js';
import type { RequestProcessor } from '../tu/request-processor.js';
import { type JudgePeerOptions, sourceProvesDomain } from './judge-peer.js';

const PAI = 'p-asserted-identity';

/**
 * RFC 3325 §5: P-Asserted-Identity is believed only from within the trust domain, Herald and
 * the switched-on gateway communities whose sender was verified (`ctx.peer.community`, by
 * address or certificate). From anyone else, Herald's own users included, every one is
 * removed before any service reads it.
 * @see RFC 3325 §5, §9.1
 */
export function stripAssertedIdentity(): RequestProcessor {
  return {
    name: 'strip-asserted-identity',
    process(ctx) {
      if (!fromTrustDomain(ctx) && ctx.req.hasHeader(PAI)) ctx.req.removeHeader(PAI);
      return 'continue';
    },
  };
}

function fromTrustDomain(ctx: RequestContext): boolean {
  return ctx.peer !== null && ctx.peer.community !== undefined && ctx.peer.proof !== 'none';
}

/**
 * RFC 3325 §5 within a dialog (which the FEDERATION step does not judge): P-Asserted-Identity
 * is kept only from a switched-on gateway community whose sender proves it as the FEDERATION
 * step would (a trusted address, a proxy's address, TLS, the certificate). The dialog is no
 * credential of who sent it: anyone in it holds its Record-Route and writes the From it
 * likes. From anyone else it goes. Asked only of a request that carries one: other
 * in-dialog traffic costs one header scan.
 * @see RFC 3325 §5
 */
export function stripAssertedIdentityInDialog(options: Pick<JudgePeerOptions, 'policy' | 'addresses'>): RequestProcessor {
  const { policy } = options;
  return {
    name: 'strip-asserted-identity-in-dialog',
    process(ctx) {
      if (!ctx.req.hasHeader(PAI)) return 'continue';
      const domain = uriDomain(ctx.req.from.uri);
      const community = domain === null ? undefined : policy.communityOf(domain);
      if (domain === null || community === undefined || !policy.communities.isEnabled(community.name)) return strip(ctx);
      const proven = sourceProvesDomain(ctx, domain, options);
      if (typeof proven === 'boolean') return proven ? 'continue' : strip(ctx);
      return proven.then((p) => (p ? 'continue' : strip(ctx)));
    },
  };
}

function strip(ctx: RequestContext): 'continue' {
  ctx.req.removeHeader(PAI);
  return 'continue';
}

/**
 * RFC 3325 §5: a request for a gateway community carries the identity Herald authenticated
 * its sender as (`<sip:user@domain>`); one for any other domain carries none, since it leaves
 * the trust domain. A `convertIds` community's external form is the ID conversion's to write.
 * @see RFC 3325 §5, §9.1
 */
export function assertIdentityToCommunity(policy: Pick<FederationPolicy, 'communityOf'>): RequestProcessor {
  return {
    name: 'assert-identity-to-community',
    process(ctx) {
      const domain = uriDomain(ctx.req.uri);
      const community = domain === null ? undefined : policy.communityOf(domain);
      if (community === undefined || ctx.authenticated === null) {
        if (ctx.req.hasHeader(PAI)) ctx.req.removeHeader(PAI);
        return 'continue';
      }
      ctx.req.setHeader('P-Asserted-Identity', assertedIdentity(ctx.authenticated));
      return 'continue';
    },
  };
}

/** The P-Asserted-Identity value of an authenticated user: `<sip:user@domain>`. @see RFC 3325 §9.1 */
export function assertedIdentity(user: AuthenticatedUser): string {
  return `<${user.aor}>`;
}
