import { type SipRequest, formatUri, parseMessage } from '@herald/sip';
import { FakeRequestContext, requestText } from '@herald/test-kit';
import type { CommunityRef } from '../federation/community-settings.js';
import { type ExternalAliases, ExternalIds } from '../federation/external-ids.js';
import { LocalIdentity } from '../routing/local-identity.js';
import { presentExternalId } from './present-external-id.js';

const CHICAGO: CommunityRef = { name: 'chicago', convertIds: true, proxiesOnly: true, port: 5060, transport: null };
const PEERS: Record<string, CommunityRef> = { 'chi.acme.test': CHICAGO, 'ny.acme.test': { ...CHICAGO, name: 'ny', convertIds: false } };
const identity = new LocalIdentity(['dc.acme.test', 'acme.test'], [{ address: '192.0.2.1', port: 5060 }], []);

/** The store of one account, `asmith@dc.acme.test`, with two aliases, one of them its external form; it counts its reads. */
function users(): ExternalAliases & { reads: number } {
  const aliases: Record<string, string> = { 'sip:Alice_Smith@acme.test': 'sip:asmith@dc.acme.test', 'sip:alice@acme.test': 'sip:asmith@dc.acme.test' };
  const external: Record<string, string> = { 'sip:asmith@dc.acme.test': 'sip:Alice_Smith@acme.test' };
  const store = {
    reads: 0,
    async externalAliasOf(aor: string) {
      store.reads++;
      return external[aor];
    },
    async resolveAlias(alias: string) {
      store.reads++;
      return aliases[alias];
    },
  };
  return store;
}

function request(uri: string, from: string, to = `<${uri}>`): SipRequest {
  return parseMessage(Buffer.from(requestText({ method: 'MESSAGE', uri, from: `"Alice" <${from}>;tag=a1`, to }))) as SipRequest;
}

async function presented(req: SipRequest, authenticated = false) {
  const store = users();
  const ctx = new FakeRequestContext(req, { authenticated: authenticated ? { user: 'asmith', domain: 'dc.acme.test', aor: 'sip:asmith@dc.acme.test' } : null });
  expect(await ctx.run(presentExternalId(new ExternalIds({ communityOf: (d) => PEERS[d] }, store), identity))).toBe('continue');
  return { as: ctx.presentedAs === undefined ? null : formatUri(ctx.presentedAs), reads: store.reads };
}

describe('ID conversion towards a convertIds community (issue 16)', () => {
  it('presents the authenticated sender by its external form, with one read of the store', async () => {
    expect(await presented(request('sip:bob@chi.acme.test', 'sip:asmith@dc.acme.test'), true)).toEqual({ as: 'sip:Alice_Smith@acme.test', reads: 1 });
  });

  it('takes the account a From alias names when digest is off', async () => {
    expect(await presented(request('sip:bob@chi.acme.test', 'sip:alice@acme.test'))).toEqual({ as: 'sip:Alice_Smith@acme.test', reads: 3 });
    expect(await presented(request('sip:bob@chi.acme.test', 'sip:asmith@dc.acme.test'))).toEqual({ as: 'sip:Alice_Smith@acme.test', reads: 1 });
  });

  it('goes by To within a dialog, whose Request-URI is a contact address', async () => {
    expect(await presented(request('sip:bob@198.51.100.9:5070', 'sip:asmith@dc.acme.test', '<sip:bob@chi.acme.test>;tag=b1'), true)).toEqual({ as: 'sip:Alice_Smith@acme.test', reads: 1 });
  });

  it('reads nothing for a domain that does not convert IDs, or a sender of another domain', async () => {
    expect(await presented(request('sip:bob@ny.acme.test', 'sip:asmith@dc.acme.test'), true)).toEqual({ as: null, reads: 0 });
    expect(await presented(request('sip:bob@partner.test', 'sip:asmith@dc.acme.test'), true)).toEqual({ as: null, reads: 0 });
    expect(await presented(request('sip:asmith@dc.acme.test', 'sip:bob@chi.acme.test'))).toEqual({ as: null, reads: 0 });
  });

  it('leaves a user without an external form as they are', async () => {
    expect(await presented(request('sip:bob@chi.acme.test', 'sip:carol@dc.acme.test'))).toEqual({ as: null, reads: 2 });
  });
});
