import { type SipRequest, parseMessage } from '@herald/sip';
import type { Flow } from '@herald/stack';
import { FakeRequestContext, requestText } from '@herald/test-kit';
import { FederationPolicy } from '../federation/federation-policy.js';
import { DEFAULT_FEDERATION, type FederationSettings } from '../federation/federation-settings.js';
import { PeerTable, peersOf } from '../federation/peer-table.js';
import { LocalIdentity } from '../routing/local-identity.js';
import { checkPeerInDialog, checkPeerInDialogOutbound } from './check-peer-in-dialog.js';
import { chicagoCommunity, communityPolicy } from '../../test/helpers/community-fixture.js';

const FLOW: Flow = { id: 'udp-1', transport: 'udp', owner: 'test~1~00', localAddress: '192.0.2.1', localPort: 5060, remoteAddress: '192.0.2.10', remotePort: 5060 };

function inDialog(method: string, from = 'sip:bob@peer.test'): SipRequest {
  return parseMessage(Buffer.from(requestText({ method, uri: 'sip:alice@192.0.2.20', from: `<${from}>;tag=f`, to: '<sip:alice@example.com>;tag=t' }))) as SipRequest;
}

async function outcome(settings: Partial<FederationSettings>, req: SipRequest): Promise<string> {
  const all = { ...DEFAULT_FEDERATION, ...settings };
  const ctx = new FakeRequestContext(req, { flow: FLOW });
  await ctx.run(checkPeerInDialog(new FederationPolicy(all, new PeerTable(peersOf(all, [])))));
  return ctx.responses.length > 0 ? `${ctx.response.status} ${ctx.response.reason}` : 'continue';
}

describe('requests within a dialog with another domain', () => {
  it('pass while the policy takes the domain, with no DNS asked whatever the level', async () => {
    expect(await outcome({ default: 'trusted' }, inDialog('NOTIFY'))).toBe('continue');
  });

  it('are refused once the domain or its address is blocked, or the feature refused', async () => {
    expect(await outcome({ block: ['peer.test'] }, inDialog('SUBSCRIBE'))).toBe('403 Domain Blocked');
    expect(await outcome({ block: ['192.0.2.0/24'] }, inDialog('NOTIFY'))).toBe('403 Address Blocked');
    expect(await outcome({ features: ['messages'] }, inDialog('NOTIFY'))).toBe('403 Presence Not Allowed With peer.test');
    expect(await outcome({ features: ['presence'] }, inDialog('MESSAGE'))).toBe('403 Messages Not Allowed With peer.test');
  });

  it('leave roles aside: an in-dialog Request-URI is a contact, not a user', async () => {
    const peer = { domain: 'peer.test', level: 'verified' as const, features: ['presence' as const], roles: { presence: ['carol@example.com'] }, watchers: 'allow' as const };
    expect(await outcome({ peers: [peer] }, inDialog('NOTIFY'))).toBe('continue');
  });
});

describe('requests within a dialog towards another domain, from Herald’s own users', () => {
  const identity = new LocalIdentity(['example.com'], [{ address: '192.0.2.1', port: 5060 }], []);

  async function outbound(req: SipRequest, settings: Partial<FederationSettings> = {}, communitiesOn = true): Promise<string> {
    const policy = communityPolicy([chicagoCommunity()], settings, communitiesOn);
    const ctx = new FakeRequestContext(req, { flow: FLOW });
    await ctx.run(checkPeerInDialogOutbound(policy, identity));
    return ctx.responses.length > 0 ? `${ctx.response.status} ${ctx.response.reason}` : 'continue';
  }
  function fromAlice(method: string, to: string): SipRequest {
    return parseMessage(Buffer.from(requestText({ method, uri: 'sip:bob@192.0.2.30', from: '<sip:alice@example.com>;tag=a', to: `<${to}>;tag=t` }))) as SipRequest;
  }

  it('are refused once the community is switched off, with its name (both ways, issue 16)', async () => {
    expect(await outbound(fromAlice('MESSAGE', 'sip:bob@chi.acme.test'))).toBe('continue');
    expect(await outbound(fromAlice('MESSAGE', 'sip:bob@chi.acme.test'), {}, false)).toBe('403 Community chicago Disabled');
    expect(await outbound(fromAlice('SUBSCRIBE', 'sip:bob@chi.acme.test'), {}, false)).toBe('403 Community chicago Disabled');
  });

  it('are refused once the domain is blocked or the feature refused, and pass within Herald’s own domains', async () => {
    expect(await outbound(fromAlice('MESSAGE', 'sip:bob@peer.test'), { block: ['peer.test'] })).toBe('403 Domain Blocked');
    expect(await outbound(fromAlice('NOTIFY', 'sip:bob@peer.test'), { features: ['messages'] })).toBe('403 Presence Not Allowed With peer.test');
    expect(await outbound(fromAlice('MESSAGE', 'sip:carol@example.com'), { default: 'off' })).toBe('continue');
    // The allow lists admitted the dialog (an entry may be the peer's source address, which this request does not carry).
    expect(await outbound(fromAlice('MESSAGE', 'sip:bob@peer.test'), { allow: ['198.51.100.0/24'] })).toBe('continue');
    expect(await outbound(fromAlice('MESSAGE', 'tel:+15551234'), { default: 'off' })).toBe('continue');
  });
});
