import { SipError, type SipUri, isSipUri, parseUri } from '@herald/sip';
import type { OutboundPeer, Target } from './target.js';

/** One `routes:` entry: requests for `domain` (or, with `*.`, its subdomains) go to `to`. */
export interface StaticRoute {
  domain: string;
  /**
   * SIP URIs of the next hops (`sip:127.0.0.1:5090;transport=tcp`, `sip:proxy.peer.test`),
   * tried in order; each is resolved by RFC 3263 §4.
   */
  to: string | readonly string[];
}

/**
 * Next hops for other domains from configuration: exact domains first, then the longest
 * matching wildcard. A domain no route names is found by DNS (RFC 3263).
 */
export class StaticRoutes {
  private readonly exact = new Map<string, readonly SipUri[]>();
  private readonly wildcards: Array<{ suffix: string; hops: readonly SipUri[] }> = [];

  constructor(routes: readonly StaticRoute[]) {
    for (const r of routes) {
      const hops = (typeof r.to === 'string' ? [r.to] : r.to).map(routeUri);
      const domain = r.domain.toLowerCase();
      if (domain.startsWith('*.')) this.wildcards.push({ suffix: domain.slice(1), hops });
      else this.exact.set(domain, hops);
    }
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  /** The next hops for `domain`, in order, or `null` when no route names it. */
  match(domain: string): readonly SipUri[] | null {
    const d = domain.toLowerCase();
    const exact = this.exact.get(d);
    if (exact) return exact;
    for (const w of this.wildcards) if (d.endsWith(w.suffix)) return w.hops;
    return null;
  }
}

function routeUri(text: string): SipUri {
  const uri = parseUri(text);
  if (!isSipUri(uri)) throw new SipError(500, `route to ${text} is not a SIP URI`, 'SIP_ERR_PROXY_ROUTE_CONFIG');
  return uri;
}

/**
 * The target for `uri` in a domain Herald does not serve: the `routes:` next hops of its
 * domain (a gateway community's proxies among them), else the Request-URI itself, which RFC
 * 3263 §4 resolves when the branch starts (for a community with a transport and no proxies,
 * `sip:<domain>;transport=<t>`); `peer` when the domain's policy constrains the way there.
 * @see RFC 3263 §4
 */
export function foreignTarget(routes: Pick<StaticRoutes, 'match'>, uri: SipUri, text: string, peer?: OutboundPeer): Target {
  const hops = routes.match(uri.host) ?? (peer?.transport === undefined ? undefined : [domainHop(uri.host, peer.transport)]);
  return nextHopsTarget(text, hops, peer);
}

/** `sip:<host>;transport=<t>`: the domain itself, found by RFC 3263 over one transport. @see RFC 3263 §4.1 */
function domainHop(host: string, transport: string): SipUri {
  return { scheme: 'sip', user: null, password: null, host, port: null, params: new Map([['transport', transport]]), headers: [] };
}

/** A target with Request-URI `text` sent to `nextHops` in order (RFC 3263 §4 on each), else to where `text` itself resolves. */
export function nextHopsTarget(text: string, nextHops?: readonly SipUri[], peer?: OutboundPeer): Target {
  return { uri: text, q: null, route: [], flow: null, flowOnly: false, nextHops, ...(peer !== undefined && { peer }) };
}

/** What the federation policy asks of the way to a domain (`FederationPolicy.outboundPeer`). */
export interface OutboundPeers {
  outboundPeer(domain: string): OutboundPeer | undefined;
}

