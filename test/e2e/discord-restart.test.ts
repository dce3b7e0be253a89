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
import { userText } from '../../src/user-text.ts';
import { startFakeDiscord } from '../fakes/discord/index.ts';
import { botMessages } from '../fakes/discord/read.ts';
import { startFakeUpstream } from '../fakes/upstream.ts';
import { answerInProgressRecorded, spawnBot } from '../support/bot-process.ts';

test('an answer cut by a crash is marked as interrupted when the bot starts again', async () => {
  const discord = await startFakeDiscord();
  const upstream = await startFakeUpstream();
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-restart-')), 'bot.sqlite');
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: 'test-key',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    STORE_URL: `sqlite://${storeFile}`,
    INSTANCE_ID: 'restart-test',
    LOG_LEVEL: 'silent',
  };
  upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half of the answer"}}]}\n\n'] });
  const crashing = spawnBot(env);
  try {
    await discord.waitForReady();
    const question = discord.sendMessage({ content: `<@${discord.world.bot.id}> tell me everything` });
    const thread = await discord.waitUntil(() => discord.threads().find((t) => t.id === question.id));
    await discord.waitUntil(() => botMessages(discord, thread.id).find((m) => m.content.includes('Half of the answer')));
    await answerInProgressRecorded(storeFile, 'restart-test');
    crashing.kill('SIGKILL');
    await once(crashing, 'exit');
    expect(botMessages(discord, thread.id)[0]?.components).not.toEqual([]);

    const restarted = await startBot({ env, logger: pino({ level: 'silent' }) });
    try {
      const [message] = await discord.waitUntil(() => {
        const mine = botMessages(discord, thread.id);
        return mine[0]?.content.endsWith(userText.interrupted) ? mine : undefined;
      });
      expect(message?.content).toBe(`Half of the answer\n\n${userText.interrupted}`);
      expect(message?.components).toEqual([]);
    } finally {
      await restarted.stop(0);
    }
  } finally {
    crashing.kill('SIGKILL');
    await Promise.allSettled([discord.close(), upstream.close()]);
  }
});

test('an /ask answer cut by a crash is marked too, by a channel edit: its interaction token has expired by then', async () => {
  const discord = await startFakeDiscord();
  const upstream = await startFakeUpstream();
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-restart-')), 'bot.sqlite');
  const env = {
    LLM_API_BASE: upstream.url,
    LLM_API_KEY: 'test-key',
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    STORE_URL: `sqlite://${storeFile}`,
    INSTANCE_ID: 'restart-ask-test',
    LOG_LEVEL: 'silent',
  };
  upstream.script({ type: 'hang', pieces: ['data: {"choices":[{"delta":{"content":"Half of the answer"}}]}\n\n'] });
  const crashing = spawnBot(env);
  try {
    await discord.waitForReady();
    const command = discord.runCommand({ name: 'ask', options: [{ name: 'prompt', type: 3, value: 'tell me everything' }] });
    const answer = await discord.waitUntil(() => {
      const id = command.originalMessageId;
      const message = id ? discord.world.messages.get(id) : undefined;
      return message?.content.includes('Half of the answer') ? message : undefined;
    });
    await answerInProgressRecorded(storeFile, 'restart-ask-test');
    crashing.kill('SIGKILL');
    await once(crashing, 'exit');

    const restarted = await startBot({ env, logger: pino({ level: 'silent' }) });
    try {
      await discord.waitUntil(() => discord.world.messages.get(answer.id)?.content.endsWith(userText.interrupted));
      expect(discord.world.messages.get(answer.id)?.content).toBe(`Half of the answer\n\n${userText.interrupted}`);
      expect(discord.world.messages.get(answer.id)?.components).toEqual([]);
      // Through the bot's own REST, by channel and message id: no interaction token involved.
      expect(discord.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/channels/${answer.channel_id}/messages/${answer.id}`))).toBe(true);
    } finally {
      await restarted.stop(0);
    }
  } finally {
    crashing.kill('SIGKILL');
    await Promise.allSettled([discord.close(), upstream.close()]);
  }
});
