/**
 * A loopback fake of Discord for end-to-end tests through the real discord.js:
 * REST under /api/v10 with real rate-limit headers and 429s, and a Gateway
 * WebSocket at /gateway. Point the bot at it with DISCORD_API_BASE=`fake.apiBase`
 * (discord.js appends /v10; GET /gateway/bot hands out the ws:// URL).
 *
 * Tests act as Discord users (`sendMessage`, `runCommand`, `autocomplete`,
 * `pressButton`) and assert on what users would see (`messagesIn`, `threads`) and
 * on every recorded REST request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationCommandOptionType, ComponentType, InteractionType } from 'discord-api-types/v10';
import { FakeCdn, type CdnDownload } from './cdn.ts';
import { FakeGateway, ownsGuild } from './gateway.ts';
import { RateLimiter } from './rate-limiter.ts';
import { createUserThread, type UserThreadSpec } from './user-threads.ts';
import { matchRoute, notFound, type RestResponse } from './rest.ts';
import { FakeDiscordState, type FakeInteraction } from './state.ts';
import { cdnUrl, createWorld, guildCreatePayload, memberPayload, memberPermissions, SnowflakeSource, type FakeAttachment, type FakeChannel, type FakeMessage, type FakeUser, type World } from './world.ts';

export type { FakeAttachment, FakeChannel, FakeMessage, FakeUser, World } from './world.ts';

export const FAKE_DISCORD_TOKEN = 'fake-bot-token.discord.test';

export interface RecordedRequest {
  readonly method: string;
  /** Path after /api/v10. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  /** Parsed JSON body, or undefined. */
  readonly body: any;
  /** The status the fake answered with. */
  status: number;
}

/** Which requests a forced failure applies to. */
export interface RequestMatch {
  readonly method: string;
  readonly path: RegExp;
}

export type ForcedFailure =
  | { readonly type: 'rate-limited'; readonly retryAfterMs: number }
  | { readonly type: 'status'; readonly status: number; readonly body?: unknown };

export interface FakeDiscordOptions {
  /** The fake's clock for rate-limit windows and CDN expiry; defaults to Date.now. */
  readonly now?: () => number;
  /** Messages POST and PATCH windows; default 5 per 5,000 ms per channel, as Discord. */
  readonly messageLimit?: number;
  readonly messageWindowMs?: number;
}

export interface AttachmentSpec {
  readonly filename: string;
  readonly contentType?: string;
  readonly size?: number;
  /** When the CDN URL expires; defaults to 24 h from now. */
  readonly expiresAtMs?: number;
  /** What the CDN serves for it (its size unless `size` says otherwise); without it the CDN answers 404. */
  readonly bytes?: Uint8Array;
}

export interface FakeDiscord {
  readonly apiBase: string;
  readonly token: string;
  readonly world: World;
  readonly requests: RecordedRequest[];
  readonly reactions: { messageId: string; emoji: string }[];
  readonly registeredCommands: FakeDiscordState['registeredCommands'];
  readonly identifies: FakeGateway['identifies'];
  /** The Gateway, to drop connections (`drop()`) and see resumes. */
  readonly gateway: FakeGateway;
  readonly limiter: RateLimiter;
  /** Every download from the fake CDN, in order. */
  readonly cdnDownloads: CdnDownload[];
  /** The bot's `fetch`: Discord's CDN hosts lead to this fake's CDN. */
  readonly cdnFetch: typeof fetch;
  /** Resolves once a client has identified and received READY and its guilds. */
  waitForReady(): ReturnType<FakeGateway['waitForReady']>;
  /** Resolves once `predicate` holds; re-checked after every REST request the fake answers. */
  waitUntil<T>(predicate: () => T | undefined | false): Promise<T>;
  /** Forces the next `count` requests matching `match` to fail this way. */
  failNext(match: RequestMatch, failure: ForcedFailure, count?: number): void;
  /** A user posts a message; it is dispatched as MESSAGE_CREATE. */
  sendMessage(opts: {
    content: string;
    author?: FakeUser;
    channelId?: string;
    replyTo?: string;
    attachments?: AttachmentSpec[];
    /** Rich embeds (what bots and webhooks post), in the API's shape. */
    embeds?: Record<string, unknown>[];
    /** Forwards that message instead of writing anything (a reference of type 1 and its snapshot). */
    forwardOf?: string;
  }): FakeMessage;
  /** A person opens a thread (from a channel message, or as a forum post): the bot did not open it. */
  userThread(spec: UserThreadSpec): FakeChannel;
  /** Opens (or returns) the DM channel between `recipient` and the bot; Discord does not announce it. */
  dmChannel(recipient?: FakeUser): FakeChannel;
  /** A user runs a slash command; it is dispatched as INTERACTION_CREATE. */
  runCommand(opts: {
    name: string;
    options?: { name: string; type: number; value: string | number | boolean }[];
    attachments?: Record<string, AttachmentSpec>;
    user?: FakeUser;
    channelId?: string;
  }): FakeInteraction;
  /** A user types in an autocomplete option; resolves with the choices the bot answered. */
  autocomplete(opts: {
    name: string;
    focused: string;
    value: string;
    user?: FakeUser;
    channelId?: string;
  }): Promise<{ name: string; value: string }[]>;
  /** A user presses a button on a message. */
  pressButton(opts: { messageId: string; customId: string; user?: FakeUser }): FakeInteraction;
  /** A user runs a message context-menu command (type 3) on a message. */
  runMessageCommand(opts: { name: string; targetId: string; user?: FakeUser }): FakeInteraction;
  /** The author edits their message: MESSAGE_UPDATE with the new content and an `edited_timestamp`. */
  editMessage(opts: { messageId: string; content: string }): FakeMessage;
  /** Discord adds a link preview to a message: MESSAGE_UPDATE with embeds, the content and `edited_timestamp` unchanged. */
  unfurl(opts: { messageId: string; embeds: Record<string, unknown>[] }): FakeMessage;
  /** Messages deleted through REST, as they were when deleted. */
  readonly deletedMessages: FakeMessage[];
  /** Messages in a channel, oldest first, as users see them now. */
  messagesIn(channelId: string): FakeMessage[];
  threads(): FakeChannel[];
  close(): Promise<void>;
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const now = opts.now ?? Date.now;
  const ids = new SnowflakeSource(now);
  const world = createWorld(ids);
  const gateway = new FakeGateway({
    token: FAKE_DISCORD_TOKEN,
    ready: (identity) => ({
      user: { ...world.bot, verified: true, mfa_enabled: false, flags: 0 },
      guilds: ownedGuilds(world, identity.shard).map((id) => ({ id, unavailable: true as const })),
      application: { id: world.applicationId, flags: world.applicationFlags },
    }),
    guildCreates: (identity) => (ownedGuilds(world, identity.shard).length > 0 ? [guildCreatePayload(world)] : []),
  });
  const state = new FakeDiscordState({ world, ids, gateway, now });
  const limiter = new RateLimiter({ now, limit: opts.messageLimit ?? 5, windowMs: opts.messageWindowMs ?? 5000 });
  const cdn = new FakeCdn(now);
  const requests: RecordedRequest[] = [];
  const forced: { match: RequestMatch; failure: ForcedFailure; remaining: number }[] = [];
  const waiters = new Set<() => void>();
  const changed = () => {
    for (const check of [...waiters]) check();
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(err), code: 0 }));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (url.pathname.startsWith('/cdn/')) {
      cdn.serve(url, res);
      changed();
      return;
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (raw.length > 0 && (req.headers['content-type'] ?? '').startsWith('application/json')) body = JSON.parse(raw);
    // Discord decodes percent-escapes in paths (`%40original`, URL-encoded reaction emoji).
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const record: RecordedRequest = { method: req.method ?? 'GET', path, query: url.searchParams, headers: req.headers, body, status: 0 };
    requests.push(record);

    const respond = (response: RestResponse, headers: Record<string, string> = {}) => {
      record.status = response.status;
      const allHeaders: Record<string, string> = { ...headers };
      if (response.body !== undefined) allHeaders['content-type'] = 'application/json';
      res.writeHead(response.status, allHeaders);
      res.end(response.body === undefined ? undefined : JSON.stringify(response.body));
      changed();
    };

    if (!url.pathname.startsWith('/api/v10/')) return respond(notFound());
    const matched = matchRoute(record.method, path);
    if (!matched) return respond(notFound());
    if (matched.route.auth && req.headers.authorization !== `Bot ${FAKE_DISCORD_TOKEN}`) {
      return respond({ status: 401, body: { message: '401: Unauthorized', code: 0 } });
    }

    const bucket = messageBucket(record.method, path);
    const failure = forced.find((f) => f.remaining > 0 && f.match.method === record.method && f.match.path.test(path));
    if (failure) {
      failure.remaining -= 1;
      if (failure.failure.type === 'rate-limited') {
        const verdict = limiter.forced(bucket?.hash ?? 'forced', failure.failure.retryAfterMs);
        return respond({ status: 429, body: verdict.body }, verdict.headers);
      }
      return respond({ status: failure.failure.status, body: failure.failure.body ?? { message: 'Internal Server Error', code: 0 } });
    }
    let headers: Record<string, string> = {};
    if (bucket) {
      const verdict = limiter.take(bucket.key, bucket.hash);
      if (!verdict.allowed) return respond({ status: 429, body: verdict.body }, verdict.headers);
      headers = verdict.headers;
    }
    respond(matched.route.handler(state, matched.params, { method: record.method, path, query: url.searchParams, body }), headers);
  }

  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').startsWith('/gateway')) gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.gatewayUrl = `ws://127.0.0.1:${port}/gateway`;
  gateway.url = state.gatewayUrl;

  const attachmentPayload = (channelId: string, spec: AttachmentSpec): FakeAttachment => {
    const id = ids.next();
    const url = cdnUrl(channelId, id, spec.filename, spec.expiresAtMs ?? now() + 86_400_000);
    if (spec.bytes) cdn.store(id, spec.bytes);
    return {
      id,
      filename: spec.filename,
      size: spec.size ?? spec.bytes?.byteLength ?? 1024,
      url,
      proxy_url: url.replace('cdn.discordapp.com', 'media.discordapp.net'),
      ...(spec.contentType ? { content_type: spec.contentType } : {}),
    };
  };

  const dmChannel = (recipient: FakeUser = world.alice): FakeChannel => state.dmChannel(recipient);

  const newInteraction = (type: number, user: FakeUser, channelId: string): FakeInteraction => {
    const channel = world.channels.get(channelId);
    const interaction: FakeInteraction = {
      id: ids.next(),
      token: `interaction-token-${ids.next()}`,
      type,
      channelId,
      guildId: channel?.guild_id,
      user,
      callbacks: [],
      originalMessageId: undefined,
    };
    state.interactions.set(interaction.id, interaction);
    return interaction;
  };

  const interactionPayload = (interaction: FakeInteraction, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const channel = world.channels.get(interaction.channelId);
    const base = {
      id: interaction.id,
      application_id: world.applicationId,
      type: interaction.type,
      data,
      token: interaction.token,
      version: 1,
      channel_id: interaction.channelId,
      channel,
      app_permissions: world.everyonePermissions.toString(),
      locale: world.userLocales.get(interaction.user.id) ?? 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': world.guildId },
      context: interaction.guildId ? 0 : 1,
      attachment_size_limit: 10_485_760,
      ...extra,
    };
    return interaction.guildId
      ? {
          ...base,
          guild_id: interaction.guildId,
          guild_locale: world.guildLocale,
          guild: { id: interaction.guildId, locale: world.guildLocale, features: [] },
          member: { ...memberPayload(world, interaction.user), permissions: memberPermissions(world, interaction.user).toString() },
        }
      : { ...base, user: interaction.user };
  };

  const dispatchInteraction = (interaction: FakeInteraction, payload: unknown) => {
    gateway.dispatch('INTERACTION_CREATE', payload, { guildId: interaction.guildId, intents: ~0 });
  };

  const fake: FakeDiscord = {
    apiBase: `http://127.0.0.1:${port}/api`,
    token: FAKE_DISCORD_TOKEN,
    world,
    requests,
    reactions: state.reactions,
    registeredCommands: state.registeredCommands,
    identifies: gateway.identifies,
    gateway,
    limiter,
    cdnDownloads: cdn.downloads,
    cdnFetch: cdn.fetchVia(`http://127.0.0.1:${port}/cdn`),
    waitForReady: () => gateway.waitForReady(),
    waitUntil<T>(predicate: () => T | undefined | false): Promise<T> {
      return new Promise<T>((resolve) => {
        const check = () => {
          const value = predicate();
          if (value !== undefined && value !== false) {
            waiters.delete(check);
            resolve(value);
          }
        };
        waiters.add(check);
        check();
      });
    },
    failNext(match, failure, count = 1) {
      forced.push({ match, failure, remaining: count });
    },
    sendMessage({ content, author = world.alice, channelId = world.channelId, replyTo, attachments = [], embeds, forwardOf }) {
      const forwarded = forwardOf === undefined ? undefined : world.messages.get(forwardOf);
      if (forwardOf !== undefined && !forwarded) throw new Error(`no message ${forwardOf} to forward`);
      const message = state.createMessage({
        channelId,
        author,
        content,
        replyTo,
        attachments: attachments.map((spec) => attachmentPayload(channelId, spec)),
        embeds,
        forwardOf: forwarded,
      });
      changed();
      return message;
    },
    dmChannel,
    userThread(spec) {
      const thread = createUserThread(state, spec);
      changed();
      return thread;
    },
    runCommand({ name, options = [], attachments = {}, user = world.alice, channelId = world.channelId }) {
      const interaction = newInteraction(InteractionType.ApplicationCommand, user, channelId);
      const resolvedAttachments = Object.fromEntries(
        Object.entries(attachments).map(([optionName, spec]) => {
          const attachment = attachmentPayload(channelId, spec);
          options = [...options, { name: optionName, type: ApplicationCommandOptionType.Attachment, value: attachment.id }];
          return [attachment.id, attachment];
        }),
      );
      dispatchInteraction(
        interaction,
        interactionPayload(interaction, {
          id: ids.next(),
          name,
          type: 1,
          options,
          ...(Object.keys(resolvedAttachments).length > 0 ? { resolved: { attachments: resolvedAttachments } } : {}),
        }),
      );
      return interaction;
    },
    async autocomplete({ name, focused, value, user = world.alice, channelId = world.channelId }) {
      const interaction = newInteraction(InteractionType.ApplicationCommandAutocomplete, user, channelId);
      dispatchInteraction(
        interaction,
        interactionPayload(interaction, {
          id: ids.next(),
          name,
          type: 1,
          options: [{ name: focused, type: ApplicationCommandOptionType.String, value, focused: true }],
        }),
      );
      const callback = await fake.waitUntil(() => interaction.callbacks[0]);
      return (callback.data?.choices as { name: string; value: string }[] | undefined) ?? [];
    },
    pressButton({ messageId, customId, user = world.alice }) {
      const message = world.messages.get(messageId);
      if (!message) throw new Error(`no message ${messageId}`);
      const interaction = newInteraction(InteractionType.MessageComponent, user, message.channel_id);
      interaction.originalMessageId = message.id;
      dispatchInteraction(
        interaction,
        interactionPayload(interaction, { custom_id: customId, component_type: ComponentType.Button }, { message }),
      );
      return interaction;
    },
    runMessageCommand({ name, targetId, user = world.alice }) {
      const target = world.messages.get(targetId);
      if (!target) throw new Error(`no message ${targetId}`);
      const interaction = newInteraction(InteractionType.ApplicationCommand, user, target.channel_id);
      // interactions/receiving-and-responding.mdx: a message command names its target and resolves it (without the member).
      const { member: _member, ...resolved } = target;
      dispatchInteraction(
        interaction,
        interactionPayload(interaction, { id: ids.next(), name, type: 3, target_id: target.id, resolved: { messages: { [target.id]: resolved } } }),
      );
      return interaction;
    },
    editMessage({ messageId, content }) {
      const message = world.messages.get(messageId);
      if (!message) throw new Error(`no message ${messageId}`);
      state.updateMessage(message, { content });
      changed();
      return message;
    },
    unfurl({ messageId, embeds }) {
      const message = world.messages.get(messageId);
      if (!message) throw new Error(`no message ${messageId}`);
      state.updateMessage(message, { embeds });
      changed();
      return message;
    },
    deletedMessages: state.deleted,
    messagesIn: (channelId) =>
      state.messageOrder.map((id) => world.messages.get(id)).filter((m): m is FakeMessage => m?.channel_id === channelId),
    threads: () => [...world.channels.values()].filter((c) => c.type === 11),
    async close() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

/**
 * The rate-limit bucket of message creates, edits and history reads: per channel, each
 * counted apart (Discord does not document the read budget; the fake gives it the same 5 per 5 s).
 */
function messageBucket(method: string, path: string): { key: string; hash: string } | undefined {
  const create = /^\/channels\/(\d+)\/messages$/.exec(path);
  if (method === 'POST' && create) return { key: `post:${create[1]}`, hash: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6' };
  if (method === 'GET' && create) return { key: `get:${create[1]}`, hash: 'c0ffee00c0ffee00c0ffee00c0ffee00' };
  const edit = /^\/channels\/(\d+)\/messages\/\d+$/.exec(path);
  if (method === 'PATCH' && edit) return { key: `patch:${edit[1]}`, hash: 'f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1' };
  if (method === 'DELETE' && edit) return { key: `delete:${edit[1]}`, hash: 'de1e7ede1e7ede1e7ede1e7ede1e7e00' };
  return undefined;
}

function ownedGuilds(world: World, shard: readonly [number, number]): string[] {
  return ownsGuild(shard, world.guildId) ? [world.guildId] : [];
}
