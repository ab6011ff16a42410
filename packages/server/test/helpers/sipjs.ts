import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { Registerer, RegistererState, UserAgent } from 'sip.js';

// SIP.js's transport opens `new WebSocket(url, "sip")`; Node 20 has no global WebSocket.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export interface SipJsPhone {
  ua: UserAgent;
  registerer: Registerer;
  stop(): Promise<void>;
}

/** A SIP.js user agent connected over WebSocket, as a browser softphone is. */
export async function sipJsPhone(server: string, aor: string, password: string, options: { userAgentString?: string; outbound?: boolean } = {}): Promise<SipJsPhone> {
  const { userAgentString, outbound = false } = options;
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`bad AoR ${aor}`);
  const ua = new UserAgent({
    uri,
    transportOptions: { server, traceSip: false },
    authorizationUsername: uri.user,
    authorizationPassword: password,
    logLevel: 'error',
    logBuiltinEnabled: false,
    ...(userAgentString !== undefined && { userAgentString }),
  });
  await ua.start();
  // RFC 5626: an instance id and reg-id, as SIP.js sends them when asked to.
  const registerer = new Registerer(ua, { expires: 300, ...(outbound && { instanceId: randomUUID(), regId: 1 }) });
  return {
    ua,
    registerer,
    async stop() {
      if (registerer.state === RegistererState.Registered) await registerer.unregister().catch(() => undefined);
      await registerer.dispose().catch(() => undefined);
      await ua.stop();
    },
  };
}

/** Sends a REGISTER (or un-REGISTER) and resolves with the final status SIP.js saw. */
export function registerOnce(phone: SipJsPhone, unregister = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const requestDelegate = {
      onAccept: (r: { message: { statusCode?: number } }) => resolve(r.message.statusCode ?? 0),
      onReject: (r: { message: { statusCode?: number } }) => resolve(r.message.statusCode ?? 0),
    };
    const sent = unregister ? phone.registerer.unregister({ requestDelegate }) : phone.registerer.register({ requestDelegate });
    sent.catch(reject);
  });
}
