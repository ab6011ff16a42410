import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { basicPresence, composePresence } from './compose-presence.js';
import { InvalidPidf, entityMatches, parsePidf } from './pidf-document.js';
import { CPIM_PIDF, PIDF, XPIDF, chooseFormat, renderPresence } from './presence-formats.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');
/** RFC 4480 §4's example as printed: the RFC's page layout indents its XML declaration. */
const rpidExample = () => fixture('rfc4480-example.xml').trimStart();

function doc(entity: string, inner: string, ns = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" ${ns} entity="${entity}">${inner}</presence>`;
}

describe('RFC 3863 §4 PIDF documents', () => {
  it('reads the RFC 3863 examples, prefixed and with extensions and notes', () => {
    const basic = parsePidf(fixture('rfc3863-basic.xml'));
    expect(basic.entity).toBe('pres:someone@example.com');
    expect(basic.tuples).toHaveLength(1);
    const extended = parsePidf(fixture('rfc3863-extended.xml'));
    expect(extended.tuples).toHaveLength(2);
    expect(extended.notes).toHaveLength(1);
  });

  it('reads the RFC 4480 example: tuples, a device and a person (RFC 4479 §3)', () => {
    const rpid = parsePidf(rpidExample());
    expect(rpid.tuples).toHaveLength(3);
    expect(rpid.devices).toHaveLength(1);
    expect(rpid.persons).toHaveLength(1);
  });

  it.each([
    ['no entity (the RFC 4479 §7.1 example)', fixture('rfc4479-example.xml'), /without an entity/],
    ['malformed XML', doc('sip:a@b', '<tuple id="x"><status></tuple>'), /malformed XML/],
    ['a DTD', `<!DOCTYPE presence [<!ENTITY a "b">]>${doc('sip:a@b', '')}`, /DOCTYPE/],
    ['another root namespace', '<presence xmlns="urn:example" entity="sip:a@b"/>', /not <presence>/],
    ['a tuple without status', doc('sip:a@b', '<tuple id="x"><contact>sip:a@b</contact></tuple>'), /without a <status>/],
    ['a tuple without id', doc('sip:a@b', '<tuple><status><basic>open</basic></status></tuple>'), /without an id/],
  ])('refuses a document with %s', (_what, body, reason) => {
    expect(() => parsePidf(body)).toThrow(InvalidPidf);
    expect(() => parsePidf(body)).toThrow(reason);
  });

  it('matches an entity to an AoR whatever its scheme (pres:, sip:), host case and parameters', () => {
    expect(entityMatches('pres:alice@Example.COM', 'sip:alice@example.com')).toBe(true);
    expect(entityMatches('sip:alice@example.com;transport=tcp', 'sip:alice@example.com')).toBe(true);
    expect(entityMatches('sip:Alice@example.com', 'sip:alice@example.com')).toBe(false);
    expect(entityMatches('sip:bob@example.com', 'sip:alice@example.com')).toBe(false);
  });
});

describe('composition of publications (RFC 3903 §4, RFC 4479 §3)', () => {
  const rp = 'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rp="urn:ietf:params:xml:ns:pidf:rpid"';
  const desk = doc('sip:alice@example.com', '<tuple id="desk"><status><basic>closed</basic></status></tuple><dm:person id="p"><rp:activities><rp:away/></rp:activities></dm:person>', rp);
  const mobile = doc('sip:alice@example.com', '<tuple id="mobile"><status><basic>open</basic></status></tuple><dm:person id="p"><rp:activities><rp:on-the-phone/></rp:activities></dm:person>', rp);

  it('keeps every tuple, and the person of the most recent publication, with its prefixes as written', () => {
    const presence = composePresence('sip:alice@example.com', [parsePidf(desk), parsePidf(mobile)]);
    const written = renderPresence(presence, PIDF);
    expect(written).toContain('<tuple id="desk">');
    expect(written).toContain('<tuple id="mobile">');
    expect(written).toContain('<rp:on-the-phone/>');
    expect(written).not.toContain('<rp:away/>');
    expect(written).toContain('xmlns:rp="urn:ietf:params:xml:ns:pidf:rpid"');
    expect(presence.open).toBe(true);
    expect(presence.activities).toEqual(['on-the-phone']);
  });

  it('passes the RFC 4480 example through: its person, device and RPID elements untouched', () => {
    const presence = composePresence('sip:someone@example.com', [parsePidf(rpidExample())]);
    const written = renderPresence(presence, PIDF);
    for (const element of ['<rpid:away/>', '<rpid:angry/>', '<dm:device id="pc147">', '<rpid:relationship><rpid:assistant/></rpid:relationship>']) expect(written).toContain(element);
    expect(parsePidf(written).tuples).toHaveLength(3);
  });

  it('gives an element its own declaration when another publication binds its prefix otherwise', () => {
    const other = doc('sip:alice@example.com', '<tuple id="x"><status><basic>open</basic><rp:mood>calm</rp:mood></status></tuple>', 'xmlns:rp="urn:example:other"');
    const written = renderPresence(composePresence('sip:alice@example.com', [parsePidf(other), parsePidf(mobile)]), PIDF);
    expect(written).toContain('<tuple id="x" xmlns:rp="urn:example:other">');
    expect(() => parsePidf(written)).not.toThrow();
  });

  it('writes <basic> in every tuple: a status without one is open', () => {
    const bare = doc('sip:alice@example.com', '<tuple id="x"><status/></tuple>');
    const presence = composePresence('sip:alice@example.com', [parsePidf(bare)]);
    expect(renderPresence(presence, PIDF)).toContain('<status><basic>open</basic></status>');
    expect(presence.open).toBe(true);
  });

  it('derives open or closed from registration, with the presentity as contact', () => {
    const written = renderPresence(basicPresence('sip:bob@example.com', true), PIDF);
    expect(written).toContain('<basic>open</basic>');
    expect(written).toContain('<contact>sip:bob@example.com</contact>');
    expect(parsePidf(written).entity).toBe('sip:bob@example.com');
  });
});

describe('formats (RFC 3856 §6.7; draft-ietf-impp-cpim-pidf; draft-rosenberg-impp-pidf)', () => {
  it('chooses by the watcher\'s Accept order; PIDF for none or a wildcard; null when nothing fits', () => {
    expect(chooseFormat([])).toBe(PIDF);
    expect(chooseFormat(['application/xpidf+xml', 'application/pidf+xml'])).toBe(XPIDF);
    expect(chooseFormat(['application/cpim-pidf+xml;q=0.5'])).toBe(CPIM_PIDF);
    expect(chooseFormat(['*/*'])).toBe(PIDF);
    expect(chooseFormat(['text/plain'])).toBeNull();
  });

  it('writes cpim-pidf as PIDF in the draft\'s namespace, with a pres: entity', () => {
    const written = renderPresence(composePresence('sip:someone@example.com', [parsePidf(fixture('rfc3863-basic.xml'))]), CPIM_PIDF);
    expect(written).toContain('xmlns="urn:ietf:params:xml:ns:cpim-pidf"');
    expect(written).toContain('xmlns:impp="urn:ietf:params:xml:ns:cpim-pidf"');
    expect(written).toContain('entity="pres:someone@example.com"');
    expect(written).toContain('<impp:basic>open</impp:basic>');
    expect(written).not.toContain('urn:ietf:params:xml:ns:pidf"');
  });

  it('writes xpidf as pjsip reads it: presentity, one atom, one address with status and MSN substatus', () => {
    const onThePhone = composePresence('sip:someone@example.com', [parsePidf(fixture('rfc4479-example.xml').replace('<presence ', '<presence entity="pres:someone@example.com" '))]);
    const written = renderPresence(onThePhone, XPIDF);
    expect(written).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE presence PUBLIC "-\/\/IETF\/\/DTD RFCxxxx XPIDF 1.0\/\/EN" "xpidf.dtd">\n/);
    const tree = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(written);
    expect(tree.presence.presentity.uri).toBe('sip:someone@example.com;method=SUBSCRIBE');
    expect(tree.presence.atom.id).toBeTruthy();
    expect(tree.presence.atom.address.uri).toBe('sip:someone@example.com');
    expect(tree.presence.atom.address.status.status).toBe('open');
    expect(tree.presence.atom.address.msnsubstatus.substatus).toBe('onthephone');
    expect(renderPresence(basicPresence('sip:someone@example.com', false), XPIDF)).toContain('<status status="closed"/>');
  });
});
