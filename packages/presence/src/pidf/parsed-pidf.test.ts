import { composePresence } from './compose-presence.js';
import { InvalidPidf, parsePidf } from './pidf-document.js';
import { parsePidfOnce } from './parsed-pidf.js';
import { renderPresence, PIDF } from './presence-formats.js';

const doc = (note: string) =>
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:bob@example.com"><tuple id="t1"><status/></tuple><dm:person id="p"/><note>${note}</note></presence>`;

describe('RFC 3856 §6.8 a published document parsed once', () => {
  it('gives the same document for the same text, equal to a fresh parse', () => {
    const text = doc('once');
    const first = parsePidfOnce(text);
    expect(parsePidfOnce(text)).toBe(first);
    expect(first).toEqual(parsePidf(text));
    expect(parsePidfOnce(doc('other'))).not.toBe(first);
  });

  it('is left as parsed by composing and rendering it', () => {
    const text = doc('kept');
    const before = structuredClone(parsePidf(text));
    renderPresence(composePresence('sip:alice@example.com', [parsePidfOnce(text)]), PIDF);
    expect(parsePidfOnce(text)).toEqual(before);
  });

  it('throws for a text that is not PIDF, every time', () => {
    expect(() => parsePidfOnce('<presence/>')).toThrow(InvalidPidf);
    expect(() => parsePidfOnce('<presence/>')).toThrow(InvalidPidf);
  });
});
