import type { Subscription } from '@herald/store';

/** The presence event package. @see RFC 3856 §6.1 */
export const PRESENCE_EVENT = 'presence';

/** The watcher information template package applied to presence. @see RFC 3857 §4.1 */
export const WINFO_EVENT = 'presence.winfo';

/** A NOTIFY's body and its type. */
export interface NotifyContent {
  contentType: string;
  body: string;
  /** The body's bytes, encoded once and shared by every NOTIFY that carries this content. */
  bytes?: Buffer;
}

/** What a package's NOTIFYs carry, for the subscriptions to one resource at one moment. */
export type NotifyBody = (sub: Subscription) => NotifyContent | null;

/**
 * An event package: the state of a resource, rendered for each of its watchers. The
 * notifier sends what packages render; packages know nothing of the notifier.
 * @see RFC 6665 §4.4, §5.4
 */
export interface EventPackage {
  /** The Event header's package name (`presence`). */
  readonly event: string;
  /** The body every NOTIFY about `resource` carries now; read once per fan-out. */
  body(resource: string, now: number): Promise<NotifyBody>;
}
