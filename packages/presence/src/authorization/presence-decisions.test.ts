import { MemoryMessageBus } from '@herald/store';
import { DECISIONS_CHANNEL, announceDecision, readDecision } from './presence-decisions.js';

describe('decisions announced to every worker', () => {
  it('reads back what the admin API announces, with an id to claim it by', async () => {
    const bus = new MemoryMessageBus();
    const seen: Buffer[] = [];
    await bus.subscribe(DECISIONS_CHANNEL, (payload) => void seen.push(payload));
    await announceDecision(bus, { presentity: 'sip:bob@example.com', change: 'removed', watcher: 'sip:alice@example.com' });
    const decision = readDecision(seen[0]);
    expect(decision).toEqual({ id: expect.stringMatching(/^[0-9a-f]{16}$/), presentity: 'sip:bob@example.com', change: 'removed', watcher: 'sip:alice@example.com' });
  });

  it('ignores anything else on the channel', () => {
    for (const text of ['not json', '{}', '{"id":"1","presentity":"p","change":"other"}', '{"id":"1","presentity":"p","change":"removed"}']) {
      expect(readDecision(Buffer.from(text))).toBeNull();
    }
    expect(readDecision(Buffer.from('{"id":"1","presentity":"p","change":"rules"}'))).toEqual({ id: '1', presentity: 'p', change: 'rules' });
  });
});
