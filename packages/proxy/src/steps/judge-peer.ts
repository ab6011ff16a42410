import { isIP } from 'node:net';
import { SipError, isSipUri } from '@herald/sip';
import type { DomainAddresses } from '@herald/stack';
import { DnsError, socketAddress } from '@herald/stack';
import { FROM_WITHOUT_DOMAIN, certificateDoesNotName, fromDomainMismatch, fromWithoutDomain, peerDnsUnavailable, sourceNotAuthorized, tlsRequired } from '../federation/federation-errors.js';
import type { FederationPolicy } from '../federation/federation-policy.js';
import type { FederationLevel } from '../federation/federation-settings.js';
import type { Peer } from '../federation/peer-table.js';
import type { FlowOffences } from '../federation/flow-offences.js';
import { type PeerVerdict, certificateRefusal, flowIdentities } from '../federation/peer-verdict.js';
import { requestFeature } from '../federation/request-feature.js';
import { uriDomain } from '../federation/uri-domain.js';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { RequestContext } from '../tu/request-context.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/** Which way a request crosses to or from another domain, and how the policy answered it. */
export type FederationObserver = (peer: string, direction: 'in' | 'out', result: string) => void;

export interface JudgePeerOptions {
  policy: FederationPolicy;
  identity: Pick<LocalIdentity, 'servedDomain'>;
  /** RFC 3263 (and `routes:`): the addresses that may speak for a domain. */
  addresses: Pick<DomainAddresses, 'speaksFor'>;
  offences: FlowOffences;
  /** Closes a connection that kept sending for domains it is not identified as. */
  closeFlow(flowId: string): void;
  observe?: FederationObserver;
}

/**
 * Says who sent a request whose From names another domain, and refuses it when the
 * federation policy does: the allow and block lists (and a gateway community switched off),
 * the flow's TLS identity, the level of the domain (its DNS for `verified`, TLS for
 * `encrypted`, the certificate for `trusted`; a community's `trustedIps` and proxies in place
 * of its DNS when it names proxies), then the feature. The verdict, with the community, is
 * left on `ctx.peer` for later steps.
 * @see RFC 3263 §4, RFC 5922 §7.2
 */
export function judgePeer(options: JudgePeerOptions): RequestProcessor {
  const { policy, observe } = options;
  return {
    name: 'judge-peer',
    process(ctx) {
      const claimed = uriDomain(ctx.req.from.uri);
      // A From without a domain (tel:), or naming an address no peer entry names (any host
      // speaks for its own address), cannot be checked against a domain: only a permissive default takes it.
      const noDomain = claimed === null || (isIP(claimed) !== 0 && policy.peerFor(claimed) === null);
      if (noDomain && policy.levelOf('') !== 'permissive') {
        observe?.('other', 'in', FROM_WITHOUT_DOMAIN);
        throw fromWithoutDomain();
      }
      const domain = claimed ?? '';
      // The domain's entry and level, looked up once for every check below.
      const claim: Claim = { domain, peer: policy.peerFor(domain), level: policy.levelOf(domain) };
      const counted = (error: unknown): never => {
        if (error instanceof SipError) observe?.(claim.peer?.domain ?? 'other', 'in', error.code);
        throw error;
      };
      try {
        const refusal = policy.listRefusal(domain, ctx.flow.remoteAddress) ?? identityRefusal(ctx, claim, options);
        if (refusal !== null) throw refusal;
        const proof = levelProof(ctx, claim, options);
        if (typeof proof === 'string') return admit(ctx, claim, proof, options);
        return proof.then((p) => admit(ctx, claim, p, options)).catch(counted);
      } catch (error) {
        return counted(error);
      }
    },
  };
}

/** The domain a From claims, its peer table entry and its level. */
interface Claim {
  domain: string;
  peer: Peer | null;
  level: FederationLevel;
}

/**
 * A flow identified as some domains carries requests of those domains only; the third
 * offence closes it. At level `trusted` the reason names the certificate, which is what failed.
 */
function identityRefusal(ctx: RequestContext, { domain, level }: Claim, options: JudgePeerOptions): SipError | null {
  const identities = flowIdentities(ctx.flow, options.policy.peerCas);
  if (identities === null || identities.includes(domain)) return null;
  if (options.offences.offend(ctx.flow.id)) options.closeFlow(ctx.flow.id);
  return level === 'trusted' ? certificateDoesNotName(domain) : fromDomainMismatch();
}

/**
 * Whether the request's source proves `domain` as its level asks (certificate, TLS, the
 * address of a proxy, a trusted address or the domain's DNS), answered without refusing:
 * for a step that only decides whether to believe what the sender says. A source that does
 * not prove it, a `permissive` level, or DNS that cannot be asked: false.
 * @see RFC 3263 §4, RFC 5922 §7.2
 */
export function sourceProvesDomain(ctx: RequestContext, domain: string, options: Pick<JudgePeerOptions, 'policy' | 'addresses'>): boolean | Promise<boolean> {
  const claim: Claim = { domain, peer: options.policy.peerFor(domain), level: options.policy.levelOf(domain) };
  let proof: PeerVerdict['proof'] | Promise<PeerVerdict['proof']>;
  try {
    proof = levelProof(ctx, claim, options);
  } catch {
    return false;
  }
  if (typeof proof === 'string') return proof !== 'none';
  return proof.then(
    (p) => p !== 'none',
    () => false,
  );
}

/** What the domain's level asks of the request, and how the sender proved the domain. */
function levelProof(ctx: RequestContext, { domain, peer, level }: Claim, { policy, addresses }: Pick<JudgePeerOptions, 'policy' | 'addresses'>): PeerVerdict['proof'] | Promise<PeerVerdict['proof']> {
  if (level === 'permissive') return flowIdentities(ctx.flow, policy.peerCas)?.includes(domain) ? 'certificate' : 'none';
  const tls = ctx.flow.transport === 'tls';
  if (level === 'trusted') {
    if (!tls) throw tlsRequired(domain);
    const refusal = certificateRefusal(domain, ctx.flow.peerCertificate, peer?.ca, policy.peerCas);
    if (refusal !== null) throw refusal;
    return 'certificate';
  }
  if (level === 'encrypted' && !tls) throw tlsRequired(domain);
  const address = socketAddress(ctx.flow.remoteAddress);
  if (peer?.senders?.hasAddress(address)) return 'address';
  // A community that names its proxies speaks from them (and its trustedIps), not from its domain's own DNS.
  const speaks = addresses.speaksFor(domain, address, peer?.hops, peer?.community?.proxiesOnly);
  if (typeof speaks === 'boolean') return addressProof(domain, speaks);
  return speaks.then(
    (answer) => addressProof(domain, answer),
    (error: unknown) => {
      throw error instanceof DnsError ? peerDnsUnavailable(domain) : error;
    },
  );
}

function addressProof(domain: string, speaks: boolean): 'address' {
  if (!speaks) throw sourceNotAuthorized(domain);
  return 'address';
}

/** The feature check (with the local user of the Request-URI for roles), then the verdict. */
function admit(ctx: RequestContext, { domain, peer, level }: Claim, proof: PeerVerdict['proof'], { policy, identity, observe }: JudgePeerOptions): 'continue' {
  const refusal = policy.featureRefusal(domain, requestFeature(ctx.req), () => localUser(ctx, identity));
  if (refusal !== null) throw refusal;
  ctx.peer = peer?.community === undefined ? { domain, peer: peer?.domain ?? null, level, proof } : { domain, peer: peer.domain, level, proof, community: peer.community.name };
  observe?.(peer?.domain ?? 'other', 'in', 'accepted');
  return 'continue';
}

/** `user@domain` of a Request-URI naming a user of a served domain, lower case; else `null`. */
function localUser(ctx: RequestContext, identity: Pick<LocalIdentity, 'servedDomain'>): string | null {
  const uri = ctx.req.uri;
  if (!isSipUri(uri) || uri.user === null) return null;
  const served = identity.servedDomain(uri.host);
  return served === null ? null : `${uri.user}@${served}`.toLowerCase();
}
