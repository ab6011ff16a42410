import { createHmac } from 'node:crypto';
import { randomHex } from '@herald/sip';
import type { AuthStateStore } from '@herald/store';

/** The flow-token key derived from the shared secret, so that one secret serves both. */
export function flowTokenKey(secret: string): string {
  return createHmac('sha256', secret).update('flow-tokens').digest('hex');
}

/**
 * The secret every worker and node signs nonces and flow tokens with, when `auth.secret`
 * does not give one: the first process writes a random one into the store, and the
 * others read it. A store that lost its data has lost the secret too; `refresh` writes
 * this worker's own back (so nothing changes when it is the first to notice), or adopts
 * the one another worker wrote meanwhile (a worker started after the loss generates a
 * new one), and hands it to whoever signs with it.
 */
export class SharedSecret {
  private use: (secret: string) => void = () => undefined;

  private constructor(
    private current: string,
    private readonly authState: AuthStateStore,
  ) {}

  /** The stored secret, or a new random one stored now. */
  static async read(authState: AuthStateStore): Promise<SharedSecret> {
    return new SharedSecret(await authState.sharedSecret(randomHex(32)), authState);
  }

  get value(): string {
    return this.current;
  }

  /**
   * Hands each secret that replaces the current one to `use`, which signs with it from
   * then on and still accepts what the one before signed.
   */
  onChange(use: (secret: string) => void): void {
    this.use = use;
  }

  /** Reads the stored secret again (writing ours when there is none); true when it changed. */
  async refresh(): Promise<boolean> {
    const stored = await this.authState.sharedSecret(this.current);
    if (stored === this.current) return false;
    this.current = stored;
    this.use(stored);
    return true;
  }
}
