import { CommunitySwitch, DEFAULT_FEDERATION, FederationPolicy, type ForwardOutcome, PeerTable, peersOf } from '@herald/proxy';
import { type SipRequest, SipRequest as Request } from '@herald/sip';
import { testCommunity } from '../../test/helpers/admin-server-fixture.js';
import { refusingSwitchedOff } from './switched-off-originate.js';

function notify(watcher: string): SipRequest {
  return new Request('NOTIFY', 'sip:192.0.2.10:5060', [], Buffer.alloc(0))
    .addHeader('From', '<sip:bob@example.com>;tag=n1')
    .addHeader('To', `<${watcher}>;tag=w1`)
    .addHeader('Call-ID', 'sub-1')
    .addHeader('CSeq', '2 NOTIFY');
}

describe("Herald's own requests to a gateway community switched off", () => {
  const settings = { enabled: true, list: [testCommunity('chicago')] };
  const switches = new CommunitySwitch(settings);
  const policy = new FederationPolicy(DEFAULT_FEDERATION, new PeerTable(peersOf(DEFAULT_FEDERATION, [], settings)), undefined, switches);
  const sent: string[] = [];
  const originate = refusingSwitchedOff(async (request): Promise<ForwardOutcome> => {
    sent.push(request.header('to')!);
    return { status: 200, response: null, handled: false };
  }, policy);

  beforeEach(() => {
    sent.length = 0;
    switches.useRuntimeStates({ communities: {} });
  });

  it('are refused unsent with 403, as the relay refuses them, so that a NOTIFY to its watcher ends their subscription', async () => {
    switches.useRuntimeStates({ communities: { chicago: false } });
    const outcome = await originate(notify('sip:carol@east.chicago.test'), []);
    expect([outcome.status, outcome.response?.reason, outcome.received]).toEqual([403, 'Community chicago Disabled', false]);
    switches.useRuntimeStates({ all: false, communities: {} });
    expect((await originate(notify('sip:carol@chicago.test'), [])).status).toBe(403);
    expect(sent).toEqual([]);
  });

  it('go out while it is switched on, and to any other domain', async () => {
    expect((await originate(notify('sip:carol@chicago.test'), [])).status).toBe(200);
    switches.useRuntimeStates({ communities: { chicago: false } });
    expect((await originate(notify('sip:dave@other.test'), [])).status).toBe(200);
    expect(sent).toEqual(['<sip:carol@chicago.test>;tag=w1', '<sip:dave@other.test>;tag=w1']);
  });
});
