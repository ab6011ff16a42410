import type { MessageCap, MessageCaps, NewStoredMessage, StoredMessage } from './message-store.js';

/**
 * The cap a new message would pass among its recipient's `live` messages: all of them,
 * those of its sender, those of its sender's foreign domain; `null` when it fits. What the
 * embedded and memory stores count (Redis counts the same in its script).
 */
export function capReached(message: Pick<NewStoredMessage, 'sender'>, live: ReadonlyArray<Pick<StoredMessage, 'sender'>>, caps: MessageCaps): MessageCap | null {
  if (live.length >= caps.perRecipient) return 'recipient';
  const sender = message.sender;
  if (sender === undefined) return null;
  if (live.filter((m) => m.sender?.aor === sender.aor).length >= caps.perSender) return 'sender';
  const domain = sender.foreignDomain;
  if (domain !== null && live.filter((m) => m.sender?.foreignDomain === domain).length >= caps.perForeignDomain) return 'foreign-domain';
  return null;
}
