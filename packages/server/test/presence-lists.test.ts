import type { HeraldProcess } from './helpers/herald-process.js';
import { ADMIN_TOKEN as TOKEN, startPresenceHerald } from './helpers/presence-herald.js';
import { pidf } from './helpers/pidf.js';
import { UdpAgent } from './helpers/udp-agent.js';

/** The parts of a multipart/related body, each with its headers and body. @see RFC 2387 */
function parts(contentType: string, body: string): Array<{ headers: Record<string, string>; body: string }> {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`no boundary in ${contentType}`);
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((chunk) => {
      const text = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '');
      const split = text.indexOf('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, split).split('\r\n')) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      return { headers, body: text.slice(split + 4) };
    });
}

function resourceList(uris: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?><resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${uris.map((u) => `<entry uri="${u}"/>`).join('')}</list></resource-lists>`;
}

/**
 * Subscriptions to lists of presentities (RFC 4662): a list in the SUBSCRIBE's body
 * (RFC 5367, as Linphone sends), or a list stored through the admin API (Yealink, Blink).
 */
describe('resource lists (RFC 4662, RFC 5367)', () => {
  let herald: HeraldProcess;
  let adminPort: number;
  let watcher: UdpAgent;
  let phone: UdpAgent;

  beforeAll(async () => {
    ({ herald, adminPort } = await startPresenceHerald(['alice', 'bob', 'carol', 'dave'], '{ notifyWindow: 0 }'));
  });
  afterAll(async () => {
    await herald.stop();
  });
  beforeEach(async () => {
    watcher = await UdpAgent.start(herald.port('udp'));
    phone = await UdpAgent.start(herald.port('udp'));
  });
  afterEach(async () => {
    await watcher.close();
    await phone.close();
  });

  async function subscribeList(uri: string, headers: string[], body?: string) {
    await watcher.send({
      method: 'SUBSCRIBE',
      uri,
      from: '<sip:alice@example.com>;tag=l1',
      to: `<${uri}>`,
      callId: `list-${Math.random()}`,
      headers: ['Event: presence', 'Expires: 600', ...headers],
      body,
    });
    return watcher.response();
  }

  async function publish(user: string, basic: 'open' | 'closed') {
    expect((await phone.publish(user, { body: pidf(user, basic) })).status).toBe(200);
  }

  it('takes the list in the body: full state of every member first, then only the member that changed', async () => {
    await publish('bob', 'open');
    const response = await subscribeList(
      'sip:rls@example.com',
      [
        'Require: recipient-list-subscribe',
        'Supported: eventlist',
        'Accept: application/pidf+xml, application/rlmi+xml, multipart/related',
        'Content-Type: application/resource-lists+xml',
        'Content-Disposition: recipient-list',
      ],
      resourceList(['sip:bob@example.com', 'sip:carol@example.com', 'sip:zed@other.example']),
    );
    expect(response.status).toBe(200);
    expect(response.header('require')).toBe('eventlist');
    const first = await watcher.request();
    const type = first.header('content-type')!;
    expect(type).toMatch(/^multipart\/related;type="application\/rlmi\+xml";start="<[^>]+>";boundary=/);
    const [root, ...members] = parts(type, first.body.toString());
    expect(root!.headers['content-type']).toBe('application/rlmi+xml');
    expect(type).toContain(`start="${root!.headers['content-id']}"`);
    const rlmi = root!.body;
    expect(rlmi).toMatch(/<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:rls@example.com" version="0" fullState="true">/);
    expect(rlmi).toMatch(/<resource uri="sip:bob@example.com"><instance id="r0" state="active" cid="[^"]+"\/><\/resource>/);
    expect(rlmi).toContain('<resource uri="sip:zed@other.example"><instance id="r2" state="terminated" reason="noresource"/></resource>');
    expect(members).toHaveLength(2);
    const bob = members.find((p) => p.body.includes('entity="sip:bob@example.com"'))!;
    expect(bob.headers['content-type']).toBe('application/pidf+xml');
    expect(bob.body).toContain('<basic>open</basic>');
    expect(rlmi).toContain(`cid="${bob.headers['content-id']!.slice(1, -1)}"`);

    await publish('carol', 'open');
    const update = await watcher.request();
    const [updateRoot, ...changed] = parts(update.header('content-type')!, update.body.toString());
    expect(updateRoot!.body).toMatch(/version="1" fullState="false"/);
    expect(updateRoot!.body).toContain('sip:carol@example.com');
    expect(updateRoot!.body).not.toContain('sip:bob@example.com');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.body).toContain('entity="sip:carol@example.com"');
  });

  it('serves a list stored through the admin API, and refuses a watcher without eventlist (421)', async () => {
    const put = await fetch(`http://127.0.0.1:${adminPort}/api/lists/${encodeURIComponent('sip:alice-buddies@example.com')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ members: ['sip:dave@example.com', 'sip:bob@example.com'], name: 'Buddies' }),
    });
    expect(put.status).toBe(200);
    const refused = await subscribeList('sip:alice-buddies@example.com', []);
    expect(refused.status).toBe(421);
    expect(refused.header('require')).toBe('eventlist');

    const response = await subscribeList('sip:alice-buddies@example.com', ['Supported: eventlist']);
    expect(response.status).toBe(200);
    const first = await watcher.request();
    const [root, ...members] = parts(first.header('content-type')!, first.body.toString());
    expect(root!.body).toContain('uri="sip:alice-buddies@example.com"');
    expect(root!.body).toContain('<resource uri="sip:dave@example.com">');
    expect(members.map((m) => /entity="([^"]+)"/.exec(m.body)?.[1]).sort()).toEqual(['sip:bob@example.com', 'sip:dave@example.com']);
    // Dave never registered nor published: closed.
    expect(members.find((m) => m.body.includes('sip:dave@'))!.body).toContain('<basic>closed</basic>');
  });
});
