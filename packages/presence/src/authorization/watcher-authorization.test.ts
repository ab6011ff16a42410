import type { PresenceRule } from '@herald/store';
import { rejection, subscription } from '../../test/helpers/presence-requests.js';
import { admittedStanding, decideWatcher, standingChange, watcherDomain } from './watcher-authorization.js';

const BOB = 'sip:bob@example.com';
const DEFAULTS = { local: 'allow', foreign: 'confirm' } as const;
const rule = (watcher: string, action: PresenceRule['action']): PresenceRule => ({ presentity: BOB, watcher, action, updatedAt: 0 });

describe('RFC 3857 §3.2, RFC 5025 §3.2.1 the decision about a watcher', () => {
  it('takes the rule for the watcher URI first, whatever its case', () => {
    const rules = [rule('example.net', 'block'), rule('sip:Carol@example.net', 'allow')];
    expect(decideWatcher(rules, BOB, 'sip:carol@example.net', false, DEFAULTS)).toBe('allow');
  });

  it('then the rule for the watcher domain', () => {
    expect(decideWatcher([rule('example.net', 'polite-block')], BOB, 'sip:dave@EXAMPLE.net', false, DEFAULTS)).toBe('polite-block');
  });

  it('then the default for local or foreign watchers', () => {
    expect(decideWatcher([], BOB, 'sip:alice@example.com', true, DEFAULTS)).toBe('allow');
    expect(decideWatcher([], BOB, 'sip:dave@example.net', false, DEFAULTS)).toBe('confirm');
  });

  it('always lets the presentity watch itself', () => {
    expect(decideWatcher([rule(BOB, 'block')], BOB, BOB, true, { local: 'block', foreign: 'block' })).toBe('allow');
  });

  it('reads the domain of a watcher URI without user part, port or parameters', () => {
    expect(watcherDomain('sip:bob@Example.NET:5061;transport=tls')).toBe('example.net');
    expect(watcherDomain('sip:gateway.example.org')).toBe('gateway.example.org');
  });
});

describe('RFC 5025 §3.2.1 the standing of an admitted SUBSCRIBE', () => {
  it('is active, pending to confirm, polite for polite-block; 403 when blocked', () => {
    expect(admittedStanding('allow')).toEqual({ status: 'active', polite: false });
    expect(admittedStanding('confirm')).toEqual({ status: 'pending', polite: false });
    expect(admittedStanding('polite-block')).toEqual({ status: 'active', polite: true });
    expect(rejection(() => admittedStanding('block')).status).toBe(403);
  });
});

describe('RFC 3857 §3.2 a decision made later', () => {
  it('ends a subscription whose watcher is now blocked', () => {
    expect(standingChange(subscription(), 'block')).toEqual({ kind: 'end' });
  });

  it('approves a pending watcher now allowed', () => {
    const pending = subscription({ status: 'pending' });
    expect(standingChange(pending, 'allow')).toEqual({ kind: 'update', change: { status: 'active', data: { ...pending.data, polite: false, approved: true } } });
  });

  it('turns an allowed watcher polite, and back, without approving it', () => {
    expect(standingChange(subscription(), 'polite-block')).toEqual({ kind: 'update', change: { status: 'active', data: { format: 'application/pidf+xml', polite: true, approved: false } } });
    expect(standingChange(subscription({ data: { polite: true } }), 'allow')).toMatchObject({ kind: 'update', change: { data: { polite: false } } });
  });

  it('leaves a subscription that already stands so', () => {
    expect(standingChange(subscription(), 'allow')).toEqual({ kind: 'unchanged' });
    expect(standingChange(subscription({ status: 'pending' }), 'confirm')).toEqual({ kind: 'unchanged' });
  });
});
