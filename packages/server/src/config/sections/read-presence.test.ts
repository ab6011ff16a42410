import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('presence', () => {
  it('reads every key', () => {
    const text = 'presence: { defaultExpires: 600, minExpires: 30, maxExpires: 3600, notifyWindow: 0, fromRegistration: false, foreignWatchers: block, domains: [{ domain: localhost, localWatchers: confirm }] }';
    expect(parse(text).presence).toEqual({
      defaultExpires: 600,
      minExpires: 30,
      maxExpires: 3600,
      notifyWindowMs: 0,
      fromRegistration: false,
      watchers: { local: 'allow', foreign: 'block' },
      domainWatchers: { localhost: { local: 'confirm', foreign: 'block' } },
      strangers: { maxWatchersPerPresentity: 1000, maxSubscriptionsPerWatcherDomain: 1000, maxSubscriptionsPerSource: 500, maxForeignPendingExpires: 600 },
    });
  });

  it('reads the caps on watchers of other domains and their pending interval', () => {
    const text = 'presence: { maxWatchersPerPresentity: 50, maxSubscriptionsPerWatcherDomain: 20, maxSubscriptionsPerSource: 10, maxForeignPendingExpires: 120 }';
    expect(parse(text).presence.strangers).toEqual({ maxWatchersPerPresentity: 50, maxSubscriptionsPerWatcherDomain: 20, maxSubscriptionsPerSource: 10, maxForeignPendingExpires: 120 });
    expect(problem('presence: { maxSubscriptionsPerSource: 0 }', 'presence.maxSubscriptionsPerSource')).toMatch(/subscriptions/);
    expect(problem('presence: { maxForeignPendingExpires: 30 }', 'presence.maxForeignPendingExpires')).toMatch(
      /^presence\.maxForeignPendingExpires: 30 is less than presence\.minExpires \(60\); raise it or lower presence\.minExpires/,
    );
  });

  it('checks the intervals as the registrar does, and the window', () => {
    expect(problem('presence: { minExpires: 7200, maxExpires: 3600 }', 'presence.minExpires')).toMatch(/^presence\.minExpires: 7200 is larger than presence\.maxExpires/);
    expect(problem('presence: { defaultExpires: 10 }', 'presence.defaultExpires')).toMatch(/^presence\.defaultExpires: 10 is outside/);
    expect(problem('presence: { notifyWindow: -1 }', 'presence.notifyWindow')).toMatch(/from 0 to 3600/);
    expect(problem('presence: { fromRegistration: 1 }', 'presence.fromRegistration')).toBeDefined();
    expect(problem('presence: { foreignWatchers: deny }', 'presence.foreignWatchers')).toMatch(/allow, block, polite-block, confirm/);
    expect(problem('presence: { domains: [{ domain: other.example }] }', 'presence.domains[0].domain')).toMatch(/is not a served domain/);
  });
});
