/**
 * What a TLS peer proved with its certificate, recorded on its flow when the handshake
 * completes (whether or not the chain verified: the SIP layer decides what it needs).
 * @see RFC 5922 §7.1
 */
export interface PeerCertificate {
  /**
   * The SIP domains the certificate speaks for, lower case: the hosts of its `sip:` URI
   * subjectAltNames, else its dNSName subjectAltNames, else (no subjectAltName at all) its
   * subject CN. @see RFC 5922 §7.1
   */
  identities: readonly string[];
  /** The chain verified against Herald's trust (the system store, `tls.ca`, the peers' CAs). */
  authorized: boolean;
  /** Why it did not verify (OpenSSL's code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`). */
  authorizationError?: string;
  /** SHA-256 fingerprints (`AA:BB:…`) of the chain's certificates, leaf first, up to its root: which CA it is anchored at. */
  chain: readonly string[];
}

/**
 * How an outbound TLS connection to a peer domain checks the server's certificate, beyond
 * the name (`Destination.serverName`, RFC 5922 §7.3). Absent: the chain must verify
 * against Herald's trust and name the server.
 */
export interface TlsPeerCheck {
  /** Any certificate will do, self-signed included (federation level `encrypted`: DNS chose the address). */
  anyCertificate: boolean;
  /** The chain must contain one of these SHA-256 fingerprints (a peer's own CA, `federation.peers[].ca`). */
  anchors?: readonly string[];
}
