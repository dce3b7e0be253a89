/**
 * The fake's REST routes under /api/v10, answering in Discord's shapes and with
 * Discord's validation where a bot could get it wrong (2,000-character content,
 * empty messages, 100-character thread names). Each handler returns a status and
 * a JSON body; rate limits and forced failures are applied before it runs.
 */
import { applicationRoutes } from './application-routes.ts';
import type { FakeDiscordState } from './state.ts';
import { cdnUrl, memberPayload, usersOf, type FakeMessage } from './world.ts';

export interface RestRequest {
  readonly method: string;
  /** Path after /api/v10, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export interface RestResponse {
  readonly status: number;
  readonly body?: unknown;
}

export type Handler = (state: FakeDiscordState, params: string[], request: RestRequest) => RestResponse;

export interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly handler: Handler;
  /** Whether a valid `Authorization: Bot <token>` header is required (interaction/webhook routes use the token in the path). */
  readonly auth: boolean;
}

const ID = '(\\d{17,20})';
const TOKEN = '([^/]+)';

export const notFound = (message = 'Unknown'): RestResponse => ({ status: 404, body: { message: `404: ${message}`, code: 0 } });
const apiError = (status: number, code: number, message: string, errors?: unknown): RestResponse => ({
  status,
  body: { message, code, ...(errors ? { errors } : {}) },
});

interface MessageBody {
  content?: string;
  components?: unknown[];
  flags?: number;
  allowed_mentions?: unknown;
  message_reference?: { message_id: string };
  embeds?: unknown[];
}

function validateContent(body: MessageBody, existing?: FakeMessage): RestResponse | undefined {
  if (body.content !== undefined && body.content.length > 2000) {
    return apiError(400, 50035, 'Invalid Form Body', {
      content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
    });
  }
  const content = body.content ?? existing?.content ?? '';
  const hasEmbeds = (body.embeds ?? existing?.embeds ?? []).length > 0;
  if (content.trim() === '' && !hasEmbeds && (body.components ?? existing?.components ?? []).length === 0) {
    return apiError(400, 50006, 'Cannot send an empty message');
  }
  return undefined;
}

const routes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/gateway\/bot$/,
    auth: true,
    handler: (state) => ({
      status: 200,
      body: {
        url: state.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      },
    }),
  },
  { method: 'GET', pattern: /^\/users\/@me$/, auth: true, handler: (state) => ({ status: 200, body: state.world.bot }) },
  {
    // get_user (discord-api-spec): any user by id, or 10013 Unknown User.
    method: 'GET',
    pattern: new RegExp(`^/users/${ID}$`),
    auth: true,
    handler: (state, [userId]) => {
      const found = usersOf(state.world).find((u) => u.id === userId);
      return found ? { status: 200, body: found } : apiError(404, 10013, 'Unknown User');
    },
  },
  {
    // get_guild_member (discord-api-spec): no intent needed over REST; 10004 Unknown Guild, 10007 Unknown Member.
    method: 'GET',
    pattern: new RegExp(`^/guilds/${ID}/members/${ID}$`),
    auth: true,
    handler: (state, [guildId, userId]) => {
      if (guildId !== state.world.guildId) return apiError(404, 10004, 'Unknown Guild');
      const found = usersOf(state.world).find((u) => u.id === userId);
      return found && state.world.memberRoles.has(found.id) ? { status: 200, body: memberPayload(state.world, found) } : apiError(404, 10007, 'Unknown Member');
    },
  },
  {
    method: 'GET',
    pattern: /^\/applications\/@me$/,
    auth: true,
    handler: (state) => ({ status: 200, body: { id: state.world.applicationId, name: 'Gemini', flags: state.world.applicationFlags, bot: state.world.bot } }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}$`),
    auth: true,
    handler: (state, [channelId]) => {
      const channel = state.world.channels.get(channelId ?? '');
      return channel ? { status: 200, body: channel } : apiError(404, 10003, 'Unknown Channel');
    },
  },
  {
    // list_messages (discord-api-spec): around | before | after, limit 1–100 (default 50), newest first.
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}/messages$`),
    auth: true,
    handler: (state, [channelId], request) => {
      if (!state.world.channels.has(channelId ?? '')) return apiError(404, 10003, 'Unknown Channel');
      const raw = request.query.get('limit');
      const limit = raw === null ? 50 : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        return apiError(400, 50035, 'Invalid Form Body', {
          limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }] },
        });
      }
      const newestFirst = state.channelMessages(channelId ?? '');
      const before = request.query.get('before');
      const after = request.query.get('after');
      if (before !== null) return { status: 200, body: newestFirst.filter((m) => BigInt(m.id) < BigInt(before)).slice(0, limit) };
      if (after !== null) return { status: 200, body: newestFirst.filter((m) => BigInt(m.id) > BigInt(after)).slice(-limit) };
      return { status: 200, body: newestFirst.slice(0, limit) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    auth: true,
    handler: (state, [channelId, messageId]) => {
      const message = state.world.messages.get(messageId ?? '');
      return message && message.channel_id === channelId ? { status: 200, body: message } : apiError(404, 10008, 'Unknown Message');
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/channels/${ID}/messages$`),
    auth: true,
    handler: (state, [channelId], request) => {
      const channel = state.world.channels.get(channelId ?? '');
      if (!channel) return apiError(404, 10003, 'Unknown Channel');
      const body = request.body as MessageBody;
      const invalid = validateContent(body);
      if (invalid) return invalid;
      const message = state.createMessage({
        channelId: channel.id,
        author: state.world.bot,
        content: body.content ?? '',
        components: body.components ?? [],
        flags: body.flags ?? 0,
        replyTo: body.message_reference?.message_id,
      });
      return { status: 200, body: message };
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    auth: true,
    handler: (state, [channelId, messageId], request) => {
      const message = state.world.messages.get(messageId ?? '');
      if (!message || message.channel_id !== channelId) return apiError(404, 10008, 'Unknown Message');
      if (message.author.id !== state.world.bot.id) return apiError(403, 50005, 'Cannot edit a message authored by another user');
      const body = request.body as MessageBody;
      const invalid = validateContent(body, message);
      if (invalid) return invalid;
      state.editMessage(message, body);
      return { status: 200, body: message };
    },
  },
  {
    // Bots may delete their own messages; others' need Manage Messages, which the fake's bot lacks.
    method: 'DELETE',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    auth: true,
    handler: (state, [channelId, messageId]) => {
      const message = state.world.messages.get(messageId ?? '');
      if (!message || message.channel_id !== channelId) return apiError(404, 10008, 'Unknown Message');
      if (message.author.id !== state.world.bot.id) return apiError(403, 50013, 'Missing Permissions');
      state.deleteMessage(message);
      return { status: 204 };
    },
  },
  {
    // create_dm (discord-api-spec): the DM channel with a user, opened if need be.
    method: 'POST',
    pattern: /^\/users\/@me\/channels$/,
    auth: true,
    handler: (state, _params, request) => {
      const recipientId = (request.body as { recipient_id?: string }).recipient_id;
      const recipient = [state.world.alice, state.world.bob, state.world.mod, state.world.moderator].find((u) => u.id === recipientId);
      if (!recipient) return apiError(400, 50035, 'Invalid Form Body', { recipient_id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Unknown user' }] } });
      return { status: 200, body: state.dmChannel(recipient) };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}/threads$`),
    auth: true,
    handler: (state, [channelId, messageId], request) => {
      const channel = state.world.channels.get(channelId ?? '');
      const message = state.world.messages.get(messageId ?? '');
      if (!channel) return apiError(404, 10003, 'Unknown Channel');
      if (!message || message.channel_id !== channelId) return apiError(404, 10008, 'Unknown Message');
      // Threads start from messages in text and announcement channels only, never inside a thread or a DM.
      if (channel.type !== 0 && channel.type !== 5) return apiError(400, 50024, 'Cannot execute action on this channel type');
      const body = request.body as { name?: string; auto_archive_duration?: number };
      if (!body.name || body.name.length > 100) {
        return apiError(400, 50035, 'Invalid Form Body', {
          name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] },
        });
      }
      if (state.world.channels.has(message.id)) return apiError(400, 160004, 'A thread has already been created for this message');
      return { status: 201, body: state.createThread(channel.id, message.id, body.name, body.auto_archive_duration ?? 1440) };
    },
  },
  { method: 'POST', pattern: new RegExp(`^/channels/${ID}/typing$`), auth: true, handler: () => ({ status: 204 }) },
  {
    method: 'PUT',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}/reactions/([^/]+)/@me$`),
    auth: true,
    handler: (state, [channelId, messageId, emoji]) => {
      const message = state.world.messages.get(messageId ?? '');
      if (!message || message.channel_id !== channelId) return apiError(404, 10008, 'Unknown Message');
      state.reactions.push({ messageId: message.id, emoji: emoji ?? '' });
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/interactions/${ID}/${TOKEN}/callback$`),
    auth: false,
    handler: (state, [interactionId, token], request) => state.interactionCallback(interactionId ?? '', token ?? '', request),
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/webhooks/${ID}/${TOKEN}/messages/(@original|\\d{17,20})$`),
    auth: false,
    handler: (state, [, token, messageId], request) => {
      const message = state.webhookMessage(token ?? '', messageId ?? '');
      if (!message) return apiError(404, 10008, 'Unknown Message');
      const body = request.body as MessageBody;
      const invalid = validateContent(body, message);
      if (invalid) return invalid;
      state.editMessage(message, body);
      return { status: 200, body: message };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/webhooks/${ID}/${TOKEN}/messages/(@original|\\d{17,20})$`),
    auth: false,
    handler: (state, [, token, messageId]) => {
      const message = state.webhookMessage(token ?? '', messageId ?? '');
      return message ? { status: 200, body: message } : apiError(404, 10008, 'Unknown Message');
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/webhooks/${ID}/${TOKEN}$`),
    auth: false,
    handler: (state, [, token], request) => {
      const body = request.body as MessageBody;
      const invalid = validateContent(body);
      if (invalid) return invalid;
      const message = state.followUp(token ?? '', body);
      return message ? { status: 200, body: message } : apiError(404, 10015, 'Unknown Webhook');
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/applications/${ID}/commands$`),
    auth: true,
    handler: (state, [applicationId], request) =>
      applicationId === state.world.applicationId
        ? { status: 200, body: state.commandsFor(undefined, request.query.get('with_localizations') === 'true') }
        : apiError(404, 10002, 'Unknown Application'),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/applications/${ID}/guilds/${ID}/commands$`),
    auth: true,
    handler: (state, [applicationId, guildId], request) =>
      applicationId === state.world.applicationId
        ? { status: 200, body: state.commandsFor(guildId, request.query.get('with_localizations') === 'true') }
        : apiError(404, 10002, 'Unknown Application'),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/applications/${ID}/commands$`),
    auth: true,
    handler: (state, _params, request) => ({ status: 200, body: state.putCommands(undefined, request.body) }),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/applications/${ID}/guilds/${ID}/commands$`),
    auth: true,
    handler: (state, [, guildId], request) => ({ status: 200, body: state.putCommands(guildId, request.body) }),
  },
  {
    method: 'POST',
    pattern: /^\/attachments\/refresh-urls$/,
    auth: true,
    handler: (state, _params, request) => {
      const urls = (request.body as { attachment_urls?: string[] }).attachment_urls ?? [];
      return {
        status: 200,
        body: {
          refreshed_urls: urls.map((original) => {
            const match = /attachments\/(\d+)\/(\d+)\/([^?]+)/.exec(original);
            const refreshed = match
              ? cdnUrl(match[1] ?? '', match[2] ?? '', decodeURIComponent(match[3] ?? ''), state.now() + 86_400_000)
              : original;
            return { original, refreshed };
          }),
        },
      };
    },
  },
];

/** Finds the route for a request: the handler and its path parameters, or why there is none. */
export function matchRoute(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of [...routes, ...applicationRoutes]) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1) };
  }
  return undefined;
}
