import type { PresenceAction, PresenceRule } from '@herald/store';
import { DEFAULT_PRESENCE_POLICY } from './presence-policy.js';
import { watcherDecision } from './watcher-decision.js';

const PEERS: Record<string, PresenceAction> = { 'peer.test': 'allow', 'strict.test': 'block' };

function rule(watcher: string, action: PresenceAction): PresenceRule {
  return { presentity: 'sip:alice@example.com', watcher, action, updatedAt: 0 };
}

function options(rules: PresenceRule[]) {
  return {
    rules: { rules: async () => rules },
    identity: { isServedDomain: (host: string) => host === 'example.com' },
    policy: DEFAULT_PRESENCE_POLICY,
    peerWatchers: (domain: string): PresenceAction | undefined => PEERS[domain],
  };
}

describe('RFC 3857 §3.2 the decision about a watcher of a configured peer', () => {
  it('takes the peer watcher policy where the presentity has no rule, and the foreign default for other domains', async () => {
    const o = options([]);
    expect(await watcherDecision('sip:alice@example.com', 'sip:bob@peer.test', o)).toBe('allow');
    expect(await watcherDecision('sip:alice@example.com', 'sip:bob@strict.test', o)).toBe('block');
    expect(await watcherDecision('sip:alice@example.com', 'sip:eve@stranger.test', o)).toBe('confirm');
    expect(await watcherDecision('sip:alice@example.com', 'sip:carol@example.com', o)).toBe('allow');
  });

  it('puts the presentity’s own rules first', async () => {
    const o = options([rule('sip:bob@peer.test', 'polite-block'), rule('strict.test', 'allow')]);
    expect(await watcherDecision('sip:alice@example.com', 'sip:bob@peer.test', o)).toBe('polite-block');
    expect(await watcherDecision('sip:alice@example.com', 'sip:dan@strict.test', o)).toBe('allow');
  });
});
