import { TOKEN, isWsp, quoteIfNeeded, readQuoted, skipWs } from './grammar.js';
import { type Params, formatParams, parseHeaderParams } from './params.js';
import { type Uri, formatUri, parseUri } from './uri.js';

/**
 * `name-addr` or `addr-spec` with header parameters, as in From, To, Contact, Route,
 * Record-Route, Path. `displayName` is unquoted; `null` when absent.
 * @see RFC 3261 §20.10, §25.1 name-addr
 */
export interface NameAddr {
  displayName: string | null;
  uri: Uri;
  params: Params;
}

/**
 * Parses one name-addr / addr-spec value with its header parameters.
 * In the addr-spec form the URI ends at the first `;` and may not carry `?` headers
 * (RFC 3261 §20: such URIs must be enclosed in `<>`). Throws a plain Error naming the problem.
 */
export function parseNameAddr(value: string): NameAddr {
  const s = value;
  let i = skipWs(s, 0);
  let displayName: string | null = null;
  let uriText: string;
  if (s.charCodeAt(i) === 0x22) {
    const q = readQuoted(s, i);
    if (q.end < 0) throw new Error('unterminated quoted display name');
    displayName = q.value;
    i = skipWs(s, q.end);
    if (s.charCodeAt(i) !== 0x3c) throw new Error('expected "<" after the display name');
  }
  const lt = s.charCodeAt(i) === 0x3c ? i : displayName === null ? s.indexOf('<', i) : -1;
  if (lt >= 0) {
    if (displayName === null && lt > i) displayName = tokenDisplayName(s.slice(i, lt));
    const gt = s.indexOf('>', lt + 1);
    if (gt < 0) throw new Error('missing ">"');
    uriText = s.slice(lt + 1, gt);
    if (uriText.length === 0 || isWsp(uriText.charCodeAt(0)) || isWsp(uriText.charCodeAt(uriText.length - 1))) {
      throw new Error(`whitespace inside <${uriText}>`);
    }
    i = gt + 1;
  } else {
    let j = i;
    while (j < s.length && s.charCodeAt(j) !== 0x3b && !isWsp(s.charCodeAt(j))) j++;
    uriText = s.slice(i, j);
    if (uriText.indexOf('?') >= 0 || uriText.indexOf(',') >= 0) {
      throw new Error(`URI "${uriText}" with "?" or "," must be enclosed in "<>"`);
    }
    i = j;
  }
  const uri = parseUri(uriText);
  const params = parseHeaderParams(s, i);
  return { displayName, uri, params };
}

/** display-name = *(token LWS): every word must be a token. */
function tokenDisplayName(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  for (const word of trimmed.split(/[ \t]+/)) {
    for (let k = 0; k < word.length; k++) {
      const c = word.charCodeAt(k);
      if (c >= 128 || TOKEN[c] !== 1) throw new Error(`display name "${trimmed}" must be quoted`);
    }
  }
  return trimmed;
}

/** Serialises a name-addr, always in the `<>` form. */
export function formatNameAddr(na: NameAddr): string {
  const name = na.displayName === null ? '' : quoteIfNeeded(na.displayName) + ' ';
  return name + '<' + formatUri(na.uri) + '>' + formatParams(na.params);
}
