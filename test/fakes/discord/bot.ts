/**
 * Starts the whole bot (src/main.ts `startBot`) against a fake Discord and a
 * fake upstream, for end-to-end tests through the real discord.js.
 */
import { pino, type Logger } from 'pino';
import { startBot, type RunningBot } from '../../../src/main.ts';
import { startFakeUpstream, type FakeUpstream } from '../upstream.ts';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type World } from './index.ts';

export interface DiscordBotHarness {
  readonly discord: FakeDiscord;
  readonly upstream: FakeUpstream;
  readonly bot: RunningBot;
  stop(): Promise<void>;
}

export async function startDiscordBot(
  opts: {
    /** Extra environment; a function gets the fake's world to name its ids (allowlists). */
    env?: Record<string, string> | ((world: World) => Record<string, string>);
    discord?: FakeDiscordOptions;
    logger?: Logger;
    /** Changes the fake's world before the bot connects (a server's preferred locale, people's client languages). */
    world?: (world: World) => void;
    /** A fake Discord (and upstream) to reuse, as a restart would: `stop()` leaves them running. */
    reuse?: { discord: FakeDiscord; upstream: FakeUpstream };
  } = {},
): Promise<DiscordBotHarness> {
  const discord = opts.reuse?.discord ?? (await startFakeDiscord(opts.discord));
  const upstream = opts.reuse?.upstream ?? (await startFakeUpstream());
  const closeFakes = async () => {
    if (!opts.reuse) await Promise.allSettled([discord.close(), upstream.close()]);
  };
  opts.world?.(discord.world);
  const logger = opts.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let bot: RunningBot;
  try {
    bot = await startBot({
      env: {
        LLM_API_BASE: upstream.url,
        LLM_API_KEY: 'test-key',
        DISCORD_TOKEN: discord.token,
        DISCORD_API_BASE: discord.apiBase,
        STORE_URL: 'sqlite://:memory:',
        ...(typeof opts.env === 'function' ? opts.env(discord.world) : opts.env),
      },
      logger,
      fetch: discord.cdnFetch,
    });
  } catch (err) {
    await closeFakes();
    throw err;
  }
  return {
    discord,
    upstream,
    bot,
    async stop() {
      await bot.stop(1000);
      await closeFakes();
    },
  };
}
