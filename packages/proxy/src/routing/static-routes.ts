import { isIP } from 'node:net';
import { SipError, type SipUri, hostAddress, isSipUri, parseUri } from '@herald/sip';
import type { Destination } from '@herald/stack';
import type { Target } from './target.js';
import { uriDestination } from './uri-destination.js';

/** One `routes:` entry: requests for `domain` (or, with `*.`, its subdomains) go to `to`. */
export interface StaticRoute {
  domain: string;
  /** A SIP URI: `sip:127.0.0.1:5090;transport=tcp`. */
  to: string;
}

/**
 * Next hops for other domains from configuration: exact domains first, then the longest
 * matching wildcard. Where DNS resolution (RFC 3263) will plug in for domains not listed.
 */
export class StaticRoutes {
  private readonly exact = new Map<string, Destination>();
  private readonly wildcards: Array<{ suffix: string; destination: Destination }> = [];

  constructor(routes: readonly StaticRoute[]) {
    for (const r of routes) {
      const uri = parseUri(r.to);
      if (!isSipUri(uri)) throw new SipError(500, `route to ${r.to} is not a SIP URI`, 'SIP_ERR_PROXY_ROUTE_CONFIG');
      const destination = uriDestination(uri);
      const domain = r.domain.toLowerCase();
      if (domain.startsWith('*.')) this.wildcards.push({ suffix: domain.slice(1), destination });
      else this.exact.set(domain, destination);
    }
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
  }

  /** The next hop for `domain`, or `null` when no route names it. */
  match(domain: string): Destination | null {
    const d = domain.toLowerCase();
    const exact = this.exact.get(d);
    if (exact) return { ...exact };
    for (const w of this.wildcards) if (d.endsWith(w.suffix)) return { ...w.destination };
    return null;
  }
}

/**
 * The target for `uri` in a domain Herald does not serve: the `routes:` next hop of its
 * domain, or its host when that is an address; `null` when nothing says how to reach it.
 */
export function foreignTarget(routes: Pick<StaticRoutes, 'match'>, uri: SipUri, text: string): Target | null {
  const nextHop = routes.match(uri.host) ?? undefined;
  if (nextHop === undefined && isIP(hostAddress(uri.host)) === 0 && uri.host !== 'localhost') return null;
  return { uri: text, q: null, route: [], flow: null, flowOnly: false, nextHop };
}
