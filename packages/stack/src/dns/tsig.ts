import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeDnsMessage, type DnsRecord, encodeName, encodeRecord, RCODE, RR_CLASS, type TsigData } from './dns-wire.js';

/** A shared secret for TSIG, as in a BIND `key` statement. @see RFC 8945 §6 */
export interface TsigKey {
  /** The key's name, `herald-ddns`; compared without case. */
  name: string;
  /** `hmac-sha256` (RFC 8945 §6: mandatory), `hmac-sha512` or `hmac-sha1`. */
  algorithm: string;
  /** Base64, as BIND writes it. */
  secret: string;
}

/** Allowed clock skew, seconds: RFC 8945 §10 recommends 300. */
export const TSIG_FUDGE = 300;

const HASHES: Record<string, string> = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512', 'hmac-sha1': 'sha1' };

export interface SignedMessage {
  /** The message with the TSIG record appended and ARCOUNT raised by one. */
  message: Buffer;
  /** The MAC sent, needed to verify the response (RFC 8945 §5.3). */
  mac: Buffer;
}

/**
 * Signs a request (or, given `requestMac`, a response) with TSIG: the MAC covers the
 * message as it is and the TSIG variables of §4.3.3, with the key and algorithm names in
 * canonical lower case; the TSIG record goes last in the additional section.
 * @param now milliseconds since the epoch (a `Clock`'s `now()`)
 * @see RFC 8945 §4.3, §5.1
 */
export function signTsig(message: Buffer, key: TsigKey, now: number, requestMac?: Buffer): SignedMessage {
  const tsig: TsigData = {
    type: 'TSIG',
    algorithm: key.algorithm.toLowerCase(),
    timeSigned: Math.floor(now / 1000),
    fudge: TSIG_FUDGE,
    mac: Buffer.alloc(0),
    originalId: message.readUInt16BE(0),
    error: RCODE.NOERROR,
    otherData: Buffer.alloc(0),
  };
  tsig.mac = computeMac(key, message, tsig, requestMac);
  const record: DnsRecord = { name: key.name.toLowerCase(), class: RR_CLASS.ANY, ttl: 0, ...tsig };
  const signed = Buffer.concat([message, encodeRecord(record)]);
  signed.writeUInt16BE(signed.readUInt16BE(10) + 1, 10);
  return { message: signed, mac: tsig.mac };
}

/** What went wrong with a signed response. @see RFC 8945 §5.2–§5.3 */
export type TsigVerdict =
  | { ok: true }
  | {
      ok: false;
      /** `UNSIGNED`: no TSIG record where one was required; the others as named in §5.2. */
      error: 'UNSIGNED' | 'BADKEY' | 'BADSIG' | 'BADTIME' | 'BADTRUNC' | 'FORMERR';
      detail: string;
    };

/**
 * Verifies the TSIG of a response to a request whose MAC was `requestMac`: the key and
 * algorithm must be ours (BADKEY), the MAC must match (BADSIG), the time must be within the
 * fudge (BADTIME). A response the server could not sign (it found our key or MAC bad)
 * carries the server's error in its TSIG record and an empty MAC; that error is reported.
 * @param now milliseconds since the epoch
 * @see RFC 8945 §5.3, §5.2.3
 */
export function verifyTsig(response: Buffer, key: TsigKey, requestMac: Buffer, now: number): TsigVerdict {
  const decoded = decodeDnsMessage(response);
  const record = decoded.additionals.at(-1);
  if (decoded.tsigOffset === undefined || record?.type !== 'TSIG') {
    const misplaced = decoded.additionals.some((r) => r.type === 'TSIG');
    return misplaced ? { ok: false, error: 'FORMERR', detail: 'a TSIG record that is not the last one' } : { ok: false, error: 'UNSIGNED', detail: 'the response carries no TSIG record' };
  }
  if (record.error !== RCODE.NOERROR) {
    const name = tsigErrorName(record.error);
    return { ok: false, error: name, detail: `the server answered ${name} (TSIG error ${record.error})` };
  }
  if (record.name.toLowerCase() !== key.name.toLowerCase() || record.algorithm !== key.algorithm.toLowerCase()) {
    return { ok: false, error: 'BADKEY', detail: `signed with key ${record.name} (${record.algorithm}), not ${key.name} (${key.algorithm})` };
  }
  const unsigned = Buffer.from(response.subarray(0, decoded.tsigOffset));
  unsigned.writeUInt16BE(record.originalId, 0); // RFC 8945 §4.3.2: the MAC covers the original ID
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = computeMac(key, unsigned, record, requestMac);
  // RFC 8945 §5.2.2.1: a truncated MAC is acceptable down to half the hash and no less than 10 octets.
  const minimum = Math.max(10, expected.length / 2);
  if (record.mac.length > expected.length || record.mac.length < minimum) {
    return { ok: false, error: 'BADTRUNC', detail: `a MAC of ${record.mac.length} octets` };
  }
  if (!timingSafeEqual(record.mac, expected.subarray(0, record.mac.length))) {
    return { ok: false, error: 'BADSIG', detail: 'the MAC does not match the key' };
  }
  const skew = Math.abs(Math.floor(now / 1000) - record.timeSigned);
  if (skew > record.fudge) return { ok: false, error: 'BADTIME', detail: `signed ${skew} s away from our clock (fudge ${record.fudge} s)` };
  return { ok: true };
}

/**
 * The MAC over (the request MAC, for a response) the message and the TSIG variables.
 * @see RFC 8945 §4.3.1–§4.3.3
 */
function computeMac(key: TsigKey, message: Buffer, tsig: TsigData, requestMac?: Buffer): Buffer {
  const hash = HASHES[key.algorithm.toLowerCase()];
  if (!hash) throw new Error(`TSIG algorithm ${key.algorithm} is not supported (hmac-sha256, hmac-sha512, hmac-sha1)`);
  const hmac = createHmac(hash, Buffer.from(key.secret, 'base64'));
  if (requestMac) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(requestMac.length, 0);
    hmac.update(length).update(requestMac);
  }
  hmac.update(message);
  // §4.3.3: key name and algorithm in canonical (lower-case, uncompressed) form.
  const fixed = Buffer.alloc(16);
  fixed.writeUInt16BE(RR_CLASS.ANY, 0);
  fixed.writeUInt32BE(0, 2);
  fixed.writeUIntBE(tsig.timeSigned, 6, 6);
  fixed.writeUInt16BE(tsig.fudge, 12);
  fixed.writeUInt16BE(tsig.error, 14);
  const other = Buffer.alloc(2);
  other.writeUInt16BE(tsig.otherData.length, 0);
  hmac.update(encodeName(key.name.toLowerCase())).update(fixed.subarray(0, 6));
  hmac.update(encodeName(tsig.algorithm.toLowerCase())).update(fixed.subarray(6));
  return hmac.update(other).update(tsig.otherData).digest();
}

function tsigErrorName(error: number): 'BADKEY' | 'BADSIG' | 'BADTIME' | 'BADTRUNC' | 'FORMERR' {
  switch (error) {
    case RCODE.BADKEY:
      return 'BADKEY';
    case RCODE.BADSIG:
      return 'BADSIG';
    case RCODE.BADTIME:
      return 'BADTIME';
    case RCODE.BADTRUNC:
      return 'BADTRUNC';
    default:
      return 'FORMERR';
  }
}
