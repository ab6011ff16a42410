import type { MessageBus } from '../message-bus.js';
import { type RedisClient, type RedisContext, redisCall } from './redis-client.js';

/**
 * Redis Pub/Sub: PUBLISH on the store's connection, SUBSCRIBE on a second one opened on the
 * first subscription (a subscribed connection takes no other commands). ioredis does not
 * prefix channels, so the store's key prefix is added here.
 */
export class RedisMessageBus implements MessageBus {
  private subscriber: RedisClient | null = null;
  private readonly handlers = new Map<string, Set<(payload: Buffer) => void>>();

  constructor(
    private readonly context: RedisContext,
    private readonly prefix: string,
  ) {}

  publish(channel: string, payload: Buffer): Promise<number> {
    return redisCall(this.context, 'publish', () => this.context.client.publish(this.prefix + channel, payload));
  }

  async subscribe(channel: string, handler: (payload: Buffer) => void): Promise<() => Promise<void>> {
    const name = this.prefix + channel;
    const subscriber = this.connection();
    let handlers = this.handlers.get(name);
    if (handlers === undefined) {
      this.handlers.set(name, (handlers = new Set()));
      await redisCall(this.context, 'subscribe', () => subscriber.subscribe(name));
    }
    const own = (payload: Buffer) => handler(payload);
    handlers.add(own);
    return async () => {
      handlers.delete(own);
      if (handlers.size > 0 || this.handlers.get(name) !== handlers) return;
      this.handlers.delete(name);
      await redisCall(this.context, 'unsubscribe', () => subscriber.unsubscribe(name));
    };
  }

  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }

  private connection(): RedisClient {
    if (this.subscriber !== null) return this.subscriber;
    const subscriber = this.context.client.duplicate();
    subscriber.on('error', () => undefined);
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      for (const handler of this.handlers.get(channel.toString('utf8')) ?? []) handler(message);
    });
    this.subscriber = subscriber;
    return subscriber;
  }
}
