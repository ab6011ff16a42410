// The parsers section 1 compares. Each entry: { name, load() } where load() resolves to
// { parse(msg) } or { skip: 'reason' }. `msg` is { buf, str, isRequest }: byte-oriented
// parsers get the Buffer, string-oriented ones the string already decoded (their own
// transports hand them strings), so the decode is not counted against them.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(root + 'package.json');
const heraldSip = root + 'packages/sip/dist/index.js';

// Typed accessors the full parse touches (read only: the API is young, a missing one is
// just undefined). `uri` is the parsed Request-URI and is read for requests only.
const ACCESSORS = ['via', 'from', 'to', 'callId', 'cseq', 'maxForwards', 'contact', 'route',
  'recordRoute', 'expires', 'authorization'];

/** Read every typed accessor (and every element of list-valued ones); returns a count. */
export function touchTyped(m, isRequest) {
  let n = 0;
  const names = isRequest ? [...ACCESSORS, 'uri'] : ACCESSORS;
  for (const k of names) {
    const v = m[k];
    if (v === undefined || v === null) continue;
    n++;
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) if (v[i] !== undefined) n++;
  }
  return n;
}

/** Names of the accessors that return something for this message (for the notes). */
export function typedFound(m, isRequest) {
  const names = isRequest ? [...ACCESSORS, 'uri'] : ACCESSORS;
  return names.filter((k) => m[k] !== undefined && m[k] !== null);
}

async function loadHerald() {
  if (!existsSync(heraldSip)) return { skip: 'packages/sip/dist/index.js missing (npm run build)' };
  const mod = await import(pathToFileURL(heraldSip).href);
  if (typeof mod.parseMessage !== 'function') return { skip: '@herald/sip exports no parseMessage' };
  return mod;
}

const sipjsLogger = { debug() {}, log() {}, warn() {}, error() {} };

export const parsers = [
  {
    name: 'Herald header split',
    async load() {
      const mod = await loadHerald();
      if (mod.skip) return mod;
      return { parse: (msg) => mod.parseMessage(msg.buf) };
    },
  },
  {
    name: 'Herald full typed',
    full: true,
    async load() {
      const mod = await loadHerald();
      if (mod.skip) return mod;
      return {
        parse: (msg) => {
          const m = mod.parseMessage(msg.buf);
          touchTyped(m, msg.isRequest);
          return m;
        },
        describe: (msg) => typedFound(mod.parseMessage(msg.buf), msg.isRequest).join(' '),
      };
    },
  },
  {
    name: 'SIP.js 0.21 core Parser',
    async load() {
      const { Parser } = await import('sip.js/lib/core/messages/parser.js');
      return { parse: (msg) => Parser.parseMessage(msg.str, sipjsLogger) };
    },
  },
  {
    name: 'sip 0.0.6 parse',
    async load() {
      const sip = require('sip');
      return { parse: (msg) => sip.parse(msg.str) };
    },
  },
  {
    // `sip` leaves the Request-URI and the From/To/Contact URIs as strings; this row adds
    // its own parseUri on them, which is what a proxy or registrar would do next.
    name: 'sip 0.0.6 parse + parseUri',
    async load() {
      const sip = require('sip');
      return {
        parse: (msg) => {
          const m = sip.parse(msg.str);
          const h = m.headers;
          if (m.method) sip.parseUri(m.uri);
          sip.parseUri(h.from.uri);
          sip.parseUri(h.to.uri);
          if (Array.isArray(h.contact)) for (const c of h.contact) sip.parseUri(c.uri);
          return m;
        },
      };
    },
  },
];
