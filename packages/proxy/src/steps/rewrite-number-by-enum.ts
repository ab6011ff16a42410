import type { SipRequest } from '@herald/sip';
import { DnsError, type EnumLookup, globalNumber } from '@herald/stack';
import { enumUnavailable, numberNotInEnum } from '../proxy-errors.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * A telephone number as Request-URI becomes the URI ENUM gives for it (`sip:`, `sips:`,
 * `im:` or `pres:`), which then goes through routing like any other: a local user, or
 * another domain. The Enumservice follows the method: `im` then `sip` for MESSAGE
 * (RFC 5028 §3), `pres` then `sip` for a presence SUBSCRIBE (RFC 3953 §3), `sip` otherwise.
 * A `tel:` number ENUM does not know gets 404, and 504 when DNS cannot be asked; a
 * `sip:…;user=phone` one keeps its URI in both cases, its host having been named as
 * responsible for the number (RFC 3261 §19.1.6).
 * @see RFC 6116 §2.4, §3.2
 */
export function rewriteNumberByEnum(enumLookup: Pick<EnumLookup, 'resolve'>): RequestProcessor {
  return {
    name: 'rewrite-number-by-enum',
    async process(ctx): Promise<'continue' | 'stop'> {
      const { req } = ctx;
      const number = globalNumber(req.uri);
      if (number === null) return 'continue';
      const isTel = req.uri.scheme === 'tel';
      const found = await enumLookup.resolve(number, enumservicesFor(req)).catch((error: unknown) => {
        // A SIP URI still names a host responsible for the number: ENUM that cannot be asked leaves it to that host.
        if (error instanceof DnsError) {
          if (isTel) throw enumUnavailable();
          return null;
        }
        throw error;
      });
      if (found !== null) req.setUri(found.uri);
      else if (isTel) throw numberNotInEnum();
      return 'continue';
    },
  };
}

/** The Enumservices a request can use, most fitting first. */
export function enumservicesFor(req: SipRequest): string[] {
  if (req.method === 'MESSAGE') return ['im', 'sip'];
  if (req.method === 'SUBSCRIBE' && req.event?.type.toLowerCase() === 'presence') return ['pres', 'sip'];
  return ['sip'];
}
