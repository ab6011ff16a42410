import type { SipResponse } from '@herald/sip';

/** 4xx responses that tell the client how to resubmit, preferred when the 4xx class is chosen. @see RFC 3261 §16.7 step 6 */
const RESUBMIT_HINTS = new Set([401, 407, 415, 420, 484]);

/**
 * The final response to send upstream when no branch answered 2xx: a 6xx if any,
 * otherwise the lowest class, preferring responses that help a resubmission; 401 and 407
 * carry every challenge of every branch. `null` when there is none (the caller sends 408).
 * The chosen response is changed in place.
 * @see RFC 3261 §16.7 steps 6–7
 */
export function chooseBestResponse(responses: readonly SipResponse[]): SipResponse | null {
  if (responses.length === 0) return null;
  const global = responses.find((r) => r.status >= 600);
  let best: SipResponse;
  if (global) best = global;
  else {
    const lowestClass = Math.min(...responses.map((r) => Math.floor(r.status / 100)));
    const inClass = responses.filter((r) => Math.floor(r.status / 100) === lowestClass);
    best = inClass.find((r) => RESUBMIT_HINTS.has(r.status)) ?? inClass[0];
  }
  if (best.status === 401 || best.status === 407) collectChallenges(best, responses);
  return best;
}

/** @see RFC 3261 §16.7 step 7 */
function collectChallenges(best: SipResponse, responses: readonly SipResponse[]): void {
  for (const r of responses) {
    if (r === best || (r.status !== 401 && r.status !== 407)) continue;
    for (const h of r.headers) if (h.key === 'www-authenticate' || h.key === 'proxy-authenticate') best.addHeader(h.name, h.value);
  }
}
