import { canonicalName } from './canonical-name.js';

describe('canonicalName', () => {
  it('lower-cases a name and drops the trailing dot of an absolute name', () => {
    expect(canonicalName('Sip.Example.COM.')).toBe('sip.example.com');
    expect(canonicalName('sip.example.com')).toBe('sip.example.com');
    expect(canonicalName('LocalHost')).toBe('localhost');
  });
});
