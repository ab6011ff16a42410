import { parseMessage } from '@herald/sip';
import { UdpClient, requestText } from '@herald/test-kit';
import { eventually } from './helpers/eventually.js';
import { UdpAgent } from './helpers/udp-agent.js';

/**
 * The scripted agent answers like a UAS's server transaction: a NOTIFY that Herald sends
 * again because the answer was late (Timer E) is answered again, not taken for a new one.
 * Sent by hand here, so that the retransmission is there however fast the machine is.
 */
describe('RFC 3261 §17.2.2 the scripted agent absorbs retransmissions', () => {
  let notifier: UdpClient;
  let agent: UdpAgent;

  beforeEach(async () => {
    notifier = await UdpClient.bind();
    agent = await UdpAgent.start(notifier.port);
  });
  afterEach(async () => {
    await agent.close();
    await notifier.close();
  });

  function notify(cseq: number, branch: string): Promise<void> {
    const text = requestText({ method: 'NOTIFY', uri: agent.contact.slice(1, -1), cseq, branch, callId: 'dialog', sentBy: `127.0.0.1:${notifier.port}`, headers: ['Event: presence'] });
    return notifier.send(text, agent.client.port);
  }

  it('returns each NOTIFY once, and answers its retransmission again with the same status', async () => {
    await notify(1, 'z9hG4bK-first');
    await notify(1, 'z9hG4bK-first');
    await notify(2, 'z9hG4bK-second');
    await eventually(() => agent.client.datagrams.length, (n) => n === 3);

    const first = await agent.request(481);
    const second = await agent.request();
    expect([first.cseq.seq, second.cseq.seq]).toEqual([1, 2]);
    const answers = await Promise.all([1, 2, 3].map(async () => parseMessage(await notifier.datagrams.next(), { datagram: true })));
    expect(answers.map((a) => (a.isRequest() ? a.method : `${a.status} ${a.cseq.seq}`))).toEqual(['481 1', '481 1', '200 2']);
  });
});
