import { isSipUri } from '@herald/sip';
import { globalNumber } from '@herald/stack';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { RequestCondition } from '../tu/request-processor.js';

/** The request's method is one of `methods`. */
export function isMethod(...methods: string[]): RequestCondition {
  if (methods.length === 1) {
    const [method] = methods;
    return (ctx) => ctx.req.method === method;
  }
  const set = new Set(methods);
  return (ctx) => set.has(ctx.req.method);
}

export function not(condition: RequestCondition): RequestCondition {
  return (ctx) => !condition(ctx);
}

export function all(...conditions: RequestCondition[]): RequestCondition {
  if (conditions.length === 2) {
    const [first, second] = conditions;
    return (ctx) => first(ctx) && second(ctx);
  }
  return (ctx) => {
    for (const c of conditions) if (!c(ctx)) return false;
    return true;
  };
}

/** The request carries a Route header. */
export const hasRoute: RequestCondition = (ctx) => ctx.req.hasHeader('route');

/** To has a tag: the request is within a dialog. @see RFC 3261 §12.2 */
export const hasToTag: RequestCondition = (ctx) => ctx.req.to.params.has('tag');

/** Route preprocessing found Herald's own Record-Route with a valid flow token, and To has a tag. @see RFC 3261 §12.2, §16.4 */
export const inDialogHeraldRecordRouted: RequestCondition = (ctx) => ctx.recordRouted !== null && ctx.req.to.params.has('tag');

/** The request arrived over UDP. */
export const overUdp: RequestCondition = (ctx) => ctx.flow.transport === 'udp';

/** Digest (or a trusted peer) has said who sent the request. */
export const authenticated: RequestCondition = (ctx) => ctx.authenticated !== null;

/**
 * Herald knows who sent the request: it authenticated, or, with digest authentication off
 * (`trustLocalFrom`: a lab or benchmark setting), its From names one of Herald's domains.
 */
export function trustedSender(identity: LocalIdentity, { trustLocalFrom }: { trustLocalFrom: boolean }): RequestCondition {
  return (ctx) => ctx.authenticated !== null || (trustLocalFrom && identity.isLocal(ctx.req.from.uri));
}

/** From names neither a served domain nor Herald itself: the sender claims another domain. */
export function fromOtherDomain(identity: LocalIdentity): RequestCondition {
  return (ctx) => identity.senderDomain(ctx.req.from.uri) === null;
}

/** The Request-URI is neither a served domain nor Herald itself. @see RFC 3261 §16.4, §16.5 */
export function toOtherDomain(identity: LocalIdentity): RequestCondition {
  return (ctx) => !identity.isLocal(ctx.req.uri);
}

/** The Request-URI names a served domain or Herald itself with no user part: a request for Herald, not for a user. */
export function toHerald(identity: LocalIdentity): RequestCondition {
  return (ctx) => {
    const uri = ctx.req.uri;
    return identity.isLocal(uri) && !('user' in uri && uri.user !== null);
  };
}

/** The Request-URI is a SIP URI of a user in a served domain. */
export function toUserOfServedDomain(identity: LocalIdentity): RequestCondition {
  return (ctx) => {
    const uri = ctx.req.uri;
    return isSipUri(uri) && uri.user !== null && identity.isServedDomain(uri.host);
  };
}

/** The Request-URI is a global telephone number: `tel:+…`, or `sip:+…@host;user=phone`. @see RFC 3966 §5.1.1, RFC 3261 §19.1.6 */
export const toGlobalNumber: RequestCondition = (ctx) => globalNumber(ctx.req.uri) !== null;

/** The Request-URI is an `im:` or `pres:` URI. @see RFC 3861 §2 */
export const toMailbox: RequestCondition = (ctx) => ctx.req.uri.scheme === 'im' || ctx.req.uri.scheme === 'pres';
