import { type SipRequest, createResponse } from '@herald/sip';
import type { HeraldProcess } from './herald-process.js';
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
