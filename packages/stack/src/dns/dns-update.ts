import { type Clock, systemClock } from '../clock.js';
import { type DnsServer, randomDnsId, tcpExchange } from './dns-exchange.js';
import { type DnsMessageInput, type DnsRecord, OPCODE, RCODE, RR_CLASS, type RecordData, type RecordTypeName, decodeDnsMessage, encodeDnsMessage, typeCode } from './dns-wire.js';
import { type TsigKey, type TsigVerdict, signTsig, verifyTsig } from './tsig.js';

/** A record of the zone, as an update adds it or a value-dependent prerequisite names it. */
export type ZoneRecord = { name: string; ttl: number } & RecordData;

/**
 * What must hold in the zone for an update to be applied; all of them, or nothing is changed.
 * @see RFC 2136 §2.4
 */
export type Prerequisite =
  /** §2.4.1: at least one RR of `type` at `name`, whatever its value. */
  | { kind: 'rrset-exists'; name: string; type: RecordTypeName }
  /** §2.4.2: the RRset of `type` at `name` is exactly `records` (the TTLs are not compared). */
  | { kind: 'rrset-equals'; name: string; type: RecordTypeName; records: readonly RecordData[] }
  /** §2.4.3: no RR of `type` at `name`. */
  | { kind: 'rrset-absent'; name: string; type: RecordTypeName }
  /** §2.4.4: at least one RR of any type at `name`. */
  | { kind: 'name-in-use'; name: string }
  /** §2.4.5: no RR of any type at `name`. */
  | { kind: 'name-not-in-use'; name: string };

/**
 * One change to the zone, applied in order after the prerequisites hold.
 * @see RFC 2136 §2.5
 */
export type UpdateOperation =
  /** §2.5.1: add the RR to its RRset (an identical RR only has its TTL replaced, §3.4.2.2). */
  | { kind: 'add'; record: ZoneRecord }
  /** §2.5.2: delete every RR of `type` at `name`. */
  | { kind: 'delete-rrset'; name: string; type: RecordTypeName }
  /** §2.5.3: delete every RRset at `name` (SOA and NS at the apex excepted, §3.4.2.3). */
  | { kind: 'delete-name'; name: string }
  /** §2.5.4: delete this one RR, leaving the others of its RRset. */
  | { kind: 'delete-rr'; record: { name: string } & RecordData };

/** An UPDATE for one zone. @see RFC 2136 §2 */
export interface DnsUpdate {
  /** The zone's apex, without the trailing dot. */
  zone: string;
  prerequisites?: readonly Prerequisite[];
  updates: readonly UpdateOperation[];
}

/** The RCODEs an UPDATE is answered with, by name. @see RFC 2136 §2.2 */
export type UpdateRcode =
  | 'NOERROR'
  | 'FORMERR'
  | 'SERVFAIL'
  | 'NXDOMAIN'
  | 'NOTIMP'
  | 'REFUSED'
  | 'YXDOMAIN'
  | 'YXRRSET'
  | 'NXRRSET'
  | 'NOTAUTH'
  | 'NOTZONE'
  | 'BADSIG'
  | 'BADKEY'
  | 'BADTIME'
  | 'BADTRUNC';

const RCODE_NAMES = new Map<number, UpdateRcode>(Object.entries(RCODE).map(([name, code]) => [code, name as UpdateRcode]));

/** The name of an RCODE, or undefined for one RFC 2136 and RFC 8945 do not define. */
export function rcodeName(rcode: number): UpdateRcode | undefined {
  return RCODE_NAMES.get(rcode);
}

/** What an RCODE means to the operator of an updating node, in a few words. @see RFC 2136 §2.2 */
export function describeRcode(rcode: UpdateRcode): string {
  return RCODE_MEANING[rcode];
}

const RCODE_MEANING: Record<UpdateRcode, string> = {
  NOERROR: 'applied',
  FORMERR: 'the server could not read the update',
  SERVFAIL: 'the server failed (its zone file or journal may not be writable)',
  NXDOMAIN: 'a name that must be in use is not (prerequisite failed)',
  NOTIMP: 'the server does not support UPDATE',
  REFUSED: 'the server refuses updates from this key or address (check allow-update / update-policy)',
  YXDOMAIN: 'a name that must not be in use is (prerequisite failed)',
  YXRRSET: 'a record set that must be absent exists (prerequisite failed: another node or the operator owns it)',
  NXRRSET: 'a record set is not what this node expects (prerequisite failed: another node or the operator changed it)',
  NOTAUTH: 'the server does not accept the TSIG key or is not authoritative for the zone (check the key name, algorithm and secret)',
  NOTZONE: 'a name is outside the zone',
  BADSIG: 'the TSIG signature did not verify (wrong secret)',
  BADKEY: 'the server does not know the TSIG key (wrong key name or algorithm)',
  BADTIME: "the signing time is outside the server's fudge (check the clocks)",
  BADTRUNC: 'the server refused a truncated MAC',
};

const EMPTY = Buffer.alloc(0);

/**
 * The UPDATE message, unsigned: the zone section is the zone's SOA, the prerequisite and update
 * sections carry the classes, TTLs and empty rdata of RFC 2136 §2.4 and §2.5's tables.
 * @see RFC 2136 §2.3–§2.5
 */
export function buildUpdateMessage(id: number, update: DnsUpdate): DnsMessageInput {
  return {
    id,
    opcode: OPCODE.UPDATE,
    // §2.3: ZOCOUNT is 1, the zone's SOA in its class.
    questions: [{ name: update.zone, type: 'SOA', class: RR_CLASS.IN }],
    answers: (update.prerequisites ?? []).flatMap(prerequisiteRecords),
    authorities: update.updates.map(updateRecord),
  };
}

/** @see RFC 2136 §2.4, the table at the end of §2.4.5 */
function prerequisiteRecords(p: Prerequisite): DnsRecord[] {
  switch (p.kind) {
    case 'rrset-exists':
      return [emptyRecord(p.name, typeCode(p.type), RR_CLASS.ANY)];
    case 'rrset-equals':
      // §2.4.2: the whole RRset, TTL 0, in the zone's class.
      return p.records.map((data) => ({ name: p.name, class: RR_CLASS.IN, ttl: 0, ...data }));
    case 'rrset-absent':
      return [emptyRecord(p.name, typeCode(p.type), RR_CLASS.NONE)];
    case 'name-in-use':
      return [emptyRecord(p.name, typeCode('ANY'), RR_CLASS.ANY)];
    case 'name-not-in-use':
      return [emptyRecord(p.name, typeCode('ANY'), RR_CLASS.NONE)];
  }
}

/** @see RFC 2136 §2.5, the table at the end of §2.5.4 */
function updateRecord(u: UpdateOperation): DnsRecord {
  switch (u.kind) {
    case 'add':
      return { ...u.record, class: RR_CLASS.IN };
    case 'delete-rrset':
      return emptyRecord(u.name, typeCode(u.type), RR_CLASS.ANY);
    case 'delete-name':
      return emptyRecord(u.name, typeCode('ANY'), RR_CLASS.ANY);
    case 'delete-rr':
      return { ...u.record, class: RR_CLASS.NONE, ttl: 0 };
  }
}

function emptyRecord(name: string, type: number, cls: number): DnsRecord {
  return { name, class: cls, ttl: 0, type, rdata: EMPTY };
}

/** How the server answered an UPDATE. @see RFC 2136 §2.2, RFC 8945 §5.3 */
export interface UpdateResult {
  /** The response's RCODE by name, or its number when RFC 2136 and RFC 8945 do not name it. */
  rcode: UpdateRcode | number;
  /**
   * The check of the response's TSIG: only a verified response says what happened. When the
   * server could not verify our signature it answers NOTAUTH with its TSIG error (BADKEY,
   * BADSIG, BADTIME) here.
   */
  tsig: TsigVerdict;
}

export interface SendUpdateOptions {
  /** The zone's primary server. */
  server: DnsServer;
  /** Signs the update; the response must verify with it. */
  key: TsigKey;
  /** Milliseconds to wait for the answer; `UPDATE_TIMEOUT_MS` when absent. */
  timeout?: number;
  clock?: Clock;
}

/** How long an UPDATE waits for its answer by default. */
export const UPDATE_TIMEOUT_MS = 5000;

/**
 * Sends an UPDATE signed with TSIG over TCP (RFC 2136 §3.8 allows either transport; TCP has no
 * truncation and its answer cannot be spoofed off-path) and reads the server's verdict.
 * Rejects with a `DnsError` when no answer came or it cannot be read.
 * @see RFC 2136 §3, RFC 8945 §5.1, §5.3
 */
export async function sendUpdate(update: DnsUpdate, options: SendUpdateOptions): Promise<UpdateResult> {
  const clock = options.clock ?? systemClock;
  const { message, mac } = signTsig(encodeDnsMessage(buildUpdateMessage(randomDnsId(), update)), options.key, clock.now());
  const answer = await tcpExchange(options.server, message, { timeout: options.timeout ?? UPDATE_TIMEOUT_MS, clock });
  const rcode = decodeDnsMessage(answer).rcode;
  return { rcode: rcodeName(rcode) ?? rcode, tsig: verifyTsig(answer, options.key, mac, clock.now()) };
}
