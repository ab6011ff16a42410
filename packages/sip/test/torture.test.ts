import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type NameAddr,
  type SipMessage,
  SipRequest,
  SipResponse,
  type SipUri,
  formatUri,
  hostAddress,
  parseMessage,
  parseUri,
  SipError,
} from '@herald/sip';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

interface Entry {
  file: string;
  section: string | null;
  title?: string;
  kind: 'request' | 'response';
  parserVerdict: 'accept' | 'reject';
  serverResponse: number | 'process' | 'none';
  expect: Record<string, unknown>;
}

function load(set: string): (Entry & { bytes: Buffer })[] {
  const manifest = JSON.parse(readFileSync(join(fixtures, set, 'manifest.json'), 'utf8')) as Entry[];
  return manifest.map((e) => ({ ...e, bytes: readFileSync(join(fixtures, set, e.file)) }));
}

/** Parses as an element that consumes the message would: split, then validate every known header. */
function outcome(bytes: Buffer): { msg: SipMessage } | { error: SipError } {
  try {
    return { msg: parseMessage(bytes, { datagram: true }).validate() };
  } catch (e) {
    if (e instanceof SipError) return { error: e };
    throw e;
  }
}

/**
 * Why each syntactically invalid message is rejected: the reason phrase of the 400 (or 505)
 * must name the problem the RFC describes. A `null` pattern marks a response, which is
 * dropped rather than answered.
 */
const REJECTIONS: Record<string, [number, RegExp]> = {
  'badinv01.dat': [400, /^Malformed Via header/],
  'clerr.dat': [400, /^Content-Length larger than the message$/],
  'ncl.dat': [400, /^Malformed Content-Length$/],
  'scalar02.dat': [400, /^Malformed CSeq header: .*CSeq number/],
  'scalarlg.dat': [400, /^Malformed CSeq header/],
  'quotbal.dat': [400, /^Malformed To header: unterminated quoted display name$/],
  'ltgtruri.dat': [400, /^Malformed Request-URI$/],
  'lwsruri.dat': [400, /^Malformed Request-Line$/],
  'lwsstart.dat': [400, /^Malformed Request-Line$/],
  'trws.dat': [400, /^Malformed Request-Line$/],
  'escruri.dat': [400, /^Malformed Request-URI: headers are not allowed/],
  'baddate.dat': [400, /^Malformed Date header: .*GMT/],
  'regbadct.dat': [400, /^Malformed Contact header: .*must be enclosed in "<>"$/],
  'badaspec.dat': [400, /^Malformed To header: whitespace inside/],
  'baddn.dat': [400, /^Malformed From header: display name .* must be quoted$/],
  'badvers.dat': [505, /^Version Not Supported$/],
  'mismatch01.dat': [400, /^CSeq method does not match the request method$/],
  'mismatch02.dat': [400, /^CSeq method does not match the request method$/],
  'bigcode.dat': [400, /^Malformed Status-Code$/],
  'insuf.dat': [400, /^Missing (From|To|Call-ID|Via) header$/],
  'multi01.dat': [400, /^Multiple (CSeq|Call-ID|From|To|Max-Forwards) headers$/],
  'mcl01.dat': [400, /^Multiple Content-Length headers$/],
  'test.dat': [400, /^Malformed Request-Line$/],
  'ipv6-bad.dat': [400, /^Malformed Request-URI: invalid port/],
};

const uriOf = (na: NameAddr) => formatUri(na.uri);
const userOf = (na: NameAddr) => (na.uri as SipUri).user;
const sipUri = (m: SipMessage) => (m as SipRequest).uri as SipUri;
const contacts = (m: SipMessage) => (m.contact === '*' ? [] : m.contact);
const paramsObject = (p: Map<string, string | null>) => Object.fromEntries(p);

/**
 * How to read each field the manifests state from a parsed message. Fields not listed here
 * describe bytes (raw forms, SDP content) rather than parse results.
 */
const FIELDS: Record<string, (m: SipMessage) => unknown> = {
  method: (m) => (m as SipRequest).method,
  requestUri: (m) => (m as SipRequest).uriText,
  requestUriHost: (m) => sipUri(m).host,
  requestUriHostAddress: (m) => hostAddress(sipUri(m).host),
  requestUriPort: (m) => sipUri(m).port,
  requestUriUserDecoded: (m) => sipUri(m).user,
  requestUriPassword: (m) => sipUri(m).password,
  requestUriParams: (m) => paramsObject(sipUri(m).params),
  requestUriScheme: (m) => (m as SipRequest).uri.scheme,
  statusCode: (m) => (m as SipResponse).status,
  reasonPhrase: (m) => (m as SipResponse).reason,
  callId: (m) => m.callId,
  cseq: (m) => m.cseq,
  fromTag: (m) => m.from.params.get('tag') ?? null,
  toTag: (m) => m.to.params.get('tag') ?? null,
  fromUri: (m) => uriOf(m.from),
  toUri: (m) => uriOf(m.to),
  fromDisplayName: (m) => m.from.displayName,
  toDisplayName: (m) => m.to.displayName,
  fromUserDecoded: (m) => userOf(m.from),
  toUserDecoded: (m) => userOf(m.to),
  aorUserDecoded: (m) => userOf(m.to),
  fromParams: (m) => paramsObject(m.from.params),
  toParams: (m) => paramsObject(m.to.params),
  viaCount: (m) => m.via.length,
  topViaBranch: (m) => m.topVia.params.get('branch') ?? null,
  topViaTransport: (m) => m.topVia.transport,
  topViaSentBy: (m) => (m.topVia.port === null ? m.topVia.host : `${m.topVia.host}:${m.topVia.port}`),
  topViaHostAddress: (m) => hostAddress(m.topVia.host),
  topViaPort: (m) => m.topVia.port,
  topViaRport: (m) => m.topVia.params.has('rport'),
  topViaReceivedAddress: (m) => hostAddress(m.topVia.params.get('received') ?? ''),
  viaBranches: (m) => m.via.map((v) => v.params.get('branch') ?? null),
  viaTransports: (m) => m.via.map((v) => v.transport),
  bottomViaBranch: (m) => m.via[m.via.length - 1].params.get('branch'),
  bottomViaReceived: (m) => m.via[m.via.length - 1].params.get('received'),
  contactCount: (m) => contacts(m).length,
  contactUri: (m) => (m.contact === '*' ? '*' : contacts(m).length ? uriOf(contacts(m)[0]) : null),
  contactUris: (m) => contacts(m).map(uriOf),
  contactUsersDecoded: (m) => contacts(m).map(userOf),
  contactUserDecoded: (m) => userOf(contacts(m)[0]),
  contactDisplayName: (m) => contacts(m)[0].displayName,
  contactParams: (m) => paramsObject(contacts(m)[0].params),
  contactUriParams: (m) => paramsObject((contacts(m)[0].uri as SipUri).params),
  contactUriParamsDecoded: (m) => paramsObject((contacts(m)[0].uri as SipUri).params),
  contactUriHeadersDecoded: (m) => Object.fromEntries((contacts(m)[0].uri as SipUri).headers),
  contactHostAddress: (m) => hostAddress((contacts(m)[0].uri as SipUri).host),
  maxForwards: (m) => m.maxForwards ?? null,
  contentLength: (m) => (m.header('content-length') === undefined ? null : m.body.length),
  contentType: (m) => m.header('content-type'),
  subject: (m) => m.header('subject'),
  route: (m) => m.header('route'),
  accept: (m) => m.headerValues('accept'),
  unknownHeaders: (m) => Object.fromEntries(Object.keys(EXPECTED_UNKNOWN.get(m) ?? {}).map((k) => [k, m.header(k)])),
};

/** `unknownHeaders` names the headers to read; the lookup needs the expected object. */
const EXPECTED_UNKNOWN = new WeakMap<SipMessage, Record<string, unknown>>();

/**
 * Brings an expected value into the form Herald represents it in; each rule is a
 * representation choice, not a different parse:
 * - URIs are compared after unescaping and re-escaping (RFC 3261 §19.1.4: `%75se%72` is `user`);
 * - parameter names and URI schemes are case-insensitive and kept in lower case;
 * - RFC 5118 §4.10's three-colon IPv6 form is tolerated and normalised to two colons.
 */
function normalise(key: string, want: unknown): unknown {
  if ((key === 'fromUri' || key === 'toUri' || key === 'contactUri') && typeof want === 'string' && want !== '*') {
    return formatUri(parseUri(want));
  }
  if (key === 'contactUris') return (want as string[]).map((u) => formatUri(parseUri(u)));
  if (key.endsWith('Params') && want && typeof want === 'object') {
    return Object.fromEntries(Object.entries(want).map(([k, v]) => [k.toLowerCase(), v]));
  }
  if (key === 'requestUriScheme') return (want as string).toLowerCase();
  if (key === 'requestUriHost' && typeof want === 'string') return want.replace(':::', '::');
  return want;
}

for (const set of ['rfc4475', 'rfc5118']) {
  const entries = load(set);
  describe(`${set.toUpperCase()} torture messages`, () => {
    it('has a fixture for every message of the manifest', () => {
      expect(entries.length).toBe(set === 'rfc4475' ? 50 : 12);
    });

    const rejected = entries.filter((e) => REJECTIONS[e.file]);
    const accepted = entries.filter((e) => !REJECTIONS[e.file]);

    describe.each(rejected.map((e) => [e.file, e] as const))('invalid: %s', (_, e) => {
      it('is rejected with a response that names the problem', () => {
        const r = outcome(e.bytes);
        expect('error' in r).toBe(true);
        if (!('error' in r)) return;
        const [status, reason] = REJECTIONS[e.file];
        expect(r.error.status).toBe(status);
        expect(r.error.reason).toMatch(reason);
      });
    });

    describe.each(accepted.map((e) => [e.file, e] as const))('valid: %s', (_, e) => {
      it('parses, and its fields come out as the RFC states', () => {
        expect(e.parserVerdict).toBe('accept');
        const r = outcome(e.bytes);
        if ('error' in r) throw new Error(`${e.file} rejected: ${r.error.status} ${r.error.reason}`);
        const m = r.msg;
        expect(m).toBeInstanceOf(e.kind === 'response' ? SipResponse : SipRequest);
        EXPECTED_UNKNOWN.set(m, (e.expect.unknownHeaders as Record<string, unknown>) ?? {});
        let checked = 0;
        for (const [key, want] of Object.entries(e.expect)) {
          const read = FIELDS[key];
          if (!read) continue;
          expect({ [key]: read(m) }).toEqual({ [key]: normalise(key, want) });
          checked++;
        }
        expect(checked).toBeGreaterThanOrEqual(5);
      });

      it('re-serialises to a message that parses to the same fields', () => {
        const r = outcome(e.bytes);
        if ('error' in r) return;
        const again = parseMessage(r.msg.toBuffer(), { datagram: false });
        expect(again.callId).toBe(r.msg.callId);
        expect(again.via.length).toBe(r.msg.via.length);
        expect(again.body.equals(r.msg.body)).toBe(true);
      });
    });
  });
}
