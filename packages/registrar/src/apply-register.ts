import type { Binding, FlowRef } from '@herald/store';
import { grantedExpires } from '@herald/proxy';
import { invalidWildcard, outOfOrder, tooManyContacts } from './registrar-errors.js';
import type { RegistrarPolicy } from './registrar-policy.js';

/** One Contact of a REGISTER, as the registrar reads it. */
export interface ContactUpdate {
  /** The Contact URI as written. */
  contact: string;
  /** What makes two contacts the same binding: the URI compared per RFC 3261 §19.1.4, or the outbound instance and reg-id. */
  key: string;
  /** Header parameters other than `expires` and `q`, as written. */
  params: string;
  q: number | null;
  /** Seconds asked for (Contact `expires`, else the Expires header), `null` when neither was given. */
  expires: number | null;
  instanceId: string | null;
  /** Only set when outbound applies to this registration (RFC 5626 §6). */
  regId: number | null;
}

/** What a REGISTER asks of the bindings of its AoR. */
export interface RegisterUpdate {
  /** `Contact: *` (with `Expires: 0`). */
  wildcard: boolean;
  /** The request's Expires header, for the wildcard check. */
  expiresHeader: number | undefined;
  /** Empty for a query (RFC 3261 §10.2.3). */
  contacts: ContactUpdate[];
  callId: string;
  cseq: number;
  path: string[];
  flow: FlowRef;
  userAgent: string | null;
}

/**
 * The bindings an AoR has after a REGISTER, or the SipError it must be refused with. The
 * update is all-or-nothing: one contact that fails fails the whole request.
 * `keyOf` gives the comparison key of a stored binding (its URI, compared per §19.1.4).
 * @see RFC 3261 §10.3 steps 6–8, RFC 5626 §6
 */
export function applyRegister(
  current: readonly Binding[],
  update: RegisterUpdate,
  policy: RegistrarPolicy,
  now: number,
  keyOf: (b: Binding) => string,
): Binding[] {
  // Step 6: the wildcard removes every binding, only with Expires: 0 and no other Contact.
  if (update.wildcard) {
    if (update.expiresHeader !== 0) throw invalidWildcard('Contact: * needs Expires: 0');
    for (const b of current) if (b.callId === update.callId && b.cseq >= update.cseq) throw outOfOrder();
    return [];
  }
  if (update.contacts.length === 0) return [...current];

  const next = new Map<string, Binding>();
  for (const b of current) next.set(keyOf(b), b);
  for (const c of update.contacts) {
    // Step 7: a non-zero interval below the minimum is refused, one above the maximum shortened.
    const seconds = grantedExpires(c.expires, policy);
    const existing = next.get(c.key);
    // Step 7: an existing binding is changed only by a later CSeq of the same Call-ID, or by another Call-ID.
    if (existing !== undefined && existing.callId === update.callId && update.cseq <= existing.cseq) {
      // The same CSeq is the request that wrote the binding, retransmitted to another worker
      // (or after its transaction ended): answered again, changing nothing.
      if (update.cseq === existing.cseq) continue;
      throw outOfOrder();
    }
    if (seconds === 0) {
      next.delete(c.key);
      continue;
    }
    next.set(c.key, {
      contact: c.contact,
      params: c.params,
      q: c.q,
      expiresAt: now + seconds * 1000,
      callId: update.callId,
      cseq: update.cseq,
      path: update.path,
      instanceId: c.instanceId,
      regId: c.regId,
      flow: update.flow,
      userAgent: update.userAgent,
      updatedAt: now,
    });
  }
  const bindings = [...next.values()];
  if (bindings.length > policy.maxContacts) throw tooManyContacts(policy.maxContacts);
  return bindings;
}
