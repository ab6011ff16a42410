import { MemoryMessageBus } from '@herald/store';
import { answerSurveys, survey } from './bus-survey.js';

const read = (payload: Buffer): { n: number } | null => {
  const value = JSON.parse(payload.toString('utf8')) as { n?: unknown };
  return typeof value.n === 'number' ? { n: value.n } : null;
};

describe('a survey of the workers over the bus', () => {
  let bus: MemoryMessageBus;
  const failures: unknown[] = [];
  beforeEach(() => {
    bus = new MemoryMessageBus();
    failures.length = 0;
  });

  it('gathers the answer of every subscriber, and is done as soon as all have answered', async () => {
    for (const n of [1, 2, 3]) await answerSurveys(bus, 'test:survey', () => ({ n }), (e) => failures.push(e));
    const { answers, asked } = await survey(bus, 'test:survey', read, 60_000);
    expect(asked).toBe(3);
    expect(answers.map((a) => a.n).sort()).toEqual([1, 2, 3]);
    expect(failures).toEqual([]);
  });

  it('asks nobody, and waits for nobody, when no worker listens', async () => {
    await expect(survey(bus, 'test:survey', read, 60_000)).resolves.toEqual({ answers: [], asked: 0 });
  });

  it('gives up on a subscriber that does not answer at the deadline, with the answers that came', async () => {
    await answerSurveys(bus, 'test:survey', () => ({ n: 1 }), (e) => failures.push(e));
    await bus.subscribe('test:survey', () => undefined);
    const { answers, asked } = await survey(bus, 'test:survey', read, 100);
    expect([answers, asked]).toEqual([[{ n: 1 }], 2]);
  });

  it('does not count an answer it cannot read', async () => {
    await answerSurveys(bus, 'test:survey', () => ({ n: 'one' }), (e) => failures.push(e));
    await answerSurveys(bus, 'test:survey', () => ({ n: 2 }), (e) => failures.push(e));
    const { answers, asked } = await survey(bus, 'test:survey', read, 100);
    expect([answers, asked]).toEqual([[{ n: 2 }], 2]);
  });

  it('answers only on a reply channel of the survey channel, so a request cannot make workers publish elsewhere', async () => {
    await answerSurveys(bus, 'test:survey', () => ({ n: 1 }), (e) => failures.push(e));
    const elsewhere: Buffer[] = [];
    await bus.subscribe('presence:decisions', (p) => elsewhere.push(p));
    const beside: Buffer[] = [];
    await bus.subscribe('test:surveyx:reply:1', (p) => beside.push(p));
    for (const text of ['{"replyTo":"presence:decisions"}', '{"replyTo":"test:surveyx:reply:1"}', 'not json', '{"replyTo":7}']) {
      await bus.publish('test:survey', Buffer.from(text));
    }
    // An honest survey after them is answered: the ones before were dropped, not queued.
    expect((await survey(bus, 'test:survey', read, 60_000)).answers).toEqual([{ n: 1 }]);
    expect([elsewhere, beside, failures]).toEqual([[], [], []]);
  });

  it('tells onError when an answer cannot be sent', async () => {
    await answerSurveys(bus, 'test:survey', () => ({ n: 1 }), (e) => failures.push(e));
    const publish = bus.publish.bind(bus);
    bus.publish = (channel, payload) => (channel.includes(':reply:') ? Promise.reject(new Error('bus down')) : publish(channel, payload));
    const { answers, asked } = await survey(bus, 'test:survey', read, 100);
    expect([answers, asked]).toEqual([[], 1]);
    expect(failures).toEqual([new Error('bus down')]);
  });
});
