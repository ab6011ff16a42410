import { randomUUID } from 'node:crypto';
import './node-websocket.js';
import { Inbox } from '@herald/test-kit';
import { type Invitation, Inviter, type Message, Messager, Publisher, PublisherState, Registerer, RegistererState, type SessionDescriptionHandler, SessionState, Subscriber, UserAgent } from 'sip.js';

export interface SipJsPhone {
  ua: UserAgent;
  registerer: Registerer;
  /** Presence subscriptions `sipJsWatch` made, ended by `stop`. */
  subscribers: Subscriber[];
  stop(): Promise<void>;
}

/** A SIP.js user agent connected over WebSocket, as a browser softphone is. */
export async function sipJsPhone(
  server: string,
  aor: string,
  password: string,
  options: { userAgentString?: string; outbound?: boolean; onInvite?: (invitation: Invitation) => void; onMessage?: (message: Message) => void } = {},
): Promise<SipJsPhone> {
  const { userAgentString, outbound = false, onInvite, onMessage } = options;
  const uri = UserAgent.makeURI(aor);
  if (!uri) throw new Error(`bad AoR ${aor}`);
  const ua = new UserAgent({
    uri,
    transportOptions: { server, traceSip: false },
    authorizationUsername: uri.user,
    authorizationPassword: password,
    logLevel: 'error',
    logBuiltinEnabled: false,
    sessionDescriptionHandlerFactory: signallingOnly,
    delegate: { ...(onInvite && { onInvite }), ...(onMessage && { onMessage }) },
    ...(userAgentString !== undefined && { userAgentString }),
  });
  await ua.start();
  // RFC 5626: an instance id and reg-id, as SIP.js sends them when asked to.
  const registerer = new Registerer(ua, { expires: 300, ...(outbound && { instanceId: randomUUID(), regId: 1 }) });
  const subscribers: Subscriber[] = [];
  return {
    ua,
    registerer,
    subscribers,
    async stop() {
      // SIP.js 0.21's UserAgent.stop waits for a terminated subscription dialog to report it
      // ended, which a terminated NOTIFY never makes it do; unsubscribe() does not wait.
      for (const s of subscribers) await s.unsubscribe();
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

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

/** SIP.js needs WebRTC for media; in Node a call carries a fixed SDP, since these tests are about signalling. */
function signallingOnly(): SessionDescriptionHandler {
  return {
    close() {},
    getDescription: () => Promise.resolve({ body: SDP, contentType: 'application/sdp' }),
    hasDescription: (contentType) => contentType === 'application/sdp',
    setDescription: () => Promise.resolve(),
    sendDtmf: () => false,
  };
}

/** Resolves when `session` reaches `state`, rejects when it terminates first. */
export function sessionReaches(session: Inviter | Invitation, state: SessionState): Promise<void> {
  return new Promise((resolve, reject) => {
    if (session.state === state) return resolve();
    session.stateChange.addListener((s) => {
      if (s === state) resolve();
      else if (s === SessionState.Terminated) reject(new Error(`session ended before it was ${state}`));
    });
  });
}

/** Calls `target` from `phone`; resolves once the call is answered. */
export async function sipJsCall(phone: SipJsPhone, target: string): Promise<Inviter> {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad target ${target}`);
  const inviter = new Inviter(phone.ua, uri);
  const established = sessionReaches(inviter, SessionState.Established);
  await inviter.invite();
  await established;
  return inviter;
}

/** Sends a MESSAGE from `phone` to `target`; resolves with the final status SIP.js saw. */
export function sipJsMessage(phone: SipJsPhone, target: string, body: string): Promise<number> {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad target ${target}`);
  return new Promise((resolve, reject) => {
    new Messager(phone.ua, uri, body)
      .message({
        requestDelegate: {
          onAccept: (r) => resolve(r.message.statusCode ?? 0),
          onReject: (r) => resolve(r.message.statusCode ?? 0),
        },
      })
      .catch(reject);
  });
}

/** A SIP.js presence subscription: the bodies of the NOTIFYs it accepted, in order. */
export interface SipJsWatcher {
  subscriber: Subscriber;
  notifies: Inbox<string>;
}

/** Subscribes `phone` to `target`'s presence; NOTIFY bodies arrive in `notifies`. */
export async function sipJsWatch(phone: SipJsPhone, target: string): Promise<SipJsWatcher> {
  const uri = UserAgent.makeURI(target);
  if (!uri) throw new Error(`bad target ${target}`);
  const notifies = new Inbox<string>();
  const subscriber = new Subscriber(phone.ua, uri, 'presence', { expires: 600 });
  subscriber.delegate = {
    onNotify: (notification) => {
      void notification.accept();
      notifies.push(notification.request.body ?? '');
    },
  };
  await subscriber.subscribe();
  phone.subscribers.push(subscriber);
  return { subscriber, notifies };
}

/** Publishes `body` (PIDF) with `publisher`; resolves with the state SIP.js moved to (Published once the 200 came). */
export function sipJsPublish(publisher: Publisher, body: string): Promise<PublisherState> {
  return new Promise((resolve, reject) => {
    const listener = (state: PublisherState) => {
      publisher.stateChange.removeListener(listener);
      resolve(state);
    };
    publisher.stateChange.addListener(listener);
    publisher.publish(body).catch(reject);
  });
}

/** A Publisher of `phone`'s presence, as a softphone's status menu has one. */
export function sipJsPublisher(phone: SipJsPhone): Publisher {
  return new Publisher(phone.ua, phone.ua.configuration.uri, 'presence', { expires: 600, contentType: 'application/pidf+xml' });
}
