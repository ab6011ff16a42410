import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { type PeerSettings, peerCasOf } from '@herald/proxy';
import { type PrivateAnchors, certificateFingerprints } from '@herald/stack';
import type { TlsConfig } from './config/herald-config.js';

/**
 * The federation peers' own CAs, each allowed to vouch only for its peer's domain, both ways:
 * partner A's CA must not pass a client or a server as b.example. A CA that `tls.ca` or the
 * system store (when trusted) also holds is trusted for every domain, so it is left out.
 */
export function privateAnchors(config: Pick<TlsConfig, 'ca' | 'systemCa'>, peers: readonly PeerSettings[]): PrivateAnchors {
  const shared = new Set([
    ...(config.ca === undefined ? [] : certificateFingerprints(readFileSync(config.ca))),
    ...(config.systemCa ? certificateFingerprints(tls.rootCertificates.join('\n')) : []),
  ]);
  return peerCasOf(peers, shared);
}
