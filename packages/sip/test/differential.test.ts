import { isDeepStrictEqual } from 'node:util';
import { Parser } from 'sip.js/lib/core/messages/parser.js';
import { Grammar } from 'sip.js/lib/grammar/grammar.js';
import type { NameAddrHeader } from 'sip.js/lib/grammar/name-addr-header.js';
import type { URI } from 'sip.js/lib/grammar/uri.js';
import { type NameAddr, type Uri, isSipUri, parseMessage, parseNameAddr, parseUri } from '../src/index.js';
import {
  type CorpusEntry,
  type NameAddrFields,
  type UriFields,
  nameAddrCorpus,
  uriCorpus,
} from './fixtures/differential-corpus.js';

/*
 * Differential test: Herald's parseUri / parseNameAddr / parseMessage against SIP.js's PEG
 * grammar. SIP.js is the oracle for the entries on which the two agree; where they differ,
 * the corpus entry says why Herald is right and what Herald must produce.
 *
 * SIP.js oracles: `Grammar.URIParse` (its SIP-URI / SIPS-URI rule) for sip and sips,
 * `Grammar.parse(text, 'absoluteURI')` for any other scheme, and `Grammar.parse(text, 'To')`
 * for a name-addr / addr-spec with header parameters: the To rule is what SIP.js's own
 * message parser applies to a To header, and unlike `nameAddrHeaderParse` (name-addr only)
 * it takes both forms that `parseNameAddr` takes (RFC 3261 §25.1 To, From, Contact).
 */

type Outcome<F> = Partial<F> & { accepted: boolean };

const REJECTED = { accepted: false } as const;

// Normalisation shared by both sides (RFC 3261 §19.1.4: everything but userinfo compares
// case-insensitively; §7.3.1: header names are case-insensitive).

function uriParamRecord(entries: Iterable<[string, string | null]>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of entries) out[k.toLowerCase()] = v === null ? null : v.toLowerCase();
  return out;
}

function headerParamRecord(entries: Iterable<[string, string | null]>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [k, v] of entries) out[k.toLowerCase()] = v;
  return out;
}

function uriHeaderRecord(entries: Iterable<[string, string[]]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, values] of entries) (out[k.toLowerCase()] ??= []).push(...values);
  return out;
}

// Herald

function heraldUriFields(uri: Uri): Outcome<UriFields> {
  if (!isSipUri(uri)) return { accepted: true, scheme: uri.scheme.toLowerCase() };
  return {
    accepted: true,
    scheme: uri.scheme.toLowerCase(),
    user: uri.user,
    password: uri.password,
    host: uri.host.toLowerCase(),
    port: uri.port,
    params: uriParamRecord(uri.params),
    headers: uriHeaderRecord([...uri.headers].map(([k, v]): [string, string[]] => [k, [v]])),
  };
}

function heraldNameAddrFields(na: NameAddr): Outcome<NameAddrFields> {
  return {
    accepted: true,
    displayName: na.displayName,
    ...prefixUri(heraldUriFields(na.uri)),
    params: headerParamRecord(na.params),
  };
}

function herald<T, F>(parse: () => T, fields: (value: T) => Outcome<F>): Outcome<F> {
  let value: T;
  try {
    value = parse();
  } catch {
    return { ...REJECTED } as Outcome<F>;
  }
  return fields(value);
}

// SIP.js

/**
 * SIP.js keeps URI parameters and header values escaped as written; RFC 3261 §19.1.4 makes
 * `%HH` equal to the character it encodes, and Herald unescapes them. Undecodable text is
 * left as it is, so that the comparison shows it.
 */
function unescaped(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function sipjsUriFields(uri: URI): Outcome<UriFields> {
  return {
    accepted: true,
    scheme: uri.scheme.toLowerCase(),
    // SIP.js has no password field: its user holds "user:password" (see the corpus notes).
    user: uri.user ?? null,
    password: null,
    host: uri.host.toLowerCase(),
    port: uri.port ?? null,
    params: uriParamRecord(
      Object.entries(uri.parameters).map(([k, v]): [string, string | null] => [unescaped(k), v === null ? null : unescaped(v)]),
    ),
    headers: uriHeaderRecord(Object.entries(uri.headers).map(([k, v]): [string, string[]] => [unescaped(k), v.map(unescaped)])),
  };
}

function sipjsUri(text: string): Outcome<UriFields> {
  if (/^sips?:/i.test(text)) {
    const uri = Grammar.URIParse(text);
    return uri ? sipjsUriFields(uri) : { ...REJECTED };
  }
  const parsed = Grammar.parse(text, 'absoluteURI') as { scheme: string } | -1;
  return parsed === -1 ? { ...REJECTED } : { accepted: true, scheme: parsed.scheme.toLowerCase() };
}

function sipjsNameAddrFields(header: NameAddrHeader): Outcome<NameAddrFields> {
  return {
    accepted: true,
    displayName: header.displayName ?? null,
    ...prefixUri(sipjsUriFields(header.uri)),
    params: headerParamRecord(Object.entries(header.parameters)),
  };
}

function sipjsNameAddr(text: string): Outcome<NameAddrFields> {
  const parsed = Grammar.parse(text, 'To') as NameAddrHeader | -1;
  return parsed === -1 ? { ...REJECTED } : sipjsNameAddrFields(parsed);
}

// Comparison

function prefixUri(fields: Outcome<UriFields>): Partial<NameAddrFields> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (k !== 'accepted') out[`uri.${k}`] = v;
  return out;
}

/** The compared fields on which two outcomes differ; only `accepted` when either rejects. */
function differingFields<F>(a: Outcome<F>, b: Outcome<F>): string[] {
  if (!a.accepted || !b.accepted) return a.accepted === b.accepted ? [] : ['accepted'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.filter((k) => !isDeepStrictEqual(pick(a, [k]), pick(b, [k]))).sort();
}

function pick<F>(outcome: Outcome<F>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (outcome as Record<string, unknown>)[k];
  return out;
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v));
}

/** Asserts that an entry's disagreement note is real and that Herald gives the expected result. */
function checkDisagreement<F>(entry: CorpusEntry<F>, heraldOutcome: Outcome<F>, sipjsOutcome: Outcome<F>): void {
  const d = entry.disagreement!;
  const fields = (d.fields as string[]).slice().sort();
  const differing = differingFields(heraldOutcome, sipjsOutcome);
  if (differing.length === 0) {
    throw new Error(`Herald and SIP.js now agree on ${show(entry.input)}: remove its disagreement note`);
  }
  if (!isDeepStrictEqual(differing, fields)) {
    throw new Error(
      `${show(entry.input)}: the parsers differ on ${show(differing)} (Herald ${show(pick(heraldOutcome, differing))}, ` +
        `SIP.js ${show(pick(sipjsOutcome, differing))}), but the note names ${show(fields)}`,
    );
  }
  const expectedKeys = Object.keys(d.herald).sort();
  const onlyHeraldAccepts = fields.includes('accepted') && heraldOutcome.accepted;
  expect(expectedKeys).toEqual(onlyHeraldAccepts ? Object.keys(heraldOutcome).sort() : fields);
  expect(pick(heraldOutcome, expectedKeys)).toEqual(d.herald);
}

function split<F>(corpus: CorpusEntry<F>[]): { agreeing: CorpusEntry<F>[]; disagreeing: CorpusEntry<F>[] } {
  return { agreeing: corpus.filter((e) => !e.disagreement), disagreeing: corpus.filter((e) => e.disagreement) };
}

const uris = split(uriCorpus);
const nameAddrs = split(nameAddrCorpus);

describe('RFC 3261 §19.1.1, §25.1 SIP-URI: Herald parseUri against SIP.js', () => {
  it('lists every input once', () => {
    expect(new Set(uriCorpus.map((e) => e.input)).size).toBe(uriCorpus.length);
  });

  it.each(uris.agreeing.map((e) => [e.input, e] as const))('reads %j as SIP.js does', (_input, entry) => {
    const h = herald(() => parseUri(entry.input), heraldUriFields);
    expect(h).toEqual(sipjsUri(entry.input));
  });

  it.each(uris.disagreeing.map((e) => [e.input, e.disagreement!.note, e] as const))(
    'reads %j as the RFC requires where SIP.js does not: %s',
    (_input, _note, entry) => {
      checkDisagreement(entry, herald(() => parseUri(entry.input), heraldUriFields), sipjsUri(entry.input));
    },
  );
});

describe('RFC 3261 §20.10, §25.1 name-addr / addr-spec with header parameters: Herald parseNameAddr against SIP.js', () => {
  it('lists every input once', () => {
    expect(new Set(nameAddrCorpus.map((e) => e.input)).size).toBe(nameAddrCorpus.length);
  });

  it.each(nameAddrs.agreeing.map((e) => [e.input, e] as const))('reads %j as SIP.js does', (_input, entry) => {
    const h = herald(() => parseNameAddr(entry.input), heraldNameAddrFields);
    expect(h).toEqual(sipjsNameAddr(entry.input));
  });

  it.each(nameAddrs.disagreeing.map((e) => [e.input, e.disagreement!.note, e] as const))(
    'reads %j as the RFC requires where SIP.js does not: %s',
    (_input, _note, entry) => {
      checkDisagreement(entry, herald(() => parseNameAddr(entry.input), heraldNameAddrFields), sipjsNameAddr(entry.input));
    },
  );
});

describe('RFC 3261 §20.39 To in a whole request: Herald parseMessage against SIP.js Parser.parseMessage', () => {
  const silent = { debug() {}, log() {}, warn() {}, error() {} } as unknown as Parameters<typeof Parser.parseMessage>[1];

  function options(to: string): string {
    return [
      'OPTIONS sip:bob@example.com SIP/2.0',
      'Via: SIP/2.0/UDP client.example.com;branch=z9hG4bK-differential',
      'Max-Forwards: 70',
      `To: ${to}`,
      'From: <sip:alice@example.com>;tag=differential',
      'Call-ID: differential@client.example.com',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  }

  function heraldTo(to: string): Outcome<NameAddrFields> {
    return herald(() => parseMessage(Buffer.from(options(to), 'utf8')).to, heraldNameAddrFields);
  }

  function sipjsTo(to: string): Outcome<NameAddrFields> {
    const message = Parser.parseMessage(options(to), silent);
    const header = message?.parseHeader('to') as NameAddrHeader | undefined;
    if (message && header !== message.to) throw new Error('SIP.js parseHeader("to") differs from .to');
    return header ? sipjsNameAddrFields(header) : { ...REJECTED };
  }

  it('parses the request around the To header in both parsers', () => {
    expect([heraldTo('<sip:bob@example.com>').accepted, sipjsTo('<sip:bob@example.com>').accepted]).toEqual([true, true]);
  });

  it.each(nameAddrCorpus.map((e) => [e.input, e] as const))('reads To: %j as it reads the bare value', (_input, entry) => {
    const h = heraldTo(entry.input);
    const s = sipjsTo(entry.input);
    if (h.accepted && s.accepted) {
      // Both accept the request: its To must compare as the bare value does.
      expect(differingFields(h, s)).toEqual(((entry.disagreement?.fields ?? []) as string[]).slice().sort());
      if (!entry.disagreement) expect(h).toEqual(s);
    }
    // Framing (header trimming, start line, other headers) must not change either reading.
    expect(h).toEqual(herald(() => parseNameAddr(entry.input), heraldNameAddrFields));
    expect(s).toEqual(sipjsNameAddr(entry.input));
  });
});
