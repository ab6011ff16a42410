import { isIP } from 'node:net';
import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { type RequestText, UdpClient, requestText } from '@herald/test-kit';

/** A request's server transaction: its top Via's branch and sent-by, and its method. @see RFC 3261 §17.2.3 */
function serverTransaction(m: SipRequest): string {
  const via = m.topVia;
  return `${via.params.get('branch') ?? ''}\0${via.host}:${via.port ?? ''}\0${m.method}`;
}

/**
 * A scripted user agent on UDP: sends requests written by `requestText` with its own Via
 * and Contact, waits for what comes back, answers requests it is sent.
 */
export class UdpAgent {
  /** The answers given, by server transaction: a retransmitted request gets its answer again. */
  private readonly answered = new Map<string, { response: Buffer; port: number; host: string }>();

  private constructor(
    readonly client: UdpClient,
    private readonly server: number,
    private readonly serverHost: string,
  ) {}

  /** An agent on `host`:`port` (127.0.0.1 and an ephemeral port by default) that talks to Herald on `serverHost`:`serverPort`. */
  static async start(serverPort: number, port = 0, host = '127.0.0.1', serverHost = '127.0.0.1'): Promise<UdpAgent> {
    return new UdpAgent(await UdpClient.bind(host, port), serverPort, serverHost);
  }

  get contact(): string {
    return `<sip:agent@${this.client.address}:${this.client.port}>`;
  }

  /** Sends a request from this agent (its Via and, unless given, its Contact). */
  async send(options: RequestText): Promise<void> {
    const headers = options.headers ?? [];
    const withContact = headers.some((h) => /^contact:/i.test(h)) ? headers : [`Contact: ${this.contact}`, ...headers];
    await this.client.send(requestText({ ...options, sentBy: `${this.client.address}:${this.client.port}`, rport: true, headers: withContact }), this.server, this.serverHost);
  }

  /**
   * PUBLISH for `user`@`domain` (example.com unless given) from its own AoR (`Event: presence`,
   * `Expires: 600` unless `headers` say otherwise), with `body` as PIDF; resolves with the
   * final response.
   */
  async publish(
    user: string,
    { body, headers = ['Event: presence', 'Expires: 600'], cseq = 1, callId = `pub-${user}`, domain = 'example.com' }: { body?: string; headers?: string[]; cseq?: number; callId?: string; domain?: string } = {},
  ): Promise<SipResponse> {
    const aor = `<sip:${user}@${domain}>`;
    const contentType = body === undefined ? [] : ['Content-Type: application/pidf+xml'];
    await this.send({ method: 'PUBLISH', uri: `sip:${user}@${domain}`, from: `${aor};tag=p`, to: aor, cseq, callId, headers: [...headers, ...contentType], body });
    return this.response();
  }

  /** The next final response, provisional ones skipped. */
  async response(timeoutMs = 5000): Promise<SipResponse> {
    for (;;) {
      const m = await this.client.nextMessage(timeoutMs);
      if (!m.isRequest() && m.status >= 200) return m;
    }
  }

  /**
   * The next new request sent to this agent, answered with `status` where its top Via says
   * (RFC 3261 §18.2.2). Retransmissions of a request answered here are not new: Herald sends
   * them when the answer is late (Timer E, every T1 over UDP, RFC 3261 §17.1.2.2), as on a
   * loaded machine, and they are answered again and passed over, as a UAS's server
   * transaction absorbs them (RFC 3261 §17.2.2).
   */
  async request(status = 200, timeoutMs = 5000): Promise<SipRequest> {
    for (;;) {
      const m = await this.client.nextMessage(timeoutMs);
      if (!m.isRequest()) continue;
      const key = serverTransaction(m);
      const given = this.answered.get(key);
      if (given !== undefined) {
        await this.client.send(given.response, given.port, given.host);
        continue;
      }
      const [port, host] = this.responseAddress(m);
      const response = createResponse(m, status).toBuffer();
      this.answered.set(key, { response, port, host });
      await this.client.send(response, port, host);
      return m;
    }
  }

  /** A request from another loopback host (a server of another domain) is answered there; any other where Herald listens. */
  private responseAddress(m: SipRequest): [number, string] {
    const via = m.topVia;
    if (isIP(via.host) !== 4 || !via.host.startsWith('127.')) return [this.server, this.serverHost];
    return [via.port ?? 5060, via.host];
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
