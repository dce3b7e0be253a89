/**
 * The Slack adapter: Bolt receives events (HTTP with signed requests, or Socket
 * Mode when an app token is set) and this file wires them to one handler per
 * kind: messages (`message-handler.ts`), slash commands (`command-handler.ts`,
 * `usage-command.ts`), buttons and menus (`action-handler.ts`), Regenerate and 👍/👎
 * (`answer-controls-handler.ts`), edited questions (`edit-handler.ts`), the
 * "Ask Gemini about this" shortcut (`ask-about-handler.ts`), Slack's AI surface for apps
 * (`assistant-handler.ts`, `agent-handler.ts`, chosen in `ai-surface.ts`). Answers
 * stream into the surfaces `answer-surfaces.ts` builds.
 */
import { App, SocketModeReceiver, webApi } from '@slack/bolt';
import type { AdapterDeps, RunningAdapter } from '../../src/adapter.ts';
import type { SlackConfig } from '../../src/config.ts';
import type { Locale } from '../../src/i18n/locale.ts';
import type { Surface } from '../../src/surface.ts';
import { ActionHandler } from './action-handler.ts';
import { AgentGreeting, SUGGESTED_QUESTION_ACTION } from './agent-greeting.ts';
import { AgentHandler } from './agent-handler.ts';
import { AgentSessions, closingSessionsOnReset } from './agent-sessions.ts';
import { chooseAiSurface, SlackAiSurface } from './ai-surface.ts';
import { AiTurns } from './ai-turn-surface.ts';
import { AnswerControlsHandler } from './answer-controls-handler.ts';
import { AssistantHandler } from './assistant-handler.ts';
import { AssistantThreads } from './assistant-threads.ts';
import { AnswerSurfaces } from './answer-surfaces.ts';
import { ASK_ABOUT_CALLBACK, AskAboutHandler } from './ask-about-handler.ts';
import { ACTION } from './blocks.ts';
import { boltLogger } from './bolt-logger.ts';
import { CommandHandler } from './command-handler.ts';
import { SocketConnection } from './connection.ts';
import { EditHandler } from './edit-handler.ts';
import { SlackFileResolver } from './file-resolver.ts';
import { MessageHandler } from './message-handler.ts';
import { SlackModeration } from './moderation.ts';
import { parseAddress } from './surface.ts';
import { SlackThreadReader } from './thread-context.ts';
import { ThreadMemory } from './thread-memory.ts';
import { SlackPlaces } from './turn-place.ts';
import { UsageCommand } from './usage-command.ts';
import { SlackUserDirectory } from './user-directory.ts';
import { SlackLocales } from './locales.ts';

export interface SlackRunningAdapter extends RunningAdapter {
  /** The HTTP port events arrive on; undefined in Socket Mode. */
  readonly port: number | undefined;
  /** Rebuilds the surface of an answer cut by a restart from its address, to mark it interrupted. */
  reopen(address: string, locale: Locale): Surface | undefined;
}

export async function startSlackAdapter(deps: AdapterDeps & { config: SlackConfig }): Promise<SlackRunningAdapter> {
  const { config, core, logger } = deps;
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

  // Socket Mode's receiver is built here, not by Bolt, to watch its connection for /healthz.
  const socket = config.appToken
    ? new SocketModeReceiver({ appToken: config.appToken, logger: boltLogger(logger), installerOptions: { clientOptions } })
    : undefined;
  const connection = socket ? new SocketConnection(socket.client, logger) : undefined;
  const app = new App({
    token: config.botToken,
    botUserId: bot.userId,
    ...(bot.botId ? { botId: bot.botId } : {}),
    // We just ran auth.test ourselves; Bolt need not repeat it.
    tokenVerificationEnabled: false,
    clientOptions,
    logger: boltLogger(logger),
    convoStore: false,
    ...(socket
      ? { socketMode: true, receiver: socket }
      : // processBeforeResponse off: Bolt acks within Slack's 3 s and the answer streams after.
        { signingSecret: config.signingSecret, port: config.port, processBeforeResponse: false }),
  });

  // Which AI surface (agent, assistant or none) the token's scopes allow; said once here.
  const aiChoice = chooseAiSurface(config.aiExperience, auth.response_metadata?.scopes);
  logger.info({ aiSurface: aiChoice.kind, reason: aiChoice.reason }, 'slack AI surface chosen');
  const aiSurface = new SlackAiSurface({ setting: config.aiExperience, choice: aiChoice, logger });
  const ai = new AiTurns({
    surface: aiSurface,
    sessions: new AgentSessions({ client: app.client, ai: aiSurface, settings: deps.settings, logger }),
    assistantThreads: new AssistantThreads({ client: app.client, ai: aiSurface, settings: deps.settings, prompts: config.suggestedPrompts, logger }),
  });
  const surfaces = new AnswerSurfaces({ client: app.client, core, streaming: config.streaming, logger, ai });
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
  // One users.info cache for names (who said what) and admin status (moderation).
  const users = new SlackUserDirectory({ client: app.client, logger });
  // Each person's language (BOT_LOCALE=auto), from the same users.info.
  const locales = new SlackLocales({ users, setting: deps.locale });
  // The bot as people see it (`{bot_name}`, a mention of it in a thread read in); auth.test's handle if Slack will not say.
  const botName = (await users.lookup(auth.team_id ?? '', bot.userId))?.name ?? auth.user ?? 'Gemini';
  // Where a turn happens, for the system prompt: new questions, regenerated and edited ones alike.
  const places = new SlackPlaces({ client: app.client, botName, logger });
  const messages = new MessageHandler({
    client: app.client,
    core,
    config,
    dedupe: deps.dedupe,
    bot,
    files,
    surfaces,
    threads: new ThreadMemory(),
    reader: new SlackThreadReader({ client: app.client, bot: { ...bot, name: botName }, users, logger }),
    contextMaxMessages: deps.contextMaxMessages,
    users,
    places,
    locales,
    logger,
  });
  const moderation = new SlackModeration({ users, adminUsers: config.adminUsers });
  const commands = new CommandHandler({ core, allowed: config.allowed, moderation, locales, logger });
  const actions = new ActionHandler({ core: closingSessionsOnReset(core, ai.sessions, logger), allowed: config.allowed, moderation, locales, logger });
  const assistant = new AssistantHandler({ ai, allowed: config.allowed, locales, logger });
  const agent = new AgentHandler({
    ai,
    core,
    surfaces,
    files,
    greeting: new AgentGreeting({ client: app.client, dedupe: deps.dedupe, prompts: config.suggestedPrompts }),
    moderation,
    allowed: config.allowed,
    client: app.client,
    locales,
    logger,
  });
  const usage = new UsageCommand({ usage: deps.usage, allowed: config.allowed, moderation, users, locales, logger });
  // Regenerate, 👍/👎, edited questions and the "Ask Gemini about this" shortcut (issue 12).
  const answerControls = new AnswerControlsHandler({ core, allowed: config.allowed, moderation, locales, logger, surfaces, files, places });
  const edits = new EditHandler({ client: app.client, core, config, dedupe: deps.dedupe, bot, files, surfaces, places, locales, editFollowMs: deps.editFollowMs ?? 10 * 60_000, logger });
  const askAbout = new AskAboutHandler({ core, allowed: config.allowed, bot, users, surfaces, files, places, locales, logger });

  app.event('app_mention', (args) => messages.handle(args));
  app.event('message', (args) => messages.handle(args));
  app.command('/model', (args) => commands.model(args));
  app.command('/reset', (args) => commands.reset(args));
  app.command('/usage', (args) => usage.handle(args));
  app.command('/persona', (args) => commands.persona(args));
  app.action(ACTION.stop, (args) => actions.stop(args));
  app.action(ACTION.modelPick, (args) => actions.modelPick(args));
  app.action(ACTION.newConversation, (args) => actions.newConversation(args));
  app.action(ACTION.channelModelPick, (args) => actions.channelModelPick(args));
  // Edits arrive as `message` events too (subtype message_changed): messages.handle passes them over, this takes them.
  app.event('message', (args) => edits.handle(args));
  app.action(ACTION.regenerate, (args) => answerControls.regenerate(args));
  app.action(ACTION.feedback, (args) => answerControls.feedback(args));
  app.shortcut(ASK_ABOUT_CALLBACK, (args) => askAbout.handle(args));
  app.event('assistant_thread_started', (args) => assistant.threadStarted(args));
  app.event('agent_session_stopped', (args) => agent.sessionStopped(args));
  app.event('app_home_opened', (args) => agent.homeOpened(args));
  app.action(SUGGESTED_QUESTION_ACTION, (args) => agent.suggestedQuestion(args));
  app.error(async (err) => {
    logger.error({ err }, 'slack listener failed');
  });

  let started = false;
  let port: number | undefined;
  let listening = () => connection?.connected ?? false;
  if (socket) {
    await app.start();
  } else {
    const server = await app.start(config.port);
    const address = server.address();
    port = typeof address === 'object' && address ? address.port : config.port;
    listening = () => server.listening;
  }
  started = true;
  logger.info({ mode: config.appToken ? 'socket' : 'http', streaming: config.streaming, port, team: auth.team_id, botUser: bot.userId }, 'slack adapter started');

  return {
    platform: 'slack',
    port,
    isReady: () => started && listening(),
    reopen(address, locale) {
      const thread = parseAddress(address);
      if (!thread) return undefined;
      const log = logger.child({ conversation: thread.conversationId });
      // An agent session a crash left in `processing` moves on as its answer is marked interrupted.
      ai.sessions.idle(thread, log).catch((err: unknown) => log.debug({ err }, 'could not move an agent session out of processing'));
      return surfaces.forThread({ ...thread, locale }, log);
    },
    async stop() {
      if (!started) return;
      started = false;
      await app.stop();
      logger.info('slack adapter stopped');
    },
  };
}
