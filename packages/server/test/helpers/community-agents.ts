import type { SipRequest, SipResponse } from '@herald/sip';
import type { RequestText } from '@herald/test-kit';
import { digestCredentials } from './digest-credentials.js';
import type { HeraldProcess } from './herald-process.js';
import { UdpAgent } from './udp-agent.js';

/** A user of one Herald, on a UDP agent of its own; `password` when that Herald challenges. */
export interface CommunityUser {
  user: string;
  domain: string;
  password?: string;
  agent: UdpAgent;
}

/** A request from `user` to `uri`: its own From, a fresh Call-ID unless given. */
export interface UserRequest {
  method: string;
  uri: string;
  headers?: string[];
  body?: string;
  callId?: string;
  /** The From tag (one per dialog). */
  tag?: string;
}

/**
 * Sends a request as `user`, answering a 401/407 digest challenge once (RFC 3261 §22.2);
 * resolves with the final response.
 */
export async function sendAs(user: CommunityUser, request: UserRequest, timeoutMs = 10_000): Promise<SipResponse> {
  const aor = `sip:${user.user}@${user.domain}`;
  const base: RequestText = {
    method: request.method,
    uri: request.uri,
    from: `<${aor}>;tag=${request.tag ?? `t${Math.random().toString(36).slice(2, 8)}`}`,
    to: request.method === 'REGISTER' ? `<${aor}>` : `<${request.uri}>`,
    callId: request.callId ?? `${request.method.toLowerCase()}-${user.user}-${Math.random().toString(36).slice(2)}`,
    headers: request.headers ?? [],
    body: request.body,
  };
  await user.agent.send({ ...base, cseq: 1 });
  const first = await user.agent.response(timeoutMs);
  if ((first.status !== 401 && first.status !== 407) || user.password === undefined) return first;
  const challenges = first.status === 401 ? first.wwwAuthenticate : first.proxyAuthenticate;
  const credentials = digestCredentials(challenges, { user: user.user, domain: user.domain, password: user.password }, request.method, request.uri);
  const header = first.status === 401 ? 'Authorization' : 'Proxy-Authorization';
  await user.agent.send({ ...base, cseq: 2, headers: [...(base.headers ?? []), `${header}: ${credentials}`] });
  return user.agent.response(timeoutMs);
}

/** A UDP agent on 127.0.0.1 registered as `user`@`domain` at `herald` (listening on `host`). */
export async function registerUser(herald: HeraldProcess, host: string, user: string, domain: string, password?: string): Promise<CommunityUser> {
  const agent = await UdpAgent.start(herald.port('udp'), 0, '127.0.0.1', host);
  const u: CommunityUser = { user, domain, password, agent };
  const res = await sendAs(u, { method: 'REGISTER', uri: `sip:${domain}`, headers: ['Expires: 600'] });
  if (res.status !== 200) {
    await agent.close();
    throw new Error(`REGISTER ${user}@${domain} got ${res.status} ${res.reason}`);
  }
  return u;
}

/** A text MESSAGE from `from` to `to` (RFC 3428). */
export function message(from: CommunityUser, to: string, text: string): Promise<SipResponse> {
  return sendAs(from, { method: 'MESSAGE', uri: to, headers: ['Content-Type: text/plain'], body: text });
}

/** The next MESSAGE `user` is sent, answered 200 (other requests are answered 200 and skipped). */
export async function nextMessage(user: CommunityUser, timeoutMs = 10_000): Promise<SipRequest> {
  for (;;) {
    const request = await user.agent.request(200, timeoutMs);
    if (request.method === 'MESSAGE') return request;
  }
}

/** NOTIFYs `user` is sent, answered 200, until one whose body `done` accepts. */
export async function notifyUntil(user: CommunityUser, done: (body: string) => boolean, timeoutMs = 10_000): Promise<SipRequest> {
  for (;;) {
    const request = await user.agent.request(200, timeoutMs);
    if (request.method === 'NOTIFY' && done(request.body.toString())) return request;
  }
}

/** `403 Reason` of a response, for assertions that show the reason on failure. */
export function statusLine(res: SipResponse): string {
  return `${res.status} ${res.reason}`;
}
