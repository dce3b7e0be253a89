/**
 * SIGTERM (a deploy, `docker stop`) while 20 answers stream: the bot process,
 * run as production runs it (`node src/main.ts`), lets them go on for its grace
 * period, then ends each with the visible "interrupted" marker and no Stop
 * button, stores each as interrupted with the text shown, and exits 0 by itself.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { HistoryStore } from '../../../src/history/store.ts';
import { openStore } from '../../../src/store/open-store.ts';
import { userTextIn } from '../../../src/user-text.ts';
import { startFakeDiscord } from '../../fakes/discord/index.ts';
import { botMessages, isLive } from '../../fakes/discord/read.ts';
import { startFakeUpstream } from '../../fakes/upstream.ts';
import { contentEvent } from './sse.ts';

const userText = userTextIn('en');

const TURNS = 20;

test(`SIGTERM during ${TURNS} streaming answers ends each visibly as interrupted, stores it so, and exits 0`, async () => {
  const discord = await startFakeDiscord();
  const upstream = await startFakeUpstream();
  const storeFile = join(mkdtempSync(join(tmpdir(), 'bot-sigterm-')), 'bot.sqlite');
  upstream.script(...Array.from({ length: TURNS }, (_, k) => ({ type: 'hang' as const, pieces: [contentEvent(`Part of answer ${k}.`)] })));
  const bot = spawn(process.execPath, ['src/main.ts'], {
    cwd: new URL('../../..', import.meta.url).pathname,
    env: {
      PATH: process.env.PATH ?? '',
      LLM_API_BASE: upstream.url,
      LLM_API_KEY: 'test-key',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE: discord.apiBase,
      STORE_URL: `sqlite://${storeFile}`,
      INSTANCE_ID: 'sigterm-test',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  bot.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(bot, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await discord.waitForReady();
    const threads = Array.from({ length: TURNS }, (_, i) => discord.sendMessage({ content: `<@${discord.world.bot.id}> question ${i}` }).id);
    // Every answer is on screen and still streaming (Stop shows) when the signal comes.
    await discord.waitUntil(() =>
      threads.every((id) => botMessages(discord, id).some((m) => m.content.startsWith('Part of answer') && isLive(m))),
    );
    bot.kill('SIGTERM');
    const [code, signal] = await exited;
    expect(signal).toBeNull();
    expect(code, stderr).toBe(0);

    const shown = new Map<string, string>();
    for (const id of threads) {
      const [message, ...more] = botMessages(discord, id);
      expect(more).toEqual([]);
      expect(message && isLive(message)).toBe(false);
      const match = new RegExp(`^(Part of answer \\d+\\.)\\n\\n${escape(userText.interruptedByShutdown)}$`).exec(message?.content ?? '');
      expect(match, message?.content).not.toBeNull();
      shown.set(id, match![1]!);
    }
    // Twenty different answers, one per thread.
    expect(new Set(shown.values()).size).toBe(TURNS);

    const store = await openStore(`sqlite://${storeFile}`);
    try {
      const history = new HistoryStore(store.keyv('history'));
      for (const id of threads) {
        const { messages } = await history.load(`discord:${discord.world.guildId}:${id}`);
        expect(messages.map((m) => (m.role === 'assistant' ? [m.role, m.text, m.status] : [m.role, m.text]))).toEqual([
          ['user', `question ${threads.indexOf(id)}`],
          ['assistant', shown.get(id), 'interrupted'],
        ]);
      }
      // Shut down cleanly: nothing is left for the next start to mark as cut by a crash, and no heartbeat to wait out.
      const left: string[] = [];
      for await (const key of store.records('turns').keys('unfinished:')) left.push(key);
      expect(left).toEqual([]);
      expect(await store.keyv('turns').get('instance:sigterm-test')).toBeUndefined();
    } finally {
      await store.close();
    }
  } finally {
    bot.kill('SIGKILL');
    await Promise.allSettled([discord.close(), upstream.close()]);
  }
}, 40_000);

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
