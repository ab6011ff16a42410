import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('routes', () => {
  it('reads exact and wildcard domains', () => {
    const routes = parse('routes:\n  - { domain: Peer.Test, to: "sip:127.0.0.1:5090;transport=tcp" }\n  - { domain: "*.acme.com", to: "sip:192.0.2.1" }').routes;
    expect(routes).toEqual([
      { domain: 'peer.test', to: 'sip:127.0.0.1:5090;transport=tcp' },
      { domain: '*.acme.com', to: 'sip:192.0.2.1' },
    ]);
  });

  it('reads a list of next hops, tried in order', () => {
    const routes = parse('routes:\n  - { domain: peer.test, to: ["sip:proxy1.peer.test", "sip:127.0.0.3:5070"] }').routes;
    expect(routes).toEqual([{ domain: 'peer.test', to: ['sip:proxy1.peer.test', 'sip:127.0.0.3:5070'] }]);
  });

  it.each([
    ['routes: [{ domain: peer.test, to: [] }]', 'routes[0].to', /empty list/],
    ['routes: [{ domain: peer.test, to: ["sip:192.0.2.1", "mailto:x@y"] }]', 'routes[0].to[1]', /is not a SIP URI/],
    ['routes: [{ to: "sip:192.0.2.1" }]', 'routes[0].domain', /is required/],
    ['routes: [{ domain: "peer test", to: "sip:192.0.2.1" }]', 'routes[0].domain', /is not a domain/],
    ['routes: [{ domain: localhost, to: "sip:192.0.2.1" }]', 'routes[0].domain', /one of Herald's own domains/],
    ['routes: [{ domain: peer.test, to: "http://192.0.2.1" }]', 'routes[0].to', /is not a SIP URI/],
    ['routes: [{ domain: peer.test, to: "sip:192.0.2.1;transport=sctp" }]', 'routes[0].to', /transport=sctp/],
    ['routes: [{ domain: peer.test, to: "sip:192.0.2.1;transport=ws" }]', 'routes[0].to', /WebSocket/],
    ['routes: [{ domain: peer.test }]', 'routes[0].to', /is required/],
  ])('names the problem in %s', (text, key, message) => {
    expect(problem(text, key)).toMatch(message);
  });
});
