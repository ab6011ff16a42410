import { canonicalName } from './canonical-name.js';
import type { NaptrRecord } from './dns-lookup.js';

/**
 * Longest Application Unique String a substitution is applied to: four times an E.164
 * number's 16 characters, room for RFC 3403's URN example. With at most
 * {@link MAX_REPETITIONS} repetition operators and none nested, backtracking grows with the
 * subject's length to the power of the repetitions: microseconds for an E.164 number (what
 * ENUM applies it to), tens of milliseconds at this length in the worst case, hundreds at a
 * domain name's 255.
 */
export const MAX_SUBJECT_LENGTH = 64;
/** A NAPTR REGEXP field is one <character-string>, at most 255 octets. @see RFC 3403 §4.1 */
const MAX_EXPRESSION_LENGTH = 255;
/** Repetition operators (`*`, `+`, `?`, `{m,n}`) a regular expression may hold. */
const MAX_REPETITIONS = 3;
/**
 * Most paths alternation may open: the product of the alternatives of each group and of the
 * whole expression. Whatever the subject, `^(|)(|)…(|)x` tries 2^groups paths before it fails
 * (minutes with 30 groups, from one NAPTR record); zones write a few alternatives,
 * `^\+1(202|301)…`.
 */
const MAX_ALTERNATIVES = 256;

/** A substitution expression split into its parts, the ERE compiled. @see RFC 3402 §3.2 */
export interface Substitution {
  regex: RegExp;
  /** The replacement as written: text, `\<delim>` and back-references `\1`–`\9`. */
  replacement: string;
  delimiter: string;
}

/**
 * Splits `delim ere delim repl delim [i]` and compiles the ERE; `null` for anything
 * malformed, or an ERE whose backtracking could run away (nested or too many repetitions,
 * too many alternatives, ERE-undefined escapes). A DNS answer is input from anyone: a bad
 * record is skipped, never thrown over.
 * @see RFC 3402 §3.2
 */
export function parseSubstitution(expression: string): Substitution | null {
  if (expression.length < 3 || expression.length > MAX_EXPRESSION_LENGTH) return null;
  const delimiter = expression[0];
  // RFC 3402 §3.2: delim-char is any octet but POS-DIGIT and the flag "i"; a backslash would make every escape ambiguous.
  if (/[1-9i\\]/.test(delimiter)) return null;
  const parts: string[] = [];
  let start = 1;
  for (let i = 1; i < expression.length && parts.length < 2; i++) {
    const c = expression[i];
    if (c === '\\') i++;
    else if (c === delimiter) {
      parts.push(expression.slice(start, i));
      start = i + 1;
    }
  }
  if (parts.length < 2) return null;
  const [ere, replacement] = parts;
  const flags = expression.slice(start);
  // RFC 3402 §3.2: flags = "i", the only one defined
  if (flags !== '' && flags !== 'i') return null;
  const source = ereToRegExpSource(ere, delimiter);
  if (source === null) return null;
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch {
    return null;
  }
  if (!backReferencesExist(replacement, delimiter, groupCount(regex))) return null;
  return { regex, replacement, delimiter };
}

/**
 * Applies a NAPTR REGEXP field to the Application Unique String: the replacement with its
 * back-references filled in, or `null` when the expression is malformed, does not match,
 * or gives an empty string. Like ENUM clients, the result is the replacement alone, not the
 * subject with the match replaced; RFC 6116 §2.4's expressions are anchored `^…$`, where
 * the two readings agree.
 * @see RFC 3402 §3.2, RFC 3403 §4.1
 */
export function applySubstitution(expression: string, subject: string): string | null {
  if (subject.length > MAX_SUBJECT_LENGTH) return null;
  const substitution = parseSubstitution(expression);
  if (substitution === null) return null;
  const match = substitution.regex.exec(subject);
  if (match === null) return null;
  const { replacement, delimiter } = substitution;
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c !== '\\' || i + 1 === replacement.length) {
      out += c;
      continue;
    }
    const next = replacement[++i];
    // RFC 3402 §3.2: backref = "\" POS-DIGIT; escapeddelim = "\" delim-char
    if (next >= '1' && next <= '9') out += match[Number(next)] ?? '';
    else out += next === delimiter ? delimiter : next;
  }
  return out === '' ? null : out;
}

/** NAPTR records in the order a client considers them: Order, then Preference, both ascending. @see RFC 3403 §4.1 */
export function sortNaptr(records: readonly NaptrRecord[]): NaptrRecord[] {
  return [...records].sort((a, b) => a.order - b.order || a.preference - b.preference);
}

/**
 * The next key a non-terminal NAPTR (empty flags) leads to: its REPLACEMENT, or else what its
 * REGEXP makes of the Application Unique String (the two are exclusive); `null` when it gives none.
 * @see RFC 3403 §4.1 (REPLACEMENT, REGEXP), RFC 3402 §4
 */
export function nonTerminalKey(record: NaptrRecord, subject: string): string | null {
  if (record.replacement !== '') return record.replacement;
  if (record.regexp === '') return null;
  const key = applySubstitution(record.regexp, subject);
  return key === null ? null : canonicalName(key);
}

/**
 * The JavaScript source of a POSIX Extended Regular Expression, or `null` when it uses what
 * ERE leaves undefined (`\d`, back-references, `(?`), a collating element, or what could make
 * backtracking explode: a repeated group that itself repeats or alternates, more than
 * {@link MAX_REPETITIONS} repetition operators or more than {@link MAX_ALTERNATIVES} paths.
 * @see POSIX.1-2017 Base Definitions §9.4 (EREs)
 */
function ereToRegExpSource(ere: string, delimiter: string): string | null {
  let out = '';
  let repetitions = 0;
  let alternatives = 1;
  let topBranches = 1;
  // Per open group: whether it holds a repetition or an alternation, which its own repetition
  // would nest, and its number of alternatives.
  const groups: { risky: boolean; branches: number }[] = [];
  let lastAtomRisky = false;
  for (let i = 0; i < ere.length; i++) {
    const c = ere[i];
    switch (c) {
      case '\\': {
        const next = ere[i + 1];
        if (next === undefined) return null;
        i++;
        if (next === delimiter) out += escapeLiteral(next);
        else if (/[A-Za-z0-9]/.test(next)) return null;
        else out += '\\' + next;
        lastAtomRisky = false;
        break;
      }
      case '[': {
        const bracket = bracketExpression(ere, i);
        if (bracket === null) return null;
        out += bracket.source;
        i = bracket.end;
        lastAtomRisky = false;
        break;
      }
      case '(':
        if (ere[i + 1] === '?') return null;
        groups.push({ risky: false, branches: 1 });
        out += c;
        break;
      case ')': {
        const group = groups.pop();
        if (group === undefined) return null;
        alternatives *= group.branches;
        lastAtomRisky = group.risky;
        if (lastAtomRisky && groups.length > 0) groups[groups.length - 1].risky = true;
        out += c;
        break;
      }
      case '|':
        if (groups.length > 0) {
          groups[groups.length - 1].risky = true;
          groups[groups.length - 1].branches++;
        } else {
          topBranches++;
        }
        out += c;
        break;
      case '*':
      case '+':
      case '?':
      case '{': {
        // RFC 5483 (ENUM experiences): zones publish `^+44…` for `^\+44…`; after the anchor there is nothing to repeat, so it is the number's +.
        if (c === '+' && i === 1 && ere[0] === '^') {
          out += '\\+';
          break;
        }
        let operator: string = c;
        if (c === '{') {
          const interval = /^\{(\d{1,3})(,(\d{1,3})?)?\}/.exec(ere.slice(i));
          if (interval === null) return null;
          operator = interval[0];
          i += operator.length - 1;
        }
        if (lastAtomRisky || ++repetitions > MAX_REPETITIONS) return null;
        if (groups.length > 0) groups[groups.length - 1].risky = true;
        out += operator;
        lastAtomRisky = false;
        break;
      }
      default:
        out += c;
        lastAtomRisky = false;
    }
  }
  return groups.length === 0 && alternatives * topBranches <= MAX_ALTERNATIVES ? out : null;
}

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  xdigit: '0-9A-Fa-f',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
};

/** A bracket expression from `[` at `start`: its JavaScript form and the index of its `]`. @see POSIX.1-2017 §9.3.5 */
function bracketExpression(ere: string, start: number): { source: string; end: number } | null {
  let i = start + 1;
  let source = '[';
  if (ere[i] === '^') {
    source += '^';
    i++;
  }
  // A `]` first in the list is a member, not the end.
  if (ere[i] === ']') {
    source += '\\]';
    i++;
  }
  for (; i < ere.length; i++) {
    const c = ere[i];
    if (c === ']') return { source: source + ']', end: i };
    if (c === '[' && ere[i + 1] === ':') {
      const close = ere.indexOf(':]', i + 2);
      const members = close < 0 ? undefined : POSIX_CLASSES[ere.slice(i + 2, close)];
      if (members === undefined) return null;
      source += members;
      i = close + 1;
    } else if (c === '[' && (ere[i + 1] === '.' || ere[i + 1] === '=')) return null;
    // Inside brackets a backslash is itself (POSIX); JavaScript needs it escaped.
    else if (c === '\\' || c === '[') source += '\\' + c;
    else source += c;
  }
  return null;
}

function escapeLiteral(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}

function groupCount(regex: RegExp): number {
  return new RegExp(`${regex.source}|`).exec('')!.length - 1;
}

function backReferencesExist(replacement: string, delimiter: string, groups: number): boolean {
  for (let i = 0; i < replacement.length - 1; i++) {
    if (replacement[i] !== '\\') continue;
    const next = replacement[++i];
    if (next >= '1' && next <= '9' && Number(next) > groups) return false;
    if (next === '0' && next !== delimiter) return false;
  }
  return true;
}
