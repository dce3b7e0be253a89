/**
 * A crash mid-answer (SIGKILL, no graceful shutdown) must not leave a message
 * growing for ever: the next start marks it as interrupted.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { startBot } from '../../src/main.ts';
import { userTextIn } from '../../src/user-text.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord/index.ts';
import { botMessages } from '../fakes/discord/read.ts';
import { startFakeUpstream } from '../fakes/upstream.ts';
import { answerInProgressRecorded, spawnBot } from '../support/bot-process.ts';

const userText = userTextIn('en');

/**
 * Runs the bot as its own process until `cut` has an answer streaming ("Half of the answer",
 * then the provider hangs), kills it (SIGKILL), starts it again in this process and runs `check`.
 */
async function crashAndRestart(instanceId: string, cut: (discord: FakeDiscord) => Promise<void>, check: (discord: FakeDiscord) => Promise<void>) {
  const discord = await startFakeDiscord();
  const upstream = await startFakeUpstream();
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-restart-')), 'bot.sqlite');
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: 'test-key',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    STORE_URL: `sqlite://${storeFile}`,
    INSTANCE_ID: instanceId,
    LOG_LEVEL: 'silent',
  };
  upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half of the answer"}}]}\n\n'] });
  const crashing = spawnBot(env);
  try {
    await discord.waitForReady();
    await cut(discord);
    await answerInProgressRecorded(storeFile, instanceId);
    crashing.kill('SIGKILL');
    await once(crashing, 'exit');
    const restarted = await startBot({ env, logger: pino({ level: 'silent' }) });
    try {
      await check(discord);
    } finally {
      await restarted.stop(0);
    }
  } finally {
    crashing.kill('SIGKILL');
    await Promise.allSettled([discord.close(), upstream.close()]);
  }
}

test('an answer cut by a crash is marked as interrupted when the bot starts again', async () => {
  let threadId = '';
  await crashAndRestart(
    'restart-test',
    async (discord) => {
      const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> tell me everything` });
      threadId = (await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id))).id;
      await discord.waitUntil(() => botMessages(discord, threadId).find((m) => m.content.includes('Half of the answer')));
      expect(botMessages(discord, threadId)[0]?.components).not.toEqual([]);
    },
    async (discord) => {
      const [message] = await discord.waitUntil(() => {
        const mine = botMessages(discord, threadId);
        return mine[0]?.content.endsWith(userText.interrupted) ? mine : undefined;
      });
      expect(message?.content).toBe(`Half of the answer\n\n${userText.interrupted}`);
      expect(message?.components).toEqual([]);
    },
  );
});

test('an /ask answer cut by a crash is marked too, by a channel edit: its interaction token has expired by then', async () => {
  let answer = { id: '', channelId: '' };
  await crashAndRestart(
    'restart-ask-test',
    async (discord) => {
      const command = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'tell me everything' }] });
      const message = await discord.waitUntil(() => {
        const found = command.originalMessageId ? discord.world.messages.get(command.originalMessageId) : undefined;
        return found?.content.includes('Half of the answer') ? found : undefined;
      });
      answer = { id: message.id, channelId: message.channel_id };
    },
    async (discord) => {
      await discord.waitUntil(() => discord.world.messages.get(answer.id)?.content.endsWith(userText.interrupted));
      expect(discord.world.messages.get(answer.id)?.content).toBe(`Half of the answer\n\n${userText.interrupted}`);
      expect(discord.world.messages.get(answer.id)?.components).toEqual([]);
      // Through the bot's own REST, by channel and message id: no interaction token involved.
      expect(discord.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/channels/${answer.channelId}/messages/${answer.id}`))).toBe(true);
    },
  );
});
