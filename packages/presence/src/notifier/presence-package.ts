import type { LocationStore, PresenceRuleStore, PublicationStore, Subscription } from '@herald/store';
import { type EventPackage, type NotifyBody, PRESENCE_EVENT } from '../event-package.js';
import { type ComposedPresence, basicPresence, composePresence } from '../pidf/compose-presence.js';
import { InvalidPidf, type PidfDocument, parsePidf } from '../pidf/pidf-document.js';
import { PIDF, type PresenceFormat, renderPresence } from '../pidf/presence-formats.js';
import type { PresencePolicy } from '../authorization/presence-policy.js';

/** Documents of presentities shown from registration (or closed) kept written; the oldest goes first. */
const MAX_BASIC_DOCUMENTS = 10_000;

export interface PresencePackageOptions {
  publications: PublicationStore;
  locations: Pick<LocationStore, 'get'>;
  rules: Pick<PresenceRuleStore, 'isInvisible'>;
  policy: Pick<PresencePolicy, 'fromRegistration'>;
  /** The presentity is shown `open` from bindings; the last of them expires at `lastExpiresAt`. */
  openFromRegistration?(aor: string, lastExpiresAt: number): void;
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
}

/**
 * The presence event package: the state of a presentity composed from its publications,
 * or from its registration when it publishes nothing, written in the format each watcher
 * accepts. An invisible presentity is `closed` to everyone.
 * @see RFC 3856 §6.8, §6.9
 */
export class PresencePackage implements EventPackage {
  readonly event = PRESENCE_EVENT;
  /**
   * Most presentities publish nothing, and each NOTIFY about one of them carries one of two
   * documents per format (open or closed): written once, not through the XML builder each time.
   */
  private readonly basicDocuments = new Map<string, string>();

  constructor(private readonly options: PresencePackageOptions) {}

  async body(resource: string, now: number): Promise<NotifyBody> {
    const presence = await this.state(resource, now);
    const rendered = new Map<PresenceFormat, string>();
    let closed: ComposedPresence | null = null;
    return (sub: Subscription) => {
      // RFC 3857 §3.2: a pending watcher learns nothing of the presentity yet.
      if (sub.status === 'pending') return null;
      if (sub.data.polite === true) {
        closed ??= basicPresence(resource, false);
        return { contentType: formatOf(sub), body: this.render(closed, formatOf(sub)) };
      }
      const format = formatOf(sub);
      let body = rendered.get(format);
      if (body === undefined) rendered.set(format, (body = this.render(presence, format)));
      return { contentType: format, body };
    };
  }

  /** What watchers of `resource` see at `now`. */
  async state(resource: string, now: number): Promise<ComposedPresence> {
    const { publications, locations, rules, policy } = this.options;
    if (await rules.isInvisible(resource)) return basicPresence(resource, false);
    const published = await publications.list(resource, PRESENCE_EVENT, now);
    const documents = published.map((p) => this.parsed(p.body, resource)).filter((d): d is PidfDocument => d !== null);
    if (documents.length > 0) return composePresence(resource, documents);
    if (!policy.fromRegistration) return basicPresence(resource, false);
    const { bindings } = await locations.get(resource, now);
    if (bindings.length > 0) this.options.openFromRegistration?.(resource, Math.max(...bindings.map((b) => b.expiresAt)));
    return basicPresence(resource, bindings.length > 0);
  }

  private render(presence: ComposedPresence, format: PresenceFormat): string {
    if (presence.basic !== true) return renderPresence(presence, format);
    const key = `${format}\n${presence.open}\n${presence.entity}`;
    let body = this.basicDocuments.get(key);
    if (body === undefined) {
      if (this.basicDocuments.size >= MAX_BASIC_DOCUMENTS) this.basicDocuments.delete(this.basicDocuments.keys().next().value as string);
      this.basicDocuments.set(key, (body = renderPresence(presence, format)));
    }
    return body;
  }

  /** A stored publication was checked when published; one that no longer parses is left out, not fatal. */
  private parsed(body: string, resource: string): PidfDocument | null {
    try {
      return parsePidf(body);
    } catch (error) {
      if (!(error instanceof InvalidPidf)) throw error;
      this.options.logger?.warn('presence: a stored publication does not parse', { resource, error: error.message });
      return null;
    }
  }
}

function formatOf(sub: Subscription): PresenceFormat {
  return (sub.data.format as PresenceFormat | undefined) ?? PIDF;
}
