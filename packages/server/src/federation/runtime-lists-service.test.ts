import { PassThrough } from 'node:stream';
import { DEFAULT_FEDERATION, FederationPolicy, PeerTable, type RuntimeLists } from '@herald/proxy';
import { MemoryStore, StoreUnavailableError } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { createLogger } from '../logger.js';
import { RUNTIME_LISTS_SETTING, changeRuntimeList } from './runtime-lists.js';
import { RUNTIME_LISTS_REREAD_MS, RuntimeListsService } from './runtime-lists-service.js';

/** A real view that also records every list it is handed. */
class RecordingView extends FederationPolicy {
  readonly received: RuntimeLists[] = [];
  refuse = false;

  override useRuntimeLists(lists: RuntimeLists): void {
    if (this.refuse) throw new Error('a list the policy cannot use');
    this.received.push(lists);
    super.useRuntimeLists(lists);
  }
}

/** Lets the promises a bus message or a fired timer started run. */
async function settle(done: () => boolean = () => false): Promise<void> {
  for (let turn = 0; turn < 20 && !done(); turn++) await new Promise((r) => setImmediate(r));
}

describe('RuntimeListsService', () => {
  let store: MemoryStore;
  let clock: FakeClock;
  let view: RecordingView;
  let lines: string[];
  let reconnected: () => void;
  let service: RuntimeListsService;

  beforeEach(() => {
    store = new MemoryStore();
    clock = new FakeClock();
    view = new RecordingView({ ...DEFAULT_FEDERATION, block: ['*.spam.example'] }, new PeerTable([]));
    lines = [];
    const out = new PassThrough();
    out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    service = new RuntimeListsService({
      // The memory store never reconnects: the test says when the connection is back.
      store: { settings: store.settings, bus: store.bus, onReconnect: (listener) => (reconnected = listener) },
      view,
      clock,
      logger: createLogger({ level: 'info', format: 'json' }, out),
    });
  });
  afterEach(async () => {
    await service.stop();
    await store.close();
  });

  const stored = (lists: RuntimeLists) => store.settings.write(RUNTIME_LISTS_SETTING, JSON.stringify(lists));
  const messages = () => lines.map((l) => JSON.parse(l) as { level: string; message: string; error?: string });

  it('applies the stored lists at start, on top of the configured ones', async () => {
    await stored({ allow: ['partner.example'], block: ['198.51.100.0/24'] });
    await service.start();
    expect(view.received).toEqual([{ allow: ['partner.example'], block: ['198.51.100.0/24'] }]);
    expect(view.describe().block).toEqual([
      { entry: '*.spam.example', source: 'config' },
      { entry: '198.51.100.0/24', source: 'runtime' },
    ]);
    expect(service.current).toEqual({ allow: ['partner.example'], block: ['198.51.100.0/24'] });
  });

  it('hands the view nothing when nothing was stored', async () => {
    await service.start();
    expect(view.received).toEqual([]);
  });

  it('applies a change announced on the bus at once', async () => {
    await service.start();
    await changeRuntimeList(store, { list: 'block', entry: 'spam.example', change: 'add' });
    await settle(() => view.received.length === 1);
    expect(view.received).toEqual([{ allow: [], block: ['spam.example'] }]);
    expect(messages().at(-1)).toMatchObject({ level: 'info', message: 'federation: run-time allow and block lists applied', block: ['spam.example'] });
  });

  it('reads the lists again every 30 s, in case an announcement was lost', async () => {
    await service.start();
    await stored({ allow: [], block: ['quiet.example'] });
    clock.advance(RUNTIME_LISTS_REREAD_MS - 1);
    await settle();
    expect(view.received).toEqual([]);
    clock.advance(1);
    await settle(() => view.received.length === 1);
    expect(view.received).toEqual([{ allow: [], block: ['quiet.example'] }]);
    // The same lists again are not handed over again; the next period still reads.
    clock.advance(RUNTIME_LISTS_REREAD_MS);
    await settle();
    await stored({ allow: [], block: [] });
    clock.advance(RUNTIME_LISTS_REREAD_MS);
    await settle(() => view.received.length === 2);
    expect(view.received).toEqual([{ allow: [], block: ['quiet.example'] }, { allow: [], block: [] }]);
  });

  it('reads the lists again when the store connection is back', async () => {
    await service.start();
    await stored({ allow: ['back.example'], block: [] });
    reconnected();
    await settle(() => view.received.length === 1);
    expect(view.received).toEqual([{ allow: ['back.example'], block: [] }]);
  });

  it('keeps the lists read before, with a warning, while the store fails or holds a value it cannot use', async () => {
    await stored({ allow: [], block: ['spam.example'] });
    await service.start();
    const read = store.settings.read.bind(store.settings);
    store.settings.read = () => Promise.reject(new StoreUnavailableError('Redis store did not answer'));
    await service.refresh();
    store.settings.read = read;
    await store.settings.write(RUNTIME_LISTS_SETTING, '{"allow": [], "block": ["not a domain"]}');
    await service.refresh();
    expect(view.received).toEqual([{ allow: [], block: ['spam.example'] }]);
    expect(service.current).toEqual({ allow: [], block: ['spam.example'] });
    expect(messages().filter((m) => m.level === 'warn').map((m) => m.error)).toEqual([
      'Redis store did not answer',
      expect.stringContaining('"not a domain" is not a domain or address'),
    ]);
    await stored({ allow: [], block: [] });
    await service.refresh();
    expect(view.received.at(-1)).toEqual({ allow: [], block: [] });
  });

  it('starts with no lists, and a warning, when the store fails at start', async () => {
    store.settings.read = () => Promise.reject(new StoreUnavailableError('Redis store did not answer'));
    await service.start();
    expect(view.received).toEqual([]);
    expect(messages().map((m) => m.level)).toEqual(['warn']);
  });

  it('keeps the lists applied before, with an error, when the policy refuses new ones', async () => {
    await service.start();
    view.refuse = true;
    await stored({ allow: [], block: ['spam.example'] });
    await service.refresh();
    expect(messages().map((m) => [m.level, m.message])).toEqual([['error', expect.stringContaining('the policy refused')]]);
    view.refuse = false;
    await service.refresh();
    expect(view.received).toEqual([{ allow: [], block: ['spam.example'] }]);
  });

  it('reads once more after a read under way when asked again meanwhile, not once per ask', async () => {
    await service.start();
    let reads = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const read = store.settings.read.bind(store.settings);
    store.settings.read = async (name) => {
      reads++;
      const value = await read(name);
      if (reads === 1) await gate;
      return value;
    };
    const first = service.refresh();
    await settle(() => reads === 1);
    // Written while the first read holds the old value: the asks that follow must see it.
    await stored({ allow: [], block: ['late.example'] });
    const asks = [service.refresh(), service.refresh(), service.refresh()];
    release();
    await Promise.all([first, ...asks]);
    expect(reads).toBe(2);
    expect(view.received).toEqual([{ allow: [], block: ['late.example'] }]);
  });

  it('stops listening and reading when stopped', async () => {
    await service.start();
    await service.stop();
    expect(clock.pending).toBe(0);
    await changeRuntimeList(store, { list: 'block', entry: 'spam.example', change: 'add' });
    await settle();
    expect(view.received).toEqual([]);
  });
});
