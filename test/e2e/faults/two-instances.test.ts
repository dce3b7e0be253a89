/**
 * Two bot instances behind one Slack app, sharing one Redis: Slack may deliver
 * the same event to both (a retry landing on the other instance), and two
 * messages of one thread may land on different instances at once. Exactly one
 * answer per message, and a thread's turns one after the other.
 */
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { startBot, type RunningBot } from '../../../src/main.ts';
import { createRedisClient } from '../../../src/store/redis-client.ts';
import { answerMessages, blockAction, CHANNEL, finalAnswer, isLive, mentionEvent, messageEvent, SIGNING_SECRET } from '../../fakes/slack/harness.ts';
import { slackSender, type SlackSender } from '../../fakes/slack/sender.ts';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/server.ts';
import { startFakeUpstream, type FakeUpstream } from '../../fakes/upstream.ts';
import { describeRedis, startRedisServer, type RedisServer } from '../../support/redis-server.ts';
import { startUpstreamProxy, type UpstreamProxy } from '../../support/upstream-proxy.ts';
import { textOf } from '../../fakes/discord/read.ts';
import { freePort } from '../../support/free-port.ts';


/** A logger whose lines a test can wait for (by their fixed message). */
function recordingLogger(): { logger: Logger; logged(msg: string): Promise<void> } {
  const seen: string[] = [];
  const waiters: { msg: string; resolve: () => void }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const { msg } = JSON.parse(line) as { msg: string };
        seen.push(msg);
        for (const w of waiters.filter((w) => w.msg === msg)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      },
    },
  );
  return { logger, logged: (msg) => (seen.includes(msg) ? Promise.resolve() : new Promise((resolve) => waiters.push({ msg, resolve }))) };
}

interface Instance {
  readonly bot: RunningBot;
  readonly sender: SlackSender;
}

describeRedis('two instances on one Redis', () => {
  let redis: RedisServer;
  let slack: FakeSlack;
  let upstream: FakeUpstream;
  let proxy: UpstreamProxy;
  let instances: Instance[] = [];
  let logs: ReturnType<typeof recordingLogger>;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    await Promise.allSettled(instances.map((i) => i.bot.stop(0)));
    instances = [];
    await Promise.allSettled([slack.close(), upstream.close(), proxy.close()]);
  });

  async function startInstances(): Promise<[Instance, Instance]> {
    slack = await startFakeSlack();
    upstream = await startFakeUpstream();
    proxy = await startUpstreamProxy({ path: '/v1/gemini', target: new URL(upstream.url).origin });
    logs = recordingLogger();
    for (const name of ['one', 'two']) {
      const port = await freePort();
      const bot = await startBot({
        env: {
          LLM_API_BASE: proxy.url,
          LLM_API_KEY: 'sk-test',
          SLACK_BOT_TOKEN: 'xoxb-test',
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          SLACK_API_URL: slack.apiUrl,
          SLACK_STREAMING: 'update',
          // Plain threads with our Stop button (an agent session would show Slack's instead).
          SLACK_AI_EXPERIENCE: 'off',
          PORT: String(port),
          STORE_URL: redis.url,
          INSTANCE_ID: `instance-${name}`,
        },
        logger: logs.logger.child({ instance: name }),
      });
      const sender = slackSender({ url: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, teamId: slack.teamId, botUserId: slack.botUserId });
      instances.push({ bot, sender });
    }
    return [instances[0]!, instances[1]!];
  }

  const drained = () => Promise.all(instances.map((i) => i.bot.core.drain(60_000)));

  test('the same event delivered to both instances is answered exactly once', async () => {
    const [one, two] = await startInstances();
    const event = mentionEvent('who answers this?');
    await Promise.all([one.sender.event(event, { eventId: 'EvTWICE' }), two.sender.event(event, { eventId: 'EvTWICE', retryNum: 1 })]);
    await finalAnswer(slack, event.ts);
    await logs.logged('duplicate delivery ignored');
    await drained();
    expect(upstream.requests).toHaveLength(1);
    expect(answerMessages(slack, event.ts)).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  test('two messages of one thread arriving at the two instances at once are answered in order, the second knowing the first', async () => {
    const [one, two] = await startInstances();
    upstream.script(
      { type: 'answer', text: 'Answer zero.' },
      { type: 'answer', text: 'Answer one, which takes a while.', chunkSize: 8 },
      { type: 'answer', text: 'Answer two.' },
    );
    const start = mentionEvent('question zero');
    await one.sender.event(start, { eventId: 'EvZERO' });
    await finalAnswer(slack, start.ts);
    await drained();

    // Question one streams on instance one, held mid-answer...
    proxy.holdNext();
    await one.sender.event(messageEvent('question one', { threadTs: start.ts }), { eventId: 'EvONE' });
    await slack.waitForCall(() => answerMessages(slack, start.ts).length === 2);
    // ...while question two reaches instance two and queues for the thread's turn in Redis.
    // (Each sender counts event ids from 1; Slack's are unique, so name them.)
    await two.sender.event(messageEvent('question two', { threadTs: start.ts }), { eventId: 'EvTWO' });
    const conversationId = `slack:${slack.teamId}:${CHANNEL}:${start.ts}`;
    const redisClient = createRedisClient(redis.url);
    await redisClient.connect();
    try {
      await vi.waitFor(async () => expect(await redisClient.zCard(`lock::turn:${conversationId}::queue`)).toBe(1), { timeout: 10_000, interval: 20 });
    } finally {
      redisClient.destroy();
    }
    expect(upstream.requests).toHaveLength(2);

    proxy.release();
    await finalAnswer(slack, start.ts, { nth: 3 });
    await drained();
    expect(answerMessages(slack, start.ts).map((m) => m.text)).toEqual(['Answer zero.', 'Answer one, which takes a while.', 'Answer two.']);
    expect(upstream.requests[2]?.body.messages.slice(1).map((m) => ({ role: m.role, text: textOf(m.content) }))).toEqual([
      { role: 'user', text: 'question zero' },
      { role: 'assistant', text: 'Answer zero.' },
      { role: 'user', text: 'question one' },
      { role: 'assistant', text: 'Answer one, which takes a while.' },
      { role: 'user', text: 'question two' },
    ]);
  });

  test('Stop pressed on the instance that is not streaming the answer still stops it', async () => {
    const [one, two] = await startInstances();
    upstream.script({ type: 'answer', text: 'Counting: one, two, three, four, five, six.', chunkSize: 8 });
    proxy.holdNext();
    const event = mentionEvent('count for me');
    await one.sender.event(event, { eventId: 'EvCOUNT' });
    await slack.waitForCall(() => slack.thread(CHANNEL, event.ts).some((m) => isLive(m) && m.text.includes('Counting')));
    const live = slack.thread(CHANNEL, event.ts).find(isLive);
    if (!live) throw new Error('no live answer');
    const elements = (live.blocks ?? []).flatMap((b) => (b as { elements?: { action_id: string; value?: string }[] }).elements ?? []);
    const turnId = elements.find((e) => e.action_id === 'stop')?.value ?? '';

    await two.sender.interaction(blockAction(slack, live, { type: 'button', action_id: 'stop', block_id: 'answer_live', value: turnId }));
    const text = await finalAnswer(slack, event.ts);
    expect(text).toContain('Counting');
    expect(text).toContain('Stopped');
    proxy.release();
  });
});
