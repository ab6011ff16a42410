import type { MailboxUri } from '@herald/sip';
import { DnsError, type MailboxServers } from '@herald/stack';
import type { ProxyCore } from '../forwarding/proxy-core.js';
import { dnsFailure, noMailboxService } from '../proxy-errors.js';
import { sipAddressOfMailbox } from '../routing/mailbox-address.js';
import { type OutboundPeers, type StaticRoutes, nextHopsTarget } from '../routing/static-routes.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * An `im:` or `pres:` Request-URI of another domain goes, as `sip:user@domain`, to the servers
 * that domain's `_im._sip` / `_pres._sip` SRV records name. A `routes:` entry for the domain
 * overrides DNS, and a gateway community's domain goes the SIP relay's way (its proxies, else
 * RFC 3263 with its transport, else A/AAAA at its port). A domain that publishes no such
 * record is left to the SIP relay (RFC 3263 on the SIP URI), so that a domain publishing only
 * its SIP records is still reached; one whose SRV says the service is not there gets 404.
 * @see RFC 3861 §4, RFC 5509 §3
 */
export function relayMailboxBySrv(core: ProxyCore, routes: StaticRoutes, servers: Pick<MailboxServers, 'locate'>, peers?: OutboundPeers): RequestProcessor {
  return {
    name: 'relay-mailbox-by-srv',
    async process(ctx): Promise<'continue' | 'stop'> {
      const { req } = ctx;
      const mailbox = req.uri as MailboxUri;
      req.setUri(sipAddressOfMailbox(mailbox));
      const peer = peers?.outboundPeer(mailbox.host.toLowerCase());
      // A route (a community's proxies among them) or a community domain: the SIP relay's way, one for both.
      if (routes.match(mailbox.host) !== null || peer?.community !== undefined) return 'continue';
      const nextHops = await servers.locate(mailbox.scheme, mailbox.host).catch((error: unknown) => {
        throw error instanceof DnsError ? dnsFailure(mailbox.host) : error;
      });
      if (nextHops === null) return 'continue';
      if (nextHops.length === 0) throw noMailboxService(mailbox.host, mailbox.scheme);
      // RFC 3263 §4.3: each SRV target in turn, the branch failing over to the next.
      await core.forward(ctx, [nextHopsTarget(req.uriText, nextHops, peer)]);
      return 'stop';
    },
  };
}
