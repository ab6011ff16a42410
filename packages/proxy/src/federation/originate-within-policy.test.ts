import { type SipRequest, parseMessage } from '@herald/sip';
import { requestText } from '@herald/test-kit';
import { chicagoCommunity, communityPolicy } from '../../test/helpers/community-fixture.js';
import { LocalIdentity } from '../routing/local-identity.js';
import type { ForwardOutcome } from '../tu/request-context.js';
import { originateWithinPolicy } from './originate-within-policy.js';

const identity = new LocalIdentity(['example.com'], [{ address: '192.0.2.1', port: 5060 }], []);

/** A request Herald sends itself (a NOTIFY to a watcher, a SUBSCRIBE for a list member) to `to`. */
function heralds(method: string, to: string): SipRequest {
  return parseMessage(Buffer.from(requestText({ method, uri: 'sip:carol@192.0.2.30', from: '<sip:alice@example.com>;tag=a', to: `<${to}>;tag=t` }))) as SipRequest;
}

async function sent(request: SipRequest, ...policy: Parameters<typeof communityPolicy>): Promise<{ status: number; sent: number }> {
  let count = 0;
  const originate = originateWithinPolicy(communityPolicy(...policy), identity, async (): Promise<ForwardOutcome> => {
    count++;
    return { status: 200, response: null, handled: false };
  });
  const { status } = await originate(request, []);
  return { status, sent: count };
}

describe('requests Herald originates obey the federation policy as its users’ do (issue 16: a community switched off, both ways at once)', () => {
  it('sends a NOTIFY or SUBSCRIBE to a community switched on, and not to one switched off, ending as refused', async () => {
    expect(await sent(heralds('NOTIFY', 'sip:carol@chi.acme.test'), [chicagoCommunity()])).toEqual({ status: 200, sent: 1 });
    expect(await sent(heralds('NOTIFY', 'sip:carol@chi.acme.test'), [chicagoCommunity()], {}, false)).toEqual({ status: 403, sent: 0 });
    expect(await sent(heralds('SUBSCRIBE', 'sip:carol@chi.acme.test'), [chicagoCommunity({ enabled: false })])).toEqual({ status: 403, sent: 0 });
  });

  it('does not send to a domain blocked since, and always sends within Herald’s own domains', async () => {
    expect(await sent(heralds('NOTIFY', 'sip:carol@peer.test'), [], { block: ['peer.test'] })).toEqual({ status: 403, sent: 0 });
    expect(await sent(heralds('MESSAGE', 'sip:bob@example.com'), [], { default: 'off' })).toEqual({ status: 200, sent: 1 });
  });
});
