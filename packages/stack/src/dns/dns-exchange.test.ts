import { answers } from './dns-exchange.js';
import { RCODE, encodeDnsMessage } from './dns-wire.js';

describe('RFC 5452 §4.3 which messages answer a query', () => {
  const query = encodeDnsMessage({ id: 4242, flags: { rd: true }, questions: [{ name: 'peer.test', type: 'SRV' }] });
  const response = (changes: { id?: number; rcode?: number; name?: string; type?: 'SRV' | 'A'; qr?: boolean; noQuestion?: boolean }) =>
    encodeDnsMessage({
      id: changes.id ?? 4242,
      flags: { qr: changes.qr ?? true, rd: true },
      rcode: changes.rcode ?? RCODE.NOERROR,
      questions: changes.noQuestion ? [] : [{ name: changes.name ?? 'peer.test', type: changes.type ?? 'SRV' }],
    });

  it('takes a response with the same ID and question, the name compared without case', () => {
    expect(answers(query, response({}))).toBe(true);
    expect(answers(query, response({ name: 'PEER.test', rcode: RCODE.NXDOMAIN }))).toBe(true);
  });

  it('refuses another ID, another question, or a query', () => {
    expect(answers(query, response({ id: 4243 }))).toBe(false);
    expect(answers(query, response({ name: 'other.test' }))).toBe(false);
    expect(answers(query, response({ type: 'A' }))).toBe(false);
    expect(answers(query, response({ qr: false }))).toBe(false);
  });

  it('takes a response without the question only as a server error, never as an answer or NXDOMAIN', () => {
    for (const rcode of [RCODE.FORMERR, RCODE.SERVFAIL, RCODE.NOTIMP, RCODE.REFUSED]) expect(answers(query, response({ noQuestion: true, rcode }))).toBe(true);
    expect(answers(query, response({ noQuestion: true, rcode: RCODE.NXDOMAIN }))).toBe(false);
    expect(answers(query, response({ noQuestion: true }))).toBe(false);
  });
});
