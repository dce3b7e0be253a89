/** The naive baseline (naive-bot.ts) on Discord: N answers in one channel of a fresh loopback Discord. */
import { startFakeDiscord } from '../test/fakes/discord/index.ts';
import type { PacedUpstream } from '../test/fakes/paced-upstream.ts';
import type { DiscordProfile } from './discord-run.ts';
import { RetryingCaller, runNaive } from './naive-bot.ts';
import type { RunSummary } from './streams.ts';

export async function runNaiveDiscord(upstream: PacedUpstream, profile: DiscordProfile): Promise<RunSummary> {
  const discord = await startFakeDiscord();
  const channel = discord.world.channelId;
  const api = `${discord.apiBase}/v10`;
  const caller = new RetryingCaller();
  const send = (method: string, path: string, content: string) =>
    caller.call(`${api}${path}`, {
      method,
      headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content, allowed_mentions: { parse: [] } }),
    }) as Promise<{ id: string }>;
  try {
    return await runNaive(upstream, profile, 'discord', {
      post: async (_, text) => (await send('POST', `/channels/${channel}/messages`, text)).id,
      edit: async (_, id, text) => void (await send('PATCH', `/channels/${channel}/messages/${id}`, text)),
    }, caller);
  } finally {
    await discord.close();
  }
}
