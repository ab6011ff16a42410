import { type AuthenticatedUser, LocalIdentity, type RequestContext, type RequestProcessor } from '@herald/proxy';
import { type DigestAlgorithm, type DigestQop, SipError, type SipRequest, digestResponse, ha1, parseAuth, parseMessage } from '@herald/sip';
import { MemoryAuthStateStore, MemoryUserStore } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { type DigestAuthenticatorOptions, type DigestFailureReason, digestAuthenticator } from '../../src/digest-authenticator.js';
import { NonceService } from '../../src/nonce-service.js';

/** The digest authenticator's unit tests share these: requests, answers to challenges, an authenticator over memory stores. */
export const DOMAIN = 'example.com';
export const SOURCE = '198.51.100.7';

export class TestContext implements RequestContext {
  authenticated: AuthenticatedUser | null = null;
  recordRouted = null;
  peer = null;
  readonly transaction = null;
  statelessAnswer = false;
  retransmitted?: boolean;
  readonly flow: RequestContext['flow'];

  constructor(
    readonly req: SipRequest,
    remoteAddress: string,
  ) {
    this.flow = { id: 'flow-1', transport: 'udp', owner: 'test~1~00', localAddress: '192.0.2.1', localPort: 5060, remoteAddress, remotePort: 5060 };
  }

  respond(): void {
    throw new Error('the authenticator answers by throwing a SipError');
  }

  relay(): void {
    throw new Error('the authenticator relays nothing');
  }

  forward(): never {
    throw new Error('the authenticator forwards nothing');
  }
}

export interface RequestSpec {
  method?: string;
  uri?: string;
  from?: string;
  headers?: string[];
  body?: string;
  /** The CSeq number (default 1): a new request of the same Call-ID has a larger one. */
  cseq?: number;
}

export function request(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'REGISTER';
  const body = spec.body ?? '';
  const text = [
    `${method} ${spec.uri ?? 'sip:' + DOMAIN} SIP/2.0`,
    'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK776asdhds',
    'Max-Forwards: 70',
    `From: <${spec.from ?? 'sip:alice@' + DOMAIN}>;tag=1928301774`,
    `To: <${spec.from ?? 'sip:alice@' + DOMAIN}>`,
    'Call-ID: a84b4c76e66710',
    `CSeq: ${spec.cseq ?? 1} ${method}`,
    ...(spec.headers ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ].join('\r\n');
  return parseMessage(Buffer.from(text + '\r\n\r\n' + body)) as SipRequest;
}

export interface AnswerSpec {
  user?: string;
  password?: string;
  algorithm?: DigestAlgorithm;
  /** Which challenge header to answer; default the one naming `algorithm`. */
  method?: string;
  uri?: string;
  nc?: string;
  cnonce?: string;
  qop?: DigestQop | null;
  body?: string;
  nonce?: string;
  realm?: string;
  header?: 'Authorization' | 'Proxy-Authorization';
}

/** The credentials a UA with `password` sends in answer to `challenge`. */
export function answer(challenge: SipError, spec: AnswerSpec = {}): string {
  const algorithm = spec.algorithm ?? 'SHA-256';
  const offered = challenge.headers.map(([, v]) => parseAuth(v)).find((c) => c.params.get('algorithm') === algorithm) ?? parseAuth(challenge.headers[0][1]);
  const realm = spec.realm ?? offered.params.get('realm')!;
  const nonce = spec.nonce ?? offered.params.get('nonce')!;
  const user = spec.user ?? 'alice';
  const uri = spec.uri ?? 'sip:' + DOMAIN;
  const qop = spec.qop === undefined ? 'auth' : spec.qop;
  const nc = spec.nc ?? '00000001';
  const cnonce = spec.cnonce ?? '0a4f113b';
  const response = digestResponse({
    algorithm,
    ha1: ha1(algorithm, user, realm, spec.password ?? 'secret'),
    method: spec.method ?? 'REGISTER',
    uri,
    nonce,
    qop,
    nc,
    cnonce,
    body: spec.body,
  });
  const header = spec.header ?? (challenge.status === 407 ? 'Proxy-Authorization' : 'Authorization');
  const qopPart = qop === null ? '' : `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"`;
  return `${header}: Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}${qopPart}`;
}

export function params(challenge: SipError, i = 0): Map<string, string> {
  return parseAuth(challenge.headers[i][1]).params;
}

/** The stores, clock and records of one test; replaced before each test by `useDigestHarness`. */
export const h = {} as {
  clock: FakeClock;
  users: MemoryUserStore;
  authState: MemoryAuthStateStore;
  nonces: NonceService;
  failures: DigestFailureReason[];
  sleeps: number[];
  successes: string[];
};

export async function addUser(user: string, password: string, domain = DOMAIN): Promise<void> {
  const now = h.clock.now();
  await h.users.put({
    user,
    domain,
    ha1Md5: ha1('MD5', user, domain, password),
    ha1Sha256: ha1('SHA-256', user, domain, password),
    createdAt: now,
    updatedAt: now,
  });
}

export function makeAuthenticator(overrides: Partial<DigestAuthenticatorOptions> = {}): RequestProcessor {
  return digestAuthenticator({
    identity: new LocalIdentity([DOMAIN, 'example.org'], [{ address: '192.0.2.1', port: 5060 }], []),
    users: h.users,
    authState: h.authState,
    nonces: h.nonces,
    clock: h.clock,
    sleep: async (ms) => {
      h.sleeps.push(ms);
    },
    onFailure: (reason) => h.failures.push(reason),
    onSuccess: (user, algorithm) => h.successes.push(`${user.aor} ${algorithm}`),
    ...overrides,
  });
}

/** Runs the processor as the server would: a thrown SipError is the answer. */
export async function send(auth: RequestProcessor, req: SipRequest, source = SOURCE): Promise<{ ctx: TestContext; verdict?: string; error?: SipError }> {
  const ctx = new TestContext(req, source);
  try {
    return { ctx, verdict: await auth.process(ctx) };
  } catch (e) {
    if (e instanceof SipError) return { ctx, error: e };
    throw e;
  }
}

/** Sends `spec` without credentials and returns the challenge. */
export async function challengeFor(auth: RequestProcessor, spec: RequestSpec = {}): Promise<SipError> {
  const { error } = await send(auth, request(spec));
  expect(error?.code).toBe('SIP_ERR_AUTH_CHALLENGE');
  return error!;
}

/** Before each test: fresh stores, clock and records, and the account alice / secret. */
export function useDigestHarness(): void {
  beforeEach(async () => {
    h.clock = new FakeClock();
    h.users = new MemoryUserStore();
    h.authState = new MemoryAuthStateStore();
    h.nonces = new NonceService('a-test-secret-of-plenty-of-bytes', { lifetimeMs: 300_000 });
    h.failures = [];
    h.sleeps = [];
    h.successes = [];
    await addUser('alice', 'secret');
  });
  afterEach(() => h.authState.close());
}
