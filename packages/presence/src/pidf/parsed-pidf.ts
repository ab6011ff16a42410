import { type PidfDocument, parsePidf } from './pidf-document.js';

/** The texts of the documents kept parsed, in characters all told (a few MB). */
const MAX_CHARS = 2_000_000;

const parsed = new Map<string, PidfDocument>();
let chars = 0;

/**
 * `parsePidf`, once per text among those parsed lately: a PUBLISH's document is parsed to
 * check it, then again for every NOTIFY its change causes (the composed state is read back
 * from the publication store), and by the watchers' answers that ask for the state again.
 * The oldest texts go first. The document returned is shared: callers read it, never change
 * it (`composePresence` builds new nodes). A text that is not PIDF throws each time.
 * @see RFC 3903 §6 (the ESC checks a publication), RFC 3856 §6.8
 */
export function parsePidfOnce(body: string): PidfDocument {
  let doc = parsed.get(body);
  if (doc !== undefined) return doc;
  doc = parsePidf(body);
  if (body.length > MAX_CHARS / 4) return doc;
  while (chars + body.length > MAX_CHARS) {
    const oldest = parsed.keys().next().value as string;
    parsed.delete(oldest);
    chars -= oldest.length;
  }
  parsed.set(body, doc);
  chars += body.length;
  return doc;
}
