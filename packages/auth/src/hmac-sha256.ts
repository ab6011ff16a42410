import { hash } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;

/**
 * HMAC-SHA256 under one key, with the key's padded blocks prepared once: each MAC is two
 * one-shot `hash` calls, where `createHmac` sets up the key and builds an Hmac object each
 * time (the nonce of every challenge and every answer is MAC'd).
 * @see RFC 2104 §2 (H(K XOR opad, H(K XOR ipad, text))), RFC 4231 (test vectors)
 */
export class HmacSha256 {
  private readonly innerPad: Buffer;
  private readonly outerPad: Buffer;

  constructor(key: Buffer) {
    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one padded with zeros.
    const k = Buffer.alloc(BLOCK_BYTES);
    (key.length > BLOCK_BYTES ? hash('sha256', key, 'buffer') : key).copy(k);
    this.innerPad = Buffer.allocUnsafe(BLOCK_BYTES);
    this.outerPad = Buffer.allocUnsafe(BLOCK_BYTES);
    for (let i = 0; i < BLOCK_BYTES; i++) {
      this.innerPad[i] = k[i] ^ 0x36;
      this.outerPad[i] = k[i] ^ 0x5c;
    }
  }

  /** The 32-byte MAC of `bytes` followed by `text` (UTF-8). */
  mac(bytes: Uint8Array, text: string): Buffer {
    const inner = Buffer.allocUnsafe(BLOCK_BYTES + bytes.length + Buffer.byteLength(text, 'utf8'));
    this.innerPad.copy(inner, 0);
    inner.set(bytes, BLOCK_BYTES);
    inner.write(text, BLOCK_BYTES + bytes.length, 'utf8');
    const outer = Buffer.allocUnsafe(BLOCK_BYTES + DIGEST_BYTES);
    this.outerPad.copy(outer, 0);
    hash('sha256', inner, 'buffer').copy(outer, BLOCK_BYTES);
    return hash('sha256', outer, 'buffer');
  }
}
