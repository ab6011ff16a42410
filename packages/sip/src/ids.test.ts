import { newTag, requestTag } from './ids.js';

describe('tags', () => {
  it('gives every copy of a request the same To tag, and other requests another (RFC 3261 §8.2.7)', () => {
    const key = ['a84b4c76e66710', '<sip:alice@example.com>;tag=1928301774', 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds', '1 OPTIONS'];
    expect(requestTag(key)).toBe(requestTag([...key]));
    expect(requestTag(key)).not.toBe(requestTag(key.map((part) => part.replace('776', '777'))));
    expect(requestTag(key)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('hashes the parts as if joined with |, so moving text between parts changes the tag', () => {
    expect(requestTag(['ab', 'c'])).toBe(requestTag(['ab|c']));
    expect(requestTag(['ab', 'c'])).not.toBe(requestTag(['a', 'bc']));
  });

  it('starts every request tag with 32 random bits of this process', () => {
    expect(requestTag(['a']).slice(0, 8)).toBe(requestTag(['b']).slice(0, 8));
    expect(newTag()).toMatch(/^[0-9a-f]{16}$/);
  });
});
