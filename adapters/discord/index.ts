/**
 * The Discord adapter: logs in with discord.js, turns mentions, thread
 * messages, DMs, slash commands and Stop buttons into calls on the core, and
 * writes answers back through `ChannelSurface` / `InteractionSurface`.
 */
import { once } from 'node:events';
import { Events, RESTEvents, type Client } from 'discord.js';
import type { Logger } from 'pino';
import type { AdapterDeps, RunningAdapter } from '../../src/adapter.ts';
import type { DiscordConfig } from '../../src/config.ts';
import { DiscordAttachments } from './attachments.ts';
import { createDiscordClient } from './client.ts';
import { AskAboutHandler } from './ask-about-handler.ts';
import { ButtonHandler } from './button-handler.ts';
import { syncCommands, type CommandTarget } from './command-sync.ts';
import { DiscordContextReader } from './context-reader.ts';
import { EditHandler } from './edit-handler.ts';
import { InteractionHandler } from './interaction-handler.ts';
import { inviteUrl } from './invite.ts';
import { LatestReplyChains } from './latest-chain.ts';
import { MessageHandler } from './message-handler.ts';
import { reopenChannelSurface } from './surface.ts';

export async function startDiscordAdapter(deps: AdapterDeps & { config: DiscordConfig }): Promise<RunningAdapter> {
  const { config, logger: log } = deps;
  const client = createDiscordClient(config);
  const ready = once(client, Events.ClientReady) as Promise<[Client<true>]>;
  client.on(Events.Error, (err) => log.error({ err }, 'discord client error'));
  client.on(Events.Warn, (message) => log.warn({ detail: message }, 'discord client warning'));
  client.on(Events.ShardDisconnect, (event, shardId) => log.warn({ code: event.code, shardId }, 'discord gateway disconnected'));
  client.on(Events.ShardResume, (shardId) => log.info({ shardId }, 'discord gateway resumed'));
  client.rest.on(RESTEvents.RateLimited, (info) =>
    log.debug({ route: info.route, method: info.method, retryAfter: info.retryAfter, global: info.global }, 'discord rate limit'),
  );
  client.rest.on(RESTEvents.InvalidRequestWarning, (info) =>
    log.warn({ count: info.count, remainingTime: info.remainingTime }, 'many invalid discord requests: risk of a temporary ban'),
  );

  // The listeners go on before login: discord.js emits messages that arrive between its
  // ready event and the end of this start-up at once, and without a listener they are lost.
  // They wait for the handlers, which need the ready client; the promise keeps their order.
  const handlers = ready.then(([readyClient]) => {
    const attachments = new DiscordAttachments({ rest: readyClient.rest, fetch: deps.fetch });
    const context = new DiscordContextReader({ client: readyClient, maxMessages: deps.contextMaxMessages, logger: log });
    const chains = new LatestReplyChains(deps.settings);
    const answering = { client: readyClient, core: deps.core, config, attachments, logger: log, locale: deps.locale };
    return {
      messages: new MessageHandler({ ...answering, context, dedupe: deps.dedupe, chains }),
      interactions: new InteractionHandler({ ...answering, chains, usage: deps.usage }),
      buttons: new ButtonHandler(answering),
      edits: new EditHandler({ ...answering, dedupe: deps.dedupe }),
      askAbout: new AskAboutHandler(answering),
    };
  });
  // A failed start rejects `ready` (and so this) with nobody listening yet; login reports it.
  handlers.catch(() => undefined);
  let stopped = false;
  client.on(Events.MessageCreate, (message) => {
    if (stopped) return;
    handlers
      .then((h) => h.messages.handle(message))
      .catch((err: unknown) => log.error({ err, message: message.id }, 'message handling failed'));
  });
  client.on(Events.MessageUpdate, (before, after) => {
    if (stopped) return;
    handlers
      .then((h) => h.edits.handle(before, after))
      .catch((err: unknown) => log.error({ err, message: after.id }, 'edit handling failed'));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    if (stopped) return;
    handlers
      .then((h) => {
        if (interaction.isButton()) return h.buttons.handle(interaction);
        if (interaction.isMessageContextMenuCommand()) return h.askAbout.handle(interaction);
        return h.interactions.handle(interaction);
      })
      .catch((err: unknown) => log.error({ err, interaction: interaction.id }, 'interaction handling failed'));
  });

  await client.login(config.token);
  const [readyClient] = await ready;

  const applicationId = config.appId ?? readyClient.application.id;
  log.info(
    { user: readyClient.user.tag, guilds: readyClient.guilds.cache.size, shard: config.shardId, invite: inviteUrl(applicationId) },
    'discord connected; invite the bot with the invite URL',
  );
  // In the background: mentions are served while it runs, and if it fails.
  const syncing = new AbortController();
  syncSlashCommands(readyClient, { applicationId, guildId: config.guildId }, log, syncing.signal);

  return {
    platform: 'discord',
    isReady: () => !stopped && readyClient.isReady(),
    reopen: (address, locale) => reopenChannelSurface(readyClient.rest, address, locale),
    async stop() {
      stopped = true;
      syncing.abort();
      await readyClient.destroy();
      // destroy() also drops the REST token, but turns still streaming are the core's to
      // finish (it drains them after adapters stop): their edits need REST, not the gateway.
      readyClient.rest.setToken(config.token);
    },
  };
}

/** Brings the registered slash commands in line with the code's (command-sync.ts); logs what it did or why it could not. */
function syncSlashCommands(client: Client<true>, target: CommandTarget, log: Logger, signal: AbortSignal): void {
  const scope = target.guildId ? { guild: target.guildId } : { scope: 'global' };
  syncCommands(client.rest, target, AbortSignal.any([signal, AbortSignal.timeout(60_000)]))
    .then((result) => {
      if (!result.wrote) log.info(scope, 'discord slash commands are current');
      else if (result.before.state === 'differs') log.info({ ...scope, differences: result.before.differences }, 'discord slash commands updated');
    })
    .catch((err: unknown) => {
      if (signal.aborted) return;
      log.warn(
        { err, ...scope },
        'could not sync the discord slash commands; mentions still work. /model, /reset and /ask may be missing or outdated: ' +
          'check that the bot was invited with the applications.commands scope, or run npm run register-commands',
      );
    });
}
