import { PassThrough } from 'node:stream';
import { type CommunitySettings, CommunitySwitch } from '@herald/proxy';
import { MemoryStore } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { createLogger } from '../logger.js';
import { RuntimeSettingService } from '../runtime-setting-service.js';
import { COMMUNITY_STATES, COMMUNITY_STATES_SETTING, readCommunityStates, setCommunityState } from './community-states.js';

const chicago = { name: 'chicago', enabled: true } as CommunitySettings;
const boston = { name: 'boston', enabled: false } as CommunitySettings;

/** Lets the promises a bus message started run. */
async function settle(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 20 && !done(); turn++) await new Promise((r) => setImmediate(r));
}

describe('the communities run-time switches (communities.state)', () => {
  let store: MemoryStore;

  beforeEach(() => (store = new MemoryStore()));
  afterEach(() => store.close());

  it('are none until one is set, then kept as JSON, and forgotten one by one', async () => {
    expect(await readCommunityStates(store.settings)).toEqual({ communities: {} });
    await setCommunityState(store, { community: 'chicago' }, false);
    await setCommunityState(store, { community: 'boston' }, true);
    expect(await setCommunityState(store, 'all', false)).toEqual({ all: false, communities: { chicago: false, boston: true } });
    expect(JSON.parse((await store.settings.read(COMMUNITY_STATES_SETTING))!)).toEqual({ all: false, communities: { chicago: false, boston: true } });
    await setCommunityState(store, { community: 'chicago' }, null);
    expect(await setCommunityState(store, 'all', null)).toEqual({ communities: { boston: true } });
  });

  it('refuse a stored value of another shape, naming what is wrong', async () => {
    await store.settings.write(COMMUNITY_STATES_SETTING, '{"communities": {"chicago": "off"}}');
    await expect(readCommunityStates(store.settings)).rejects.toThrow('the stored setting communities.state: the switch of "chicago" is not true or false');
    await store.settings.write(COMMUNITY_STATES_SETTING, '{"all": 0, "communities": {}}');
    await expect(readCommunityStates(store.settings)).rejects.toThrow('"all" is not true or false');
    await store.settings.write(COMMUNITY_STATES_SETTING, '[]');
    await expect(readCommunityStates(store.settings)).rejects.toThrow('has no object "communities"');
    await store.settings.write(COMMUNITY_STATES_SETTING, '{');
    await expect(readCommunityStates(store.settings)).rejects.toThrow('the stored setting communities.state is not JSON');
  });

  it('reach a worker\'s switch at start and at once on each change', async () => {
    await setCommunityState(store, { community: 'boston' }, true);
    const communities = new CommunitySwitch({ enabled: true, list: [chicago, boston] });
    const service = new RuntimeSettingService({
      setting: COMMUNITY_STATES,
      store,
      apply: (states) => communities.useRuntimeStates(states),
      clock: new FakeClock(),
      logger: createLogger({ level: 'error', format: 'json' }, new PassThrough()),
    });
    await service.start();
    expect([communities.isEnabled('chicago'), communities.isEnabled('boston')]).toEqual([true, true]);
    await setCommunityState(store, 'all', false);
    await settle(() => !communities.allEnabled);
    expect([communities.isEnabled('chicago'), communities.isEnabled('boston')]).toEqual([false, false]);
    await service.stop();
  });
});
