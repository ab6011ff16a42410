import { hash } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/**
 * HMAC-SHA256 under one key, with the key's padded blocks prepared once: each MAC is two
 * one-shot `hash` calls, where `createHmac` sets up the key and builds an Hmac object each
 * time (the nonce of every challenge and every answer is MAC'd). Both hashes write into
 * buffers of this instance and give their digest as latin1 (`binary`) text: on Node 20 a one-shot
 * `hash` with Buffer output costs about twice as much as with string output.
 * @see RFC 2104 §2 (H(K XOR opad, H(K XOR ipad, text))), RFC 4231 (test vectors)
 */
export class HmacSha256 {
  /** K XOR ipad, then the text of the MAC being computed; grown for longer texts. */
  private inner: Buffer;
  /** K XOR opad, then the inner digest. */
  private readonly outer = Buffer.allocUnsafe(BLOCK_BYTES + DIGEST_BYTES);
  private readonly digest = Buffer.allocUnsafe(DIGEST_BYTES);

  constructor(key: Buffer) {
    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one padded with zeros.
    const k = Buffer.alloc(BLOCK_BYTES);
    (key.length > BLOCK_BYTES ? hash('sha256', key, 'buffer') : key).copy(k);
    this.inner = Buffer.allocUnsafe(BLOCK_BYTES + 128);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      this.inner[i] = k[i] ^ 0x36;
      this.outer[i] = k[i] ^ 0x5c;
    }
  }

  /**
   * The 32-byte MAC of `bytes` followed by `text` (UTF-8), in a buffer of this instance that
   * the next call overwrites: copy or compare it before then.
   */
  mac(bytes: Uint8Array, text: string): Buffer {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8.
    const room = BLOCK_BYTES + bytes.length + 3 * text.length;
    if (this.inner.length < room) {
      const grown = Buffer.allocUnsafe(room);
      this.inner.copy(grown, 0, 0, BLOCK_BYTES);
      this.inner = grown;
    }
    const inner = this.inner;
    inner.set(bytes, BLOCK_BYTES);
    const end = BLOCK_BYTES + bytes.length + inner.write(text, BLOCK_BYTES + bytes.length, 'utf8');
    this.outer.write(hash('sha256', inner.subarray(0, end), 'binary'), BLOCK_BYTES, 'latin1');
    this.digest.write(hash('sha256', this.outer, 'binary'), 0, 'latin1');
    return this.digest;
  }
}
