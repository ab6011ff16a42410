import { type Uri, isSipUri, parseUri } from '@herald/sip';
import { DnsError, type DnsLookup, type NaptrRecord } from './dns-lookup.js';
import { applySubstitution, nonTerminalKey, sortNaptr } from './naptr-rewrite.js';

/** The suffix of the public ENUM tree. @see RFC 6116 §4.1 */
export const DEFAULT_ENUM_SUFFIXES: readonly string[] = ['e164.arpa'];

/** An E.164 number has at most 15 digits. @see RFC 6116 §2.1 (ITU-T E.164) */
const MAX_DIGITS = 15;
/** Non-terminal NAPTRs followed from one suffix's domain, in depth and in domains asked, before giving up. */
const MAX_NON_TERMINAL_STEPS = 4;
const MAX_DOMAINS_ASKED = 8;
/**
 * NAPTR records of one domain looked at, lowest Order and Preference first: each costs a
 * regular expression, and an answer over TCP can hold hundreds. @see RFC 6116 §6 (ENUM data is anyone's)
 */
const MAX_RECORDS_CONSIDERED = 32;
/** URI schemes an ENUM answer may route to. */
const ROUTABLE_SCHEMES = new Set(['sip', 'sips', 'im', 'pres']);

/**
 * The E.164 number a URI names, as ENUM's Application Unique String (`+12025550100`): a
 * `tel:` URI with a global number, or a SIP URI with `user=phone` whose user part is one;
 * visual separators removed. `null` for anything else (a local number needs its
 * phone-context, which ENUM does not take).
 * @see RFC 6116 §2.4 step 1, RFC 3966 §5.1.1, RFC 3261 §19.1.6
 */
export function globalNumber(uri: Uri): string | null {
  let text: string;
  if (uri.scheme === 'tel') text = (uri as { number: string }).number;
  else if (isSipUri(uri) && uri.user !== null && uri.params.get('user')?.toLowerCase() === 'phone') {
    // RFC 3261 §19.1.6: the user part is a telephone-subscriber; its own parameters (isub, postd…) follow `;`.
    const semi = uri.user.indexOf(';');
    text = semi < 0 ? uri.user : uri.user.slice(0, semi);
  } else return null;
  // RFC 3966 §5.1.1: global-number-digits = "+" *phonedigit DIGIT *phonedigit, phonedigit = DIGIT / "-" / "." / "(" / ")"
  if (!/^\+[0-9().-]+$/.test(text)) return null;
  const digits = text.replace(/[().-]/g, '');
  return digits.length > 1 && digits.length <= MAX_DIGITS + 1 ? digits : null;
}

/**
 * The domain an ENUM query asks: the digits reversed, dot-separated, under `suffix`.
 * `+12025550100` under `e164.arpa` is `0.0.1.0.5.5.5.2.0.2.1.e164.arpa`.
 * @see RFC 6116 §2.4 steps 2–4
 */
export function enumDomain(number: string, suffix: string): string {
  const digits = number.replace(/\D/g, '');
  return [...digits].reverse().join('.') + '.' + suffix.replace(/^\.+|\.+$/g, '').toLowerCase();
}

/**
 * The Enumservice types (lower case, subtypes dropped) of a NAPTR SERVICES field:
 * `E2U+sip` → `['sip']`, `E2U+im:sip` → `['im']`, `E2U+sip+im` → `['sip', 'im']`;
 * `null` when the field is not an ENUM one.
 * @see RFC 6116 §3.4.3
 */
export function enumservicesOf(service: string): string[] | null {
  // service-field = "E2U" 1*(servicespec); servicespec = "+" enumservice; enumservice = type 0*(":" subtype)
  if (!/^E2U(\+[A-Za-z0-9-]{1,32}(:[A-Za-z0-9-]{1,32})*)+$/i.test(service)) return null;
  return service
    .slice(4)
    .split('+')
    .map((spec) => spec.split(':')[0].toLowerCase());
}

/** What one domain's NAPTR records say about a number. */
export type EnumRuleOutcome =
  /** A terminal (`U`) record gave a routable URI for `enumservice`. */
  | { uri: string; enumservice: string }
  /** No terminal record served; these keys (non-terminal records, in order) are the next to ask. */
  | { next: string[] };

/**
 * Chooses among one domain's NAPTR records for `number`. Records are read by Order, then
 * Preference; a record matches when it is terminal (`U`), offers one of `enumservices` and
 * its REGEXP gives a `sip:`, `sips:`, `im:` or `pres:` URI, or when it is non-terminal
 * (empty flags) and gives a key. Only the lowest Order with a match counts (RFC 3403 §4.1);
 * within it, the terminal record of the most wanted Enumservice wins, then the lowest
 * Preference (RFC 3403 §4.1 lets a client pass over a preferred record for a service it
 * wants less), and without a terminal match the non-terminal keys are the next to ask.
 * Records with other flags, other services or malformed expressions are skipped.
 * @see RFC 6116 §3.2 (processing), §3.4.1 (flags), RFC 3403 §4.1, RFC 3402 §4
 */
export function chooseEnumRule(records: readonly NaptrRecord[], number: string, enumservices: readonly string[]): EnumRuleOutcome {
  let order: number | null = null;
  let best: { uri: string; rank: number } | null = null;
  const next: string[] = [];
  for (const record of sortNaptr(records).slice(0, MAX_RECORDS_CONSIDERED)) {
    if (order !== null && record.order !== order) break;
    if (record.flags === 'U') {
      // RFC 6116 §3.4.1: "U" is terminal, its REGEXP gives the URI.
      const rank = serviceRank(record, enumservices);
      if (rank < 0) continue;
      const uri = applySubstitution(record.regexp, number);
      if (uri === null || !isRoutable(uri)) continue;
      order = record.order;
      if (best === null || rank < best.rank) best = { uri, rank };
    } else if (record.flags === '') {
      // RFC 6116 §3.4.1: an empty flag field is non-terminal; the next query is for the key it gives.
      const key = nonTerminalKey(record, number);
      if (key === null) continue;
      order = record.order;
      next.push(key);
    }
  }
  return best === null ? { next } : { uri: best.uri, enumservice: enumservices[best.rank] };
}

/** The index in `enumservices` of the most wanted one `record` offers; -1 for none. */
function serviceRank(record: NaptrRecord, enumservices: readonly string[]): number {
  const offered = enumservicesOf(record.service);
  if (offered === null) return -1;
  const ranks = offered.map((s) => enumservices.indexOf(s)).filter((i) => i >= 0);
  return ranks.length === 0 ? -1 : Math.min(...ranks);
}

function isRoutable(text: string): boolean {
  try {
    return ROUTABLE_SCHEMES.has(parseUri(text).scheme);
  } catch {
    return false;
  }
}

/** Where ENUM sends a number. */
export interface EnumResult {
  /** The new Request-URI: `sip:`, `sips:`, `im:` or `pres:`. */
  uri: string;
  enumservice: string;
  /** The domain whose NAPTR gave it. */
  domain: string;
}

/**
 * ENUM resolution of E.164 numbers to URIs over the configured suffixes (`e164.arpa`, then
 * private trees), tried in order: the first suffix that yields a URI wins.
 * @see RFC 6116 §2.4, §3.2
 */
export class EnumLookup {
  private readonly suffixes: readonly string[];

  constructor(
    private readonly dns: DnsLookup,
    suffixes: readonly string[],
  ) {
    this.suffixes = suffixes.map((s) => s.replace(/^\.+|\.+$/g, '').toLowerCase());
  }

  /**
   * The URI for `number` (an Application Unique String from {@link globalNumber}) offering
   * the first of `enumservices` any record does; `null` when no suffix has one. Rejects with
   * the first `DnsError` when a suffix could not be asked and none answered.
   */
  async resolve(number: string, enumservices: readonly string[]): Promise<EnumResult | null> {
    let failure: DnsError | null = null;
    for (const suffix of this.suffixes) {
      try {
        const found = await this.follow(enumDomain(number, suffix), number, enumservices);
        if (found !== null) return found;
      } catch (error) {
        if (!(error instanceof DnsError)) throw error;
        failure ??= error;
      }
    }
    if (failure !== null) throw failure;
    return null;
  }

  private async follow(first: string, number: string, enumservices: readonly string[]): Promise<EnumResult | null> {
    const visited = new Set<string>();
    let keys = [first];
    for (let step = 0; step <= MAX_NON_TERMINAL_STEPS && keys.length > 0; step++) {
      const next: string[] = [];
      for (const domain of keys) {
        if (visited.has(domain) || visited.size >= MAX_DOMAINS_ASKED) continue;
        visited.add(domain);
        const outcome = chooseEnumRule(await this.dns.naptr(domain), number, enumservices);
        if ('uri' in outcome) return { ...outcome, domain };
        next.push(...outcome.next);
      }
      keys = next;
    }
    return null;
  }
}
