import { type NameAddr, type SipRequest, formatUri, parseUint32, unquote } from '@herald/sip';
import type { FlowRef } from '@herald/store';
import type { ContactUpdate, RegisterUpdate } from './apply-register.js';
import { contactKey, outboundKey } from './contact-key.js';
import { badContactParam } from './registrar-errors.js';

const Q_VALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
const MAX_SECONDS = 4294967295;

/** A REGISTER read into what it asks of the bindings, plus whether outbound applies. */
export interface ReadRegister extends RegisterUpdate {
  /** RFC 5626 §6: reg-id is honoured (the client supports outbound and we are its first hop). */
  outbound: boolean;
  /** RFC 3327 §5.3: the client supports Path, so the 200 echoes it. */
  echoPath: boolean;
}

/**
 * Reads the Contact, Expires, Path and outbound parameters of a REGISTER.
 * @see RFC 3261 §10.3 steps 6–7, RFC 3327 §5.3, RFC 5626 §6
 */
export function readRegister(req: SipRequest, flow: FlowRef): ReadRegister {
  const contact = req.contact;
  const path = req.headerValues('path');
  const supported = req.optionTags('supported');
  const outbound = supported.includes('outbound') && isFirstHop(req, path);
  const expiresHeader = req.expires;
  const callId = req.callId;
  const cseq = req.cseq.seq;
  const userAgent = req.header('user-agent') ?? null;
  const echoPath = path.length > 0 && supported.includes('path');
  // One literal, not a spread of a common part: the spread cost more than the rest of the read.
  const wildcard = contact === '*';
  const contacts = wildcard ? [] : contact.map((na) => readContact(na, expiresHeader, outbound));
  return { wildcard, expiresHeader, contacts, callId, cseq, path, flow, userAgent, outbound, echoPath };
}

/**
 * RFC 5626 §6: reg-id counts only when the registrar is the first hop, or the edge proxy
 * that is marked itself with `ob` in the first Path. Otherwise the registration is
 * handled as plain RFC 3261 (never 439: pjsip clients stop registering after one).
 */
function isFirstHop(req: SipRequest, path: readonly string[]): boolean {
  if (path.length === 0) return req.via.length === 1;
  const first = req.path[0];
  return first !== undefined && 'params' in first.uri && first.uri.params.has('ob');
}

function readContact(na: NameAddr, expiresHeader: number | undefined, outbound: boolean): ContactUpdate {
  let expires: number | null = expiresHeader ?? null;
  let q: number | null = null;
  let params = '';
  let instanceId: string | null = null;
  let regId: number | null = null;
  for (const [name, value] of na.params) {
    if (name === 'expires') {
      expires = readExpires(value);
      continue;
    }
    if (name === 'q') {
      if (value === null || !Q_VALUE.test(value)) throw badContactParam('q', value);
      q = Number(value);
      continue;
    }
    if (name === '+sip.instance') instanceId = instanceOf(value);
    else if (name === 'reg-id') regId = readRegId(value);
    params += value === null ? `;${name}` : `;${name}=${value}`;
  }
  const honoured = outbound && instanceId !== null && regId !== null;
  return {
    contact: formatUri(na.uri),
    key: honoured ? outboundKey(instanceId!, regId!) : contactKey(na.uri),
    params,
    q,
    expires,
    instanceId,
    regId: honoured ? regId : null,
  };
}

/** `expires` values above 2^32-1 count as 2^32-1 (RFC 3261 §20.19: delta-seconds). */
function readExpires(value: string | null): number {
  if (value === null || !/^\d+$/.test(value)) throw badContactParam('expires', value);
  return value.length > 10 ? MAX_SECONDS : Math.min(Number(value), MAX_SECONDS);
}

function readRegId(value: string | null): number {
  try {
    return parseUint32(value ?? '', 'reg-id');
  } catch {
    throw badContactParam('reg-id', value);
  }
}

/** `+sip.instance="<urn:uuid:…>"` → `urn:uuid:…` @see RFC 5626 §4.1 */
function instanceOf(value: string | null): string {
  const text = unquote(value);
  if (text === null || text === '') throw badContactParam('+sip.instance', value);
  return text.startsWith('<') && text.endsWith('>') ? text.slice(1, -1) : text;
}

