import { parseUri } from '@herald/sip';
import type { Binding } from '@herald/store';
import type { ContactUpdate } from './apply-register.js';
import { contactKey, outboundKey, storedBindingKey, storedBindingKeyReusing } from './contact-key.js';

function binding(contact: string, instanceId: string | null = null, regId: number | null = null): Binding {
  const flow = { id: 'udp', transport: 'udp' as const, owner: 'n/1', localAddress: '127.0.0.1', localPort: 5060, remoteAddress: '127.0.0.1', remotePort: 5070 };
  return { contact, params: '', q: null, expiresAt: 1, callId: 'c', cseq: 1, path: [], instanceId, regId, flow, userAgent: null, updatedAt: 0 };
}

function update(contact: string, key: string, regId: number | null = null): ContactUpdate {
  return { contact, key, params: '', q: null, expires: null, instanceId: null, regId };
}

describe('storedBindingKeyReusing', () => {
  it('takes the key of a plain contact written with the same text, without parsing the stored URI', () => {
    const keyOf = storedBindingKeyReusing([update('sip:alice@192.0.2.1:5070', 'the key')]);
    expect(keyOf(binding('sip:alice@192.0.2.1:5070'))).toBe('the key');
  });

  it('parses a stored URI no contact of the request wrote with the same text', () => {
    const keyOf = storedBindingKeyReusing([update('sip:alice@192.0.2.1:5070', 'the key')]);
    const stored = binding('sip:alice@EXAMPLE.com;transport=tcp');
    expect(keyOf(stored)).toBe(contactKey(parseUri('sip:alice@example.com;transport=tcp')));
    expect(keyOf(stored)).toBe(storedBindingKey(stored));
  });

  it('never takes the key of an outbound contact, whose key is not its URI (RFC 5626 §6)', () => {
    const keyOf = storedBindingKeyReusing([update('sip:alice@192.0.2.1:5070', outboundKey('urn:uuid:1', 1), 1)]);
    const stored = binding('sip:alice@192.0.2.1:5070');
    expect(keyOf(stored)).toBe(storedBindingKey(stored));
  });

  it('keys a stored outbound binding by instance and reg-id', () => {
    const keyOf = storedBindingKeyReusing([update('sip:alice@192.0.2.1:5070', 'the key')]);
    expect(keyOf(binding('sip:alice@192.0.2.1:5070', 'urn:uuid:1', 2))).toBe(outboundKey('urn:uuid:1', 2));
  });
});
