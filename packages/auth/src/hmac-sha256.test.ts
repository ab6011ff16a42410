import { createHmac } from 'node:crypto';
import { HmacSha256 } from './hmac-sha256.js';

describe('HmacSha256', () => {
  it('gives RFC 4231 test case 2 (a key shorter than the block)', () => {
    const mac = new HmacSha256(Buffer.from('Jefe')).mac(Buffer.from('what do ya want '), 'for nothing?');
    expect(mac.toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('gives RFC 4231 test case 6 (a key longer than the block is hashed first)', () => {
    const mac = new HmacSha256(Buffer.alloc(131, 0xaa)).mac(Buffer.from('Test Using Larger Than Block-Size Key - '), 'Hash Key First');
    expect(mac.toString('hex')).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('matches createHmac for keys of every length around the block and non-ASCII text', () => {
    for (const length of [16, 32, 63, 64, 65, 100]) {
      const key = Buffer.alloc(length, length);
      const bytes = Buffer.from([0, 1, 2, 3, 250, 251, 252, 253, 9, 8, 7, 6, 5, 4, 3, 2]);
      const expected = createHmac('sha256', key).update(bytes).update('bücher.example', 'utf8').digest();
      expect(new HmacSha256(key).mac(bytes, 'bücher.example')).toEqual(expected);
    }
  });

  it('matches createHmac call after call, for texts longer than its first buffer', () => {
    const key = Buffer.alloc(32, 7);
    const hmac = new HmacSha256(key);
    const bytes = Buffer.from('0123456789abcdef');
    for (const text of ['a', 'é'.repeat(100), 'b'.repeat(500), 'example.com', '']) {
      const expected = createHmac('sha256', key).update(bytes).update(text, 'utf8').digest('hex');
      expect(hmac.mac(bytes, text).toString('hex')).toBe(expected);
    }
  });
});
