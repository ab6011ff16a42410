import { readFileSync } from 'node:fs';
import { type CommunitiesSettings, type FederationSettings, communityPeers } from '@herald/proxy';
import { type TlsOptions, trustedCertificates } from '@herald/stack';
import type { TlsConfig } from './config/herald-config.js';

/**
 * The transport's TLS options from `tls:`, `federation:` and `communities:`: Herald's certificate (served, and
 * presented as a client certificate when it connects out), and two trusts. Servers Herald
 * connects to are checked against the system store (unless `systemCa: false`), `tls.ca` and
 * the peers' CA files. Clients are checked against `tls.ca` and the peers' CA files only,
 * whose names every CertificateRequest carries (small TLS stacks in phones take no 15 KB
 * list); the system store joins them only when a level needs a public CA's client
 * certificate: `federation.default: trusted`, or a `trusted` peer without its own `ca`.
 */
export function tlsSettings(tls: TlsConfig, federation: Pick<FederationSettings, 'default' | 'peers'>, communities: Pick<CommunitiesSettings, 'list'> = { list: [] }): TlsOptions {
  // A community's CA (level trusted) counts as a federation peer's does.
  const peers = [...federation.peers, ...communities.list.flatMap(communityPeers)];
  // Once each: a community's domains share its CA file.
  const peerCaFiles = [...new Set(peers.flatMap((peer) => (peer.ca === undefined ? [] : [peer.ca.path])))];
  const caFiles = [...(tls.ca === undefined ? [] : [tls.ca]), ...peerCaFiles];
  const publicClients = federation.default === 'trusted' || peers.some((peer) => peer.level === 'trusted' && peer.ca === undefined);
  return {
    cert: readFileSync(tls.cert),
    key: readFileSync(tls.key),
    ca: trustedCertificates({ systemCa: tls.systemCa, caFiles }),
    serverCa: trustedCertificates({ systemCa: tls.systemCa && publicClients, caFiles }),
    requestCert: tls.requestCert,
  };
}
