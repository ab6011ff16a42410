import { MemorySubscriptionStore } from '@herald/store';
import { NOW, subscription } from '../../test/helpers/presence-requests.js';
import { WinfoPackage, acceptsWatcherinfo } from './winfo-package.js';

describe('RFC 3858 §4 watcherinfo documents', () => {
  it('lists the presence watchers with status and event, versioned by the NOTIFYs of the winfo subscription', async () => {
    const store = new MemorySubscriptionStore();
    await store.compareAndSet(subscription({ id: 'a', watcher: 'sip:alice@example.com', status: 'pending' }), NOW);
    await store.compareAndSet(subscription({ id: 'b', watcher: 'sip:carol@example.com', data: { approved: true } }), NOW);
    const body = await new WinfoPackage(store).body('sip:bob@example.com', NOW);
    const content = body(subscription({ event: 'presence.winfo', localCseq: 3 }));
    expect(content?.contentType).toBe('application/watcherinfo+xml');
    expect(content?.body).toContain('version="2" state="full"');
    expect(content?.body).toContain('<watcher-list resource="sip:bob@example.com" package="presence">');
    expect(content?.body).toMatch(/<watcher id="w[^"]+" status="pending" event="subscribe">sip:alice@example.com<\/watcher>/);
    expect(content?.body).toMatch(/<watcher id="w[^"]+" status="active" event="approved">sip:carol@example.com<\/watcher>/);
    expect(content?.body).not.toContain('"a"');
    store.close();
  });

  it('goes to a watcher whose Accept allows watcherinfo, or that sends none', () => {
    expect(acceptsWatcherinfo([])).toBe(true);
    expect(acceptsWatcherinfo(['application/watcherinfo+xml;q=1'])).toBe(true);
    expect(acceptsWatcherinfo(['application/*'])).toBe(true);
    expect(acceptsWatcherinfo(['application/pidf+xml'])).toBe(false);
  });
});
