import { hash, timingSafeEqual } from 'node:crypto';

/**
 * A digest algorithm Herald verifies. The `-sess` forms derive a session HA1 from the
 * stored one, the nonce and the cnonce, so they cost one hash more and no other state.
 * @see RFC 7616 §3.4.2, RFC 8760 §2
 */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** The quality of protection of a response; `null` is the RFC 2069 form without qop. */
export type DigestQop = 'auth' | 'auth-int';

/** By the lower-case name, and by the name as the RFC spells it (what clients send), which needs no lowering. */
const ALGORITHMS: ReadonlyMap<string, DigestAlgorithm> = new Map([
  ['md5', 'MD5'],
  ['md5-sess', 'MD5-sess'],
  ['sha-256', 'SHA-256'],
  ['sha-256-sess', 'SHA-256-sess'],
  ['MD5', 'MD5'],
  ['MD5-sess', 'MD5-sess'],
  ['SHA-256', 'SHA-256'],
  ['SHA-256-sess', 'SHA-256-sess'],
]);

/**
 * The algorithm an `algorithm` auth-param names (case-insensitively), `undefined` for one
 * Herald does not verify (SHA-512-256, tokens of extensions). An absent parameter means MD5.
 * @see RFC 7616 §3.3 algorithm, RFC 3261 §22.4
 */
export function parseDigestAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  if (value === undefined) return 'MD5';
  return ALGORITHMS.get(value) ?? ALGORITHMS.get(value.toLowerCase());
}

/** True for MD5-sess and SHA-256-sess. */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm === 'MD5-sess' || algorithm === 'SHA-256-sess';
}

function hashName(algorithm: DigestAlgorithm): 'md5' | 'sha256' {
  return algorithm === 'MD5' || algorithm === 'MD5-sess' ? 'md5' : 'sha256';
}

/**
 * Lower-case hex of H(data) for the algorithm's hash function. Strings are hashed as UTF-8.
 * The one-shot `hash` builds no Hash object: a third of `createHash` for inputs this short.
 */
export function digestHash(algorithm: DigestAlgorithm, data: string | Buffer): string {
  return hash(hashName(algorithm), data, 'hex');
}

/**
 * The stored secret of an account: H(username ":" realm ":" password), lower-case hex.
 * For a `-sess` algorithm this is still the per-account value; `digestResponse` derives
 * the session value from it.
 * @see RFC 7616 §3.4.2, RFC 2617 §3.2.2.2
 */
export function ha1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return digestHash(algorithm, `${username}:${realm}:${password}`);
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  /** H(username ":" realm ":" password), lower-case hex, as `ha1` computes it. */
  ha1: string;
  method: string;
  /** The `uri` auth-param as sent (the digest-uri). */
  uri: string;
  nonce: string;
  /** `null` for the RFC 2069 form; nc and cnonce are then not used. */
  qop: DigestQop | null;
  /** nc as sent: 8 hex digits. Required with qop. */
  nc?: string;
  /** Required with qop and with a `-sess` algorithm. */
  cnonce?: string;
  /** The message body, hashed into A2 for qop=auth-int. */
  body?: Buffer | string;
}

/** Most H(Method ":" request-uri) kept per hash function; past it the cache starts again. */
const A2_CACHE_SIZE = 256;
const a2Hashes = { md5: new Map<string, string>(), sha256: new Map<string, string>() };

/**
 * H(A2) without a body: clients registering or sending to one address present the same
 * method and uri each time, so the hash is kept. Both are public (they travel in the clear),
 * so keeping them tells nothing; the bound keeps a client sending new uris from growing it.
 */
function methodUriHash(algorithm: DigestAlgorithm, a2: string): string {
  const name = hashName(algorithm);
  const cache = a2Hashes[name];
  let h = cache.get(a2);
  if (h === undefined) {
    h = hash(name, a2, 'hex');
    if (cache.size >= A2_CACHE_SIZE) cache.clear();
    cache.set(a2, h);
  }
  return h;
}

/**
 * The `response` auth-param a client with the right password sends, lower-case hex.
 * @see RFC 7616 §3.4.1 (qop), RFC 2069 §2.1.2 (no qop, RFC 3261 §22.4 keeps it),
 *   RFC 7616 §3.4.3 A2 for auth-int
 */
export function digestResponse(input: DigestResponseInput): string {
  const { algorithm, nonce, qop } = input;
  const cnonce = input.cnonce ?? '';
  // RFC 7616 §3.4.2: for -sess, HA1 = H(H(user:realm:pass) ":" nonce ":" cnonce).
  const a1 = isSessionAlgorithm(algorithm) ? digestHash(algorithm, `${input.ha1}:${nonce}:${cnonce}`) : input.ha1;
  // RFC 7616 §3.4.3: A2 = Method ":" request-uri [ ":" H(entity-body) ].
  const ha2 =
    qop === 'auth-int'
      ? digestHash(algorithm, `${input.method}:${input.uri}:${digestHash(algorithm, input.body ?? '')}`)
      : methodUriHash(algorithm, `${input.method}:${input.uri}`);
  if (qop === null) return digestHash(algorithm, `${a1}:${nonce}:${ha2}`);
  return digestHash(algorithm, `${a1}:${nonce}:${input.nc ?? ''}:${cnonce}:${qop}:${ha2}`);
}

/**
 * Compares two ASCII strings (hex digests) in time that depends only on their lengths,
 * which are public (they follow from the algorithm), so that a wrong response leaks
 * nothing about how much of it was right.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));
}
