/**
 * The Slack adapter: Bolt receives events (HTTP with signed requests, or Socket
 * Mode when an app token is set), this file decides which messages the bot
 * answers, and the core streams each answer into a `SlackSurface` (chat.update) or,
 * with SLACK_STREAMING=native, a `SlackStreamSurface` (chat.startStream/appendStream/stopStream).
 */
import { App, LogLevel, webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AdapterDeps, RunningAdapter } from '../../src/adapter.ts';
import type { SlackConfig } from '../../src/config.ts';
import { userText } from '../../src/user-text.ts';
import { SlackFileResolver } from './file-resolver.ts';
import { channelIdOf, conversationIdOf, isAllowed, parseMessageEvent, type SlackMessage } from './incoming.ts';
import { registerInteractions } from './interactions.ts';
import { toMrkdwn } from './mrkdwn.ts';
import type { Surface } from '../../src/surface.ts';
import { NativeStreamSupport, SlackStreamSurface } from './stream-surface.ts';
import { parseAddress, SlackSurface, type SlackThread } from './surface.ts';
import { ThreadMemory } from './thread-memory.ts';

/** Slack retries an event for about 6 minutes (platform-limits.md §2d); a day covers it with room to spare. */
const DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

export interface SlackRunningAdapter extends RunningAdapter {
  /** The HTTP port events arrive on; undefined in Socket Mode. */
  readonly port: number | undefined;
  /** Rebuilds the surface of an answer cut by a restart from its address, to mark it interrupted. */
  reopen(address: string): Surface | undefined;
}

/** Bolt's logger interface on top of pino; Bolt's own chatter goes to debug. */
function boltLogger(log: Logger): BoltLogger {
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg: unknown[]) => log.debug(text(msg)),
    info: (...msg: unknown[]) => log.debug(text(msg)),
    warn: (...msg: unknown[]) => log.warn(text(msg)),
    error: (...msg: unknown[]) => log.error(text(msg)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.DEBUG,
    setName: () => undefined,
  };
}

export async function startSlackAdapter(deps: AdapterDeps & { config: SlackConfig }): Promise<SlackRunningAdapter> {
  const { config, core, dedupe, logger } = deps;
  // Native streaming falls back to chat.update per workspace that refuses it (stream-surface.ts).
  const streams = config.streaming === 'native' ? new NativeStreamSupport(logger) : undefined;
  // A 429 must not pause every call of the client, across all workspaces and channels,
  // as @slack/web-api does by default: reject it at once and let the core's scheduler wait.
  const clientOptions: webApi.WebClientOptions = {
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    ...(config.apiUrl ? { slackApiUrl: `${config.apiUrl}/` } : {}),
  };

  const probe = new webApi.WebClient(config.botToken, { ...clientOptions, logger: boltLogger(logger) });
  const auth = await probe.auth.test().catch((err: unknown) => {
    throw new Error(`Slack did not accept SLACK_BOT_TOKEN (auth.test failed: ${err instanceof Error ? err.message : String(err)})`, { cause: err });
  });
  if (!auth.user_id) throw new Error('Slack auth.test returned no bot user id');
  const bot = { userId: auth.user_id, botId: auth.bot_id };

  const app = new App({
    token: config.botToken,
    botUserId: bot.userId,
    ...(bot.botId ? { botId: bot.botId } : {}),
    // We just ran auth.test ourselves; Bolt need not repeat it.
    tokenVerificationEnabled: false,
    clientOptions,
    logger: boltLogger(logger),
    convoStore: false,
    ...(config.appToken
      ? { socketMode: true, appToken: config.appToken }
      : // processBeforeResponse off: Bolt acks within Slack's 3 s and the answer streams after.
        { signingSecret: config.signingSecret, port: config.port, processBeforeResponse: false }),
  });

  const threads = new ThreadMemory();
  const files = new SlackFileResolver({
    botToken: config.botToken,
    maxBytes: deps.attachmentMaxBytes,
    apiUrl: config.apiUrl,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    lookup: async (fileId) => {
      const info = await app.client.files.info({ file: fileId });
      return { url: info.file?.url_private_download ?? info.file?.url_private, mimetype: info.file?.mimetype };
    },
  });

  /** First delivery of this event and of this message? Slack retries, and a mention arrives as two events. */
  const firstDelivery = async (eventId: string | undefined, m: SlackMessage): Promise<boolean> => {
    try {
      if (eventId && !(await dedupe.firstSeen(`slack:event:${eventId}`, DEDUPE_TTL_MS))) return false;
      return await dedupe.firstSeen(`slack:message:${m.channel}:${m.ts}`, DEDUPE_TTL_MS);
    } catch (err) {
      // Answering twice beats never answering; the core reports the store's trouble itself.
      logger.warn({ err }, 'dedupe store failed; answering anyway');
      return true;
    }
  };

  /** Should the bot answer this message at all? A thread forgotten here (a restart) is the bot's if it has history. */
  const addressed = async (m: SlackMessage): Promise<boolean> => {
    if (m.mentionsBot || m.channelType === 'im') return true;
    if (!m.inThread || !config.followupsWithoutMention) return false;
    const conversationId = conversationIdOf(m);
    if (threads.has(conversationId)) return true;
    const known = await core.hasHistory(conversationId).catch((err: unknown) => {
      logger.warn({ err }, 'could not tell whether the bot takes part in a thread');
      return false;
    });
    if (known) threads.add(conversationId);
    return known;
  };

  /** The surface an answer streams into; a recipient (the asking user) is what native streaming needs. */
  const surfaceFor = (thread: SlackThread, log: Logger, recipientUserId?: string): Surface => {
    const opts = {
      client: app.client,
      thread,
      models: async () => ({ models: core.models, current: await core.modelFor(thread.conversationId, thread.channelId) }),
      logger: log,
    };
    // Native mode records Markdown for a restart to finish with, so a reopened surface is a stream surface too.
    return streams ? new SlackStreamSurface({ ...opts, recipientUserId, support: streams }) : new SlackSurface(opts);
  };

  const answer = (m: SlackMessage, log: Logger) => {
    const conversationId = conversationIdOf(m);
    const channelId = channelIdOf(m);
    threads.add(conversationId);
    const surface = surfaceFor(
      { teamId: m.teamId, channel: m.channel, threadTs: m.threadTs, conversationId, channelId, turnId: `${conversationId}:${m.ts}` },
      log,
      m.user,
    );
    core
      .answer(
        {
          turnId: `${conversationId}:${m.ts}`,
          conversationId,
          channelId,
          author: { id: m.user, name: m.user },
          text: m.text,
          attachments: m.attachments,
        },
        { surface, attachments: files },
      )
      .then((outcome) => log.debug({ outcome }, 'turn ended'))
      .catch((err: unknown) => log.error({ err }, 'turn failed'));
  };

  const onMessageEvent = async (args: { event: unknown; body: unknown; context: { retryNum?: number; retryReason?: string } }) => {
    const body = args.body as { event_id?: string; team_id?: string };
    const log = logger.child({ event: body.event_id });
    if (args.context.retryNum !== undefined) {
      log.info({ retryNum: args.context.retryNum, retryReason: args.context.retryReason }, 'slack retried an event');
    }
    const parsed = parseMessageEvent(args.event, body.team_id, bot);
    if (parsed.type === 'ignore') {
      log.trace({ reason: parsed.reason }, 'event ignored');
      return;
    }
    const m = parsed.message;
    if (!(await addressed(m))) return;
    if (!(await firstDelivery(body.event_id, m))) {
      log.info({ channel: m.channel, ts: m.ts }, 'duplicate delivery ignored');
      return;
    }
    if (!isAllowed(config.allowed, m)) {
      log.info({ team: m.teamId, channel: m.channel, user: m.user }, 'message from outside the allowlists');
      if (m.mentionsBot || m.channelType === 'im') {
        await app.client.chat.postEphemeral({ channel: m.channel, user: m.user, text: toMrkdwn(userText.notAllowed) });
      }
      return;
    }
    answer(m, log.child({ conversation: conversationIdOf(m) }));
  };

  app.event('app_mention', onMessageEvent);
  app.event('message', onMessageEvent);
  registerInteractions({ app, core, allowed: config.allowed, logger });
  app.error(async (err) => {
    logger.error({ err }, 'slack listener failed');
  });

  let ready = false;
  let port: number | undefined;
  if (config.appToken) {
    await app.start();
  } else {
    const server = await app.start(config.port);
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : config.port;
  }
  ready = true;
  logger.info({ mode: config.appToken ? 'socket' : 'http', streaming: config.streaming, port, team: auth.team_id, botUser: bot.userId }, 'slack adapter started');

  return {
    platform: 'slack',
    port,
    isReady: () => ready,
    reopen(address) {
      const thread = parseAddress(address);
      return thread ? surfaceFor(thread, logger.child({ conversation: thread.conversationId })) : undefined;
    },
    async stop() {
      if (!ready) return;
      ready = false;
      await app.stop();
      logger.info('slack adapter stopped');
    },
  };
}
