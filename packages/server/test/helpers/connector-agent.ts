import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import type { HeraldProcess } from './herald-process.js';
import type { TcpPhone } from './tcp-phone.js';
import type { UdpAgent } from './udp-agent.js';

/**
 * The next request of `method` a community's connector (a scripted UDP agent) is sent,
 * answered 200 with `headers`; any other request (a probe) is answered 200 and passed over.
 * Answers go to Herald's UDP port, which is where its requests come from.
 */
export async function nextRequest(agent: UdpAgent, herald: HeraldProcess, method: string, headers: Array<[string, string]> = []): Promise<SipRequest> {
  for (;;) {
    const m = await agent.client.nextMessage(5000);
    if (!m.isRequest()) continue;
    await agent.client.send(createResponse(m, 200, undefined, { headers: m.method === method ? headers : [] }).toBuffer(), herald.port('udp'), '127.0.0.1');
    if (m.method === method) return m;
  }
}

/** The URI of a name-addr header value (`"Alice" <sip:a@b>;tag=x` → `sip:a@b`); '' when there is none. */
export function uriOf(header: string | undefined): string {
  return /<([^>]+)>/.exec(header ?? '')?.[1] ?? '';
}

/** `phone` sends a MESSAGE to bob of the community; resolves with its final response and the MESSAGE as the connector got it. */
export async function messageToCommunity(phone: TcpPhone, connector: UdpAgent, herald: HeraldProcess, text: string): Promise<{ response: SipResponse; message: SipRequest }> {
  const [response, message] = await Promise.all([phone.sendMessage('sip:bob@chi.acme.test', text), nextRequest(connector, herald, 'MESSAGE')]);
  return { response, message };
}

/** The connector sends a MESSAGE from bob of the community to `to`; resolves with the final response the connector gets. */
export async function messageFromCommunity(connector: UdpAgent, to: string, text: string): Promise<SipResponse> {
  await connector.send({ method: 'MESSAGE', uri: to, from: '<sip:bob@chi.acme.test>;tag=b1', to: `<${to}>`, headers: ['Content-Type: text/plain'], body: text });
  return connector.response();
}
