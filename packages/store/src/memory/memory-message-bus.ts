import type { MessageBus } from '../message-bus.js';

/** The bus of one process: a worker talking to itself (the embedded store has one worker). */
export class MemoryMessageBus implements MessageBus {
  private readonly channels = new Map<string, Set<(payload: Buffer) => void>>();

  publish(channel: string, payload: Buffer): Promise<number> {
    const handlers = this.channels.get(channel);
    if (handlers === undefined) return Promise.resolve(0);
    // Delivered later, as a message from another process would be.
    for (const handler of handlers) queueMicrotask(() => handler(payload));
    return Promise.resolve(handlers.size);
  }

  subscribe(channel: string, handler: (payload: Buffer) => void): Promise<() => Promise<void>> {
    let handlers = this.channels.get(channel);
    if (handlers === undefined) this.channels.set(channel, (handlers = new Set()));
    const own = (payload: Buffer) => handler(payload);
    handlers.add(own);
    return Promise.resolve(async () => {
      handlers.delete(own);
      if (handlers.size === 0) this.channels.delete(channel);
    });
  }
}
