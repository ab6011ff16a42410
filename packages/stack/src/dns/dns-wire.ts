import { isIPv4, isIPv6 } from 'node:net';
import { DnsReader, encodeName, malformed } from './dns-reader.js';

export { encodeName } from './dns-reader.js';

/** Record types with typed rdata here; any other type is carried as raw bytes. @see RFC 1035 §3.2.2 */
export const RR_TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28, // RFC 3596
  SRV: 33, // RFC 2782
  NAPTR: 35, // RFC 3403
  OPT: 41, // RFC 6891
  TSIG: 250, // RFC 8945
  ANY: 255,
} as const;
export type RecordTypeName = keyof typeof RR_TYPE;

/** @see RFC 1035 §3.2.4, RFC 2136 §2.4 (NONE and ANY in updates) */
export const RR_CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;

/** @see RFC 1035 §4.1.1, RFC 2136 §1 */
export const OPCODE = { QUERY: 0, UPDATE: 5 } as const;

/** Header RCODEs, and the TSIG errors of RFC 8945 §5 carried in the TSIG record. */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6, // RFC 2136 §2.2
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16, // RFC 8945 §5 (BADVERS in OPT, RFC 6891)
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

export interface DnsQuestion {
  /** Without the trailing dot; case kept. */
  name: string;
  /** A name of `RR_TYPE`, or the number of a type without one. */
  type: RecordTypeName | number;
  /** `RR_CLASS.IN` when absent. */
  class?: number;
}

/** The rdata of a record, by type. @see RFC 1035 §3.3, and each type's RFC */
export type RecordData =
  | { type: 'A' | 'AAAA'; address: string }
  | { type: 'NS' | 'CNAME' | 'PTR'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'NAPTR'; order: number; preference: number; flags: string; service: string; regexp: string; replacement: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 'TXT'; strings: string[] }
  | TsigData
  /** Any other type, and any record with empty rdata (RFC 2136 §2.4.2 deletions). */
  | { type: number; rdata: Buffer };

/** @see RFC 8945 §4.2 */
export interface TsigData {
  type: 'TSIG';
  /** Lower case, no trailing dot: `hmac-sha256`. */
  algorithm: string;
  /** Seconds since the epoch (48 bits). */
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
}

export type DnsRecord = { name: string; class: number; ttl: number } & RecordData;

/** @see RFC 1035 §4.1.1 */
export interface DnsFlags {
  qr?: boolean;
  aa?: boolean;
  tc?: boolean;
  rd?: boolean;
  ra?: boolean;
  ad?: boolean;
  cd?: boolean;
}

/** The OPT pseudo-record, kept apart from the sections. @see RFC 6891 §6.1 */
export interface Edns {
  /** The largest UDP response the sender can take (RFC 6891 §6.2.5: 1232 avoids fragmentation). */
  udpPayloadSize: number;
  version?: number;
  dnssecOk?: boolean;
  options?: { code: number; data: Buffer }[];
}

/**
 * A DNS message. In an UPDATE (RFC 2136 §2) the sections are zone, prerequisite, update
 * and additional: `questions` holds the zone, `answers` the prerequisites and `authorities`
 * the updates.
 * @see RFC 1035 §4.1
 */
export interface DnsMessage {
  id: number;
  opcode: number;
  flags: DnsFlags;
  /** The full RCODE: the header's four bits with the OPT record's upper eight (RFC 6891 §6.1.3). */
  rcode: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  /** Without the OPT record, which is `edns`. */
  additionals: DnsRecord[];
  edns?: Edns;
}

/** What `decodeDnsMessage` gives back: the message, and where its TSIG record starts if it ends with one. */
export interface DecodedMessage extends DnsMessage {
  /** Byte offset of a final TSIG record (RFC 8945 §5.2: the MAC covers the bytes before it). */
  tsigOffset?: number;
}

export type DnsMessageInput = Partial<Omit<DnsMessage, 'id'>> & { id: number };

export function typeCode(type: RecordTypeName | number): number {
  return typeof type === 'number' ? type : RR_TYPE[type];
}

const TYPE_NAMES = new Map<number, RecordTypeName>(Object.entries(RR_TYPE).map(([k, v]) => [v, k as RecordTypeName]));

/** The name of a type code when it has one, else the number. */
export function typeName(code: number): RecordTypeName | number {
  return TYPE_NAMES.get(code) ?? code;
}

const FLAG_BITS: [keyof DnsFlags, number][] = [
  ['qr', 0x8000],
  ['aa', 0x0400],
  ['tc', 0x0200],
  ['rd', 0x0100],
  ['ra', 0x0080],
  ['ad', 0x0020],
  ['cd', 0x0010],
];

/**
 * A whole message on the wire, names uncompressed. `edns` becomes an OPT record at the end
 * of the additional section. Fields that cannot be encoded (a bad name or address) throw
 * `SIP_ERR_DNS_MALFORMED`.
 * @see RFC 1035 §4.1
 */
export function encodeDnsMessage(m: DnsMessageInput): Buffer {
  const questions = m.questions ?? [];
  const answers = m.answers ?? [];
  const authorities = m.authorities ?? [];
  const additionals = m.additionals ?? [];
  const rcode = m.rcode ?? 0;
  const parts: Buffer[] = [
    encodeHeader({
      id: m.id,
      opcode: m.opcode ?? OPCODE.QUERY,
      flags: m.flags ?? {},
      rcode,
      counts: [questions.length, answers.length, authorities.length, additionals.length + (m.edns ? 1 : 0)],
    }),
  ];
  for (const q of questions) parts.push(encodeQuestion(q));
  for (const r of [...answers, ...authorities, ...additionals]) parts.push(encodeRecord(r));
  if (m.edns) parts.push(encodeOpt(m.edns, rcode));
  return Buffer.concat(parts);
}

/** The 12-octet header. @see RFC 1035 §4.1.1 */
export interface DnsHeader {
  id: number;
  opcode: number;
  flags: DnsFlags;
  /** The header's four bits only. */
  rcode: number;
  /** QDCOUNT, ANCOUNT, NSCOUNT, ARCOUNT. */
  counts: [number, number, number, number];
}

export function encodeHeader(h: DnsHeader): Buffer {
  const b = Buffer.alloc(12);
  let bits = ((h.opcode & 0xf) << 11) | (h.rcode & 0xf);
  for (const [flag, bit] of FLAG_BITS) if (h.flags[flag]) bits |= bit;
  b.writeUInt16BE(h.id & 0xffff, 0);
  b.writeUInt16BE(bits, 2);
  h.counts.forEach((c, i) => b.writeUInt16BE(c, 4 + 2 * i));
  return b;
}

/** The header alone: enough to see TC or an id before decoding the rest. */
export function decodeHeader(buf: Buffer): DnsHeader {
  return readHeader(new DnsReader(buf));
}

function readHeader(r: DnsReader): DnsHeader {
  const id = r.u16();
  const bits = r.u16();
  const flags: DnsFlags = {};
  for (const [flag, bit] of FLAG_BITS) if (bits & bit) flags[flag] = true;
  return { id, opcode: (bits >> 11) & 0xf, flags, rcode: bits & 0xf, counts: [r.u16(), r.u16(), r.u16(), r.u16()] };
}

function encodeQuestion(q: DnsQuestion): Buffer {
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(typeCode(q.type), 0);
  tail.writeUInt16BE(q.class ?? RR_CLASS.IN, 2);
  return Buffer.concat([encodeName(q.name), tail]);
}

/**
 * One resource record: owner name uncompressed, then TYPE, CLASS, TTL, RDLENGTH and RDATA.
 * Names inside rdata are written uncompressed too (RFC 3597 §4 forbids compressing them for
 * types it does not know, and RFC 2782 / RFC 3403 forbid it for SRV and NAPTR).
 * @see RFC 1035 §4.1.3
 */
export function encodeRecord(r: DnsRecord): Buffer {
  const rdata = encodeRdata(r);
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(typeCode(r.type), 0);
  fixed.writeUInt16BE(r.class, 2);
  fixed.writeUInt32BE(r.ttl >>> 0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(r.name), fixed, rdata]);
}

/** The RDATA of a record alone. @see RFC 1035 §3.3 */
export function encodeRdata(r: RecordData): Buffer {
  switch (r.type) {
    case 'A':
      if (!isIPv4(r.address)) throw malformed(`A record address "${r.address}" is not IPv4`);
      return Buffer.from(r.address.split('.').map(Number));
    case 'AAAA':
      if (!isIPv6(r.address)) throw malformed(`AAAA record address "${r.address}" is not IPv6`);
      return ipv6Bytes(r.address);
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return encodeName(r.target);
    case 'SRV':
      return Buffer.concat([u16s(r.priority, r.weight, r.port), encodeName(r.target)]);
    case 'NAPTR':
      return Buffer.concat([
        u16s(r.order, r.preference),
        characterString(r.flags),
        characterString(r.service),
        characterString(r.regexp),
        encodeName(r.replacement === '' ? '.' : r.replacement),
      ]);
    case 'SOA': {
      const numbers = Buffer.alloc(20);
      [r.serial, r.refresh, r.retry, r.expire, r.minimum].forEach((n, i) => numbers.writeUInt32BE(n >>> 0, 4 * i));
      return Buffer.concat([encodeName(r.mname), encodeName(r.rname), numbers]);
    }
    case 'TXT':
      return Buffer.concat(r.strings.map(characterString));
    case 'TSIG':
      return encodeTsigData(r);
    default:
      return r.rdata;
  }
}

/** @see RFC 8945 §4.2 */
function encodeTsigData(t: TsigData): Buffer {
  const time = Buffer.alloc(10);
  time.writeUIntBE(t.timeSigned, 0, 6);
  time.writeUInt16BE(t.fudge, 6);
  time.writeUInt16BE(t.mac.length, 8);
  return Buffer.concat([encodeName(t.algorithm), time, t.mac, u16s(t.originalId, t.error, t.otherData.length), t.otherData]);
}

/** @see RFC 6891 §6.1.2–§6.1.3 */
function encodeOpt(e: Edns, rcode: number): Buffer {
  const options = Buffer.concat((e.options ?? []).map((o) => Buffer.concat([u16s(o.code, o.data.length), o.data])));
  const fixed = Buffer.alloc(11);
  fixed[0] = 0; // root owner name
  fixed.writeUInt16BE(RR_TYPE.OPT, 1);
  fixed.writeUInt16BE(e.udpPayloadSize, 3);
  fixed[5] = (rcode >> 4) & 0xff;
  fixed[6] = e.version ?? 0;
  fixed.writeUInt16BE(e.dnssecOk ? 0x8000 : 0, 7);
  fixed.writeUInt16BE(options.length, 9);
  return Buffer.concat([fixed, options]);
}

/**
 * A message from the wire, compression pointers followed. Anything malformed (truncated,
 * a bad pointer, rdata that does not fill its RDLENGTH exactly, more than one OPT record)
 * throws `SIP_ERR_DNS_MALFORMED`; trailing bytes after the last record are ignored.
 * @see RFC 1035 §4.1
 */
export function decodeDnsMessage(buf: Buffer): DecodedMessage {
  const r = new DnsReader(buf);
  const header = readHeader(r);
  const [qd, an, ns, ar] = header.counts;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < qd; i++) questions.push({ name: r.name(), type: typeName(r.u16()), class: r.u16() });
  const section = (n: number) => Array.from({ length: n }, () => readRecord(r));
  const answers = section(an);
  const authorities = section(ns);
  const m: DecodedMessage = { id: header.id, opcode: header.opcode, flags: header.flags, rcode: header.rcode, questions, answers, authorities, additionals: [] };
  for (let i = 0; i < ar; i++) {
    const start = r.offset;
    const record = readRecord(r);
    if (record.type === 'TSIG' && i === ar - 1) m.tsigOffset = start;
    if (typeof record.type === 'number' && record.type === RR_TYPE.OPT) {
      if (m.edns) throw malformed('more than one OPT record'); // RFC 6891 §6.1.1
      m.edns = readOpt(record, m);
    } else {
      m.additionals.push(record);
    }
  }
  return m;
}

function readOpt(record: DnsRecord & { rdata: Buffer }, m: DnsMessage): Edns {
  m.rcode |= (record.ttl >>> 24) << 4;
  const options: { code: number; data: Buffer }[] = [];
  const r = new DnsReader(record.rdata);
  while (r.remaining > 0) {
    const code = r.u16();
    options.push({ code, data: r.bytes(r.u16()) });
  }
  return { udpPayloadSize: record.class, version: (record.ttl >>> 16) & 0xff, dnssecOk: (record.ttl & 0x8000) !== 0, options };
}

function readRecord(r: DnsReader): DnsRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const length = r.u16();
  const end = r.offset + length;
  if (end > r.buf.length) throw malformed(`RDATA of ${name} runs past the end of the message`);
  // OPT keeps its rdata raw for readOpt; empty rdata is an RFC 2136 §2.4 deletion or prerequisite.
  const data: RecordData = length === 0 || type === RR_TYPE.OPT ? { type, rdata: r.bytes(length) } : readRdata(r, type, length);
  if (r.offset !== end) throw malformed(`RDATA of ${name} (type ${type}) does not fill its RDLENGTH`);
  return { name, class: cls, ttl, ...data };
}

function readRdata(r: DnsReader, type: number, length: number): RecordData {
  const end = r.offset + length;
  switch (typeName(type)) {
    case 'A':
      return { type: 'A', address: [...r.bytes(4)].join('.') };
    case 'AAAA':
      return { type: 'AAAA', address: ipv6Text(r.bytes(16)) };
    case 'NS':
    case 'CNAME':
    case 'PTR':
      return { type: typeName(type) as 'NS' | 'CNAME' | 'PTR', target: r.name() };
    case 'SRV':
      return { type: 'SRV', priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
    case 'NAPTR': {
      const [order, preference] = [r.u16(), r.u16()];
      const [flags, service, regexp] = [r.characterString(), r.characterString(), r.characterString()];
      const replacement = r.name();
      return { type: 'NAPTR', order, preference, flags, service, regexp, replacement: replacement === '.' ? '' : replacement };
    }
    case 'SOA':
      return { type: 'SOA', mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
    case 'TXT': {
      const strings: string[] = [];
      while (r.offset < end) strings.push(r.characterString());
      return { type: 'TXT', strings };
    }
    case 'TSIG': {
      const algorithm = r.name().toLowerCase();
      const [timeSigned, fudge] = [r.u48(), r.u16()];
      const mac = Buffer.from(r.bytes(r.u16()));
      const [originalId, error] = [r.u16(), r.u16()];
      return { type: 'TSIG', algorithm, timeSigned, fudge, mac, originalId, error, otherData: Buffer.from(r.bytes(r.u16())) };
    }
    default:
      return { type, rdata: Buffer.from(r.bytes(length)) };
  }
}

function u16s(...values: number[]): Buffer {
  const b = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => b.writeUInt16BE(v, 2 * i));
  return b;
}

/** @see RFC 1035 §3.3 */
function characterString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length > 255) throw malformed(`character-string "${s.slice(0, 20)}…" is longer than 255 octets`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function ipv6Bytes(address: string): Buffer {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return u16s(...groups.map((g) => parseInt(g, 16)));
}

/** RFC 5952 §4 text: lower case, longest run of zero groups (two or more) shortened to `::`. */
function ipv6Text(b: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(2 * i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
