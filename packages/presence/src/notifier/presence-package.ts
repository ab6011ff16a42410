import type { LocationStore, PresenceRuleStore, PublicationStore, Subscription } from '@herald/store';
import { type EventPackage, type NotifyBody, type NotifyContent, PRESENCE_EVENT } from '../event-package.js';
import { type ComposedPresence, basicPresence, composePresence } from '../pidf/compose-presence.js';
import { InvalidPidf, type PidfDocument } from '../pidf/pidf-document.js';
import { parsePidfOnce } from '../pidf/parsed-pidf.js';
import { PIDF, type PresenceFormat, renderPresence } from '../pidf/presence-formats.js';
import type { PresencePolicy } from '../authorization/presence-policy.js';
import { presentedEntity } from '../subscriptions/present-to-watcher.js';

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
   * documents per format (open or closed): written and encoded once, not through the XML
   * builder each time.
   */
  private readonly basicContents = new Map<string, NotifyContent>();

  constructor(private readonly options: PresencePackageOptions) {}

  async body(resource: string, now: number): Promise<NotifyBody> {
    const presence = await this.state(resource, now);
    // One content per format and entity for the whole fan-out: every watcher with the same view shares its bytes.
    let rendered: Map<string, NotifyContent> | null = null;
    return (sub: Subscription) => {
      // RFC 3857 §3.2: a pending watcher learns nothing of the presentity yet.
      if (sub.status === 'pending') return null;
      const format = formatOf(sub);
      // ID conversion: a watcher in a convertIds community knows the presentity by its external form.
      const entity = presentedEntity(sub);
      if (sub.data.polite === true) return this.basicContent(entity ?? resource, false, format);
      if (presence.basic === true) return this.basicContent(entity ?? presence.entity, presence.open, format);
      const key = entity === null ? format : `${format}\n${entity}`;
      let content = (rendered ??= new Map()).get(key);
      if (content === undefined) {
        const body = renderPresence(entity === null ? presence : { ...presence, entity }, format);
        rendered.set(key, (content = { contentType: format, body, bytes: Buffer.from(body, 'utf8') }));
      }
      return content;
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

  /** The document of a presentity shown `open` or closed, under `entity`, in `format`. */
  private basicContent(entity: string, open: boolean, format: PresenceFormat): NotifyContent {
    const key = `${format}\n${open}\n${entity}`;
    let content = this.basicContents.get(key);
    if (content === undefined) {
      if (this.basicContents.size >= MAX_BASIC_DOCUMENTS) this.basicContents.delete(this.basicContents.keys().next().value as string);
      const body = renderPresence(basicPresence(entity, open), format);
      this.basicContents.set(key, (content = { contentType: format, body, bytes: Buffer.from(body, 'utf8') }));
    }
    return content;
  }

  /** A stored publication was checked when published; one that no longer parses is left out, not fatal. */
  private parsed(body: string, resource: string): PidfDocument | null {
    try {
      return parsePidfOnce(body);
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
