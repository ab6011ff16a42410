import './node-websocket.js';
import JsSIP from 'jssip';
import type { UA } from 'jssip/lib/UA.js';

/** A JsSIP user agent over WebSocket, as a browser softphone built on JsSIP is; not yet registered. */
export class JsSipPhone {
  private constructor(readonly ua: UA) {}

  /** Starts a UA for `aor` with `password` (JsSIP's defaults otherwise) and resolves once its WebSocket is open. */
  static async connect(server: string, aor: string, password: string): Promise<JsSipPhone> {
    const ua = new JsSIP.UA({ sockets: [new JsSIP.WebSocketInterface(server)], uri: aor, password, register: false });
    const connected = new Promise<void>((resolve, reject) => {
      ua.once('connected', () => resolve());
      ua.once('disconnected', () => reject(new Error(`JsSIP could not connect to ${server}`)));
    });
    ua.start();
    await connected;
    return new JsSipPhone(ua);
  }

  /** REGISTERs and resolves with the final status JsSIP saw. */
  register(): Promise<number> {
    return new Promise((resolve) => {
      this.ua.once('registered', (e) => resolve(e.response.status_code));
      this.ua.once('registrationFailed', (e) => resolve(e.response?.status_code ?? 0));
      this.ua.register();
    });
  }

  /** Sends a text MESSAGE to `target` and resolves with the final status JsSIP saw. */
  message(target: string, body: string): Promise<number> {
    return new Promise((resolve) => {
      this.ua.sendMessage(target, body, {
        eventHandlers: {
          succeeded: (e) => resolve(e.response.status_code),
          failed: (e) => resolve(e.response?.status_code ?? 0),
        },
      });
    });
  }

  /**
   * Unregisters (when registered) and stops; resolves once the WebSocket is closed, which JsSIP
   * delays until its last transactions end.
   */
  async stop(): Promise<void> {
    if (this.ua.isRegistered()) {
      const gone = new Promise<void>((resolve) => this.ua.once('unregistered', () => resolve()));
      this.ua.unregister();
      await gone;
    }
    const closed = new Promise<void>((resolve) => this.ua.once('disconnected', () => resolve()));
    this.ua.stop();
    await closed;
  }
}
