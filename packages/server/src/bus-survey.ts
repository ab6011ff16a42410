import { randomHex } from '@herald/sip';
import type { MessageBus } from '@herald/store';

/** What a survey gathered: the answers, and how many subscribers were asked. */
export interface SurveyResult<T> {
  answers: T[];
  asked: number;
}

/**
 * Asks every subscriber of `channel` (each worker of each node that answers it) and gathers
 * their answers: the request names a reply channel of its own, `publish` says how many
 * subscribers got it, and the survey waits for that many answers or `timeoutMs`, whichever
 * comes first. Answers that `read` turns down (`null`) do not count.
 */
export async function survey<T>(bus: MessageBus, channel: string, read: (payload: Buffer) => T | null, timeoutMs: number): Promise<SurveyResult<T>> {
  const replyTo = `${channel}:reply:${randomHex(8)}`;
  const answers: T[] = [];
  let asked = Infinity;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  // Subscribed before asking: an answer may come before `publish` resolves.
  const unsubscribe = await bus.subscribe(replyTo, (payload) => {
    const answer = read(payload);
    if (answer === null) return;
    answers.push(answer);
    if (answers.length >= asked) finish();
  });
  try {
    asked = await bus.publish(channel, Buffer.from(JSON.stringify({ replyTo })));
    if (answers.length < asked) {
      const timer = setTimeout(finish, timeoutMs);
      await finished;
      clearTimeout(timer);
    }
  } finally {
    await unsubscribe();
  }
  return { answers: answers.slice(0, asked), asked };
}

/**
 * Answers every survey on `channel` with what `answer` gives, as JSON on the request's reply
 * channel. A reply channel that is not one of `channel`'s is ignored: a request cannot make
 * the workers publish elsewhere. A failure to answer goes to `onError`; the survey's
 * deadline covers the missing answer.
 */
export function answerSurveys(bus: MessageBus, channel: string, answer: () => unknown, onError: (error: unknown) => void): Promise<() => Promise<void>> {
  const reply = async (payload: Buffer): Promise<void> => {
    const replyTo = replyChannel(payload);
    if (replyTo === null || !replyTo.startsWith(`${channel}:reply:`)) return;
    await bus.publish(replyTo, Buffer.from(JSON.stringify(answer())));
  };
  return bus.subscribe(channel, (payload) => void reply(payload).catch(onError));
}

function replyChannel(payload: Buffer): string | null {
  try {
    const { replyTo } = JSON.parse(payload.toString('utf8')) as { replyTo?: unknown };
    return typeof replyTo === 'string' ? replyTo : null;
  } catch {
    return null;
  }
}

/**
 * A survey of the workers (each answer names its `worker`): the answers in the order of
 * their names, those that are not JSON objects `valid` accepts left out.
 */
export async function surveyWorkers<T extends { worker: string }>(
  bus: MessageBus,
  channel: string,
  valid: (answer: Partial<T>) => boolean,
  timeoutMs: number,
): Promise<{ reports: T[]; asked: number }> {
  const read = (payload: Buffer): T | null => {
    try {
      const answer = JSON.parse(payload.toString('utf8')) as Partial<T> | null;
      return typeof answer === 'object' && answer !== null && typeof answer.worker === 'string' && valid(answer) ? (answer as T) : null;
    } catch {
      return null;
    }
  };
  const { answers, asked } = await survey(bus, channel, read, timeoutMs);
  return { reports: answers.sort((a, b) => (a.worker < b.worker ? -1 : a.worker > b.worker ? 1 : 0)), asked };
}
