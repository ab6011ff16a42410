import { listNotifyBody } from './rlmi-document.js';

describe('RFC 4662 §5 list NOTIFY bodies', () => {
  const body = listNotifyBody('sip:friends@example.com', 3, false, [
    { uri: 'sip:bob@example.com', state: 'active', part: { contentType: 'application/pidf+xml', body: '<presence/>' } },
    { uri: 'sip:carol@example.com', state: 'terminated', reason: 'rejected', part: null },
  ], 'example.com');

  it('is multipart/related with the RLMI document as its start', () => {
    const [, start] = /start="<([^>]+)>"/.exec(body.contentType) ?? [];
    const [, boundary] = /boundary="([^"]+)"/.exec(body.contentType) ?? [];
    expect(body.contentType).toMatch(/^multipart\/related;type="application\/rlmi\+xml"/);
    const parts = body.body.split(`--${boundary}`);
    expect(parts[0]).toBe('');
    expect(parts.at(-1)).toBe('--\r\n');
    expect(parts[1]).toContain(`Content-ID: <${start}>`);
    expect(parts[1]).toContain('Content-Type: application/rlmi+xml');
  });

  it('lists every resource with its state, version and fullState, and refers to each document by Content-ID', () => {
    const rlmi = body.body.split('\r\n\r\n')[1];
    expect(rlmi).toContain('uri="sip:friends@example.com" version="3" fullState="false"');
    const [, cid] = /<resource uri="sip:bob@example.com"><instance id="r0" state="active" cid="([^"]+)"/.exec(rlmi) ?? [];
    expect(cid).toMatch(/@example\.com$/);
    expect(body.body).toContain(`Content-ID: <${cid}>\r\nContent-Type: application/pidf+xml\r\n\r\n<presence/>`);
    expect(rlmi).toContain('<resource uri="sip:carol@example.com"><instance id="r1" state="terminated" reason="rejected"');
  });
});
