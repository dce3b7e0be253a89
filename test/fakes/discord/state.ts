/**
 * What the fake Discord remembers and how it changes: messages, threads,
 * interactions and their responses, registered commands, reactions. REST
 * handlers and test helpers both go through it, and it announces changes over
 * the Gateway as Discord does (MESSAGE_CREATE for the bot's own messages too,
 * THREAD_CREATE when a thread is started).
 */
import { GatewayIntentBits, InteractionResponseType, MessageFlags } from 'discord-api-types/v10';
import type { FakeGateway } from './gateway.ts';
import type { RestRequest, RestResponse } from './rest.ts';
import { memberPayload, type FakeChannel, type FakeMessage, type FakeSnapshot, type FakeUser, type SnowflakeSource, type World } from './world.ts';

/** The part of a message a forward copies. */
function snapshotOf(m: FakeMessage): FakeSnapshot {
  const { type, content, mentions, mention_roles, attachments, embeds, timestamp, edited_timestamp, flags, components } = m;
  return { type, content, mentions, mention_roles, attachments, embeds, timestamp, edited_timestamp, flags, components };
}

export interface FakeInteraction {
  readonly id: string;
  readonly token: string;
  readonly type: number;
  readonly channelId: string;
  readonly guildId: string | undefined;
  readonly user: FakeUser;
  /** Every callback the bot sent for it (type + data), in order. */
  readonly callbacks: { type: number; data: Record<string, unknown> | undefined }[];
  /** The message `@original` refers to, once there is one. */
  originalMessageId: string | undefined;
}

export interface RegisteredCommands {
  readonly guildId: string | undefined;
  readonly commands: unknown[];
}

export class FakeDiscordState {
  readonly world: World;
  readonly ids: SnowflakeSource;
  readonly gateway: FakeGateway;
  readonly now: () => number;
  gatewayUrl = '';
  readonly interactions = new Map<string, FakeInteraction>();
  readonly reactions: { messageId: string; emoji: string }[] = [];
  readonly registeredCommands: RegisteredCommands[] = [];
  /** Ids of messages in the order they were created. */
  readonly messageOrder: string[] = [];
  /** Messages deleted, as they were. */
  readonly deleted: FakeMessage[] = [];

  constructor(opts: { world: World; ids: SnowflakeSource; gateway: FakeGateway; now: () => number }) {
    this.world = opts.world;
    this.ids = opts.ids;
    this.gateway = opts.gateway;
    this.now = opts.now;
  }

  createMessage(opts: {
    channelId: string;
    author: FakeUser;
    content: string;
    components?: unknown[];
    flags?: number;
    replyTo?: string | undefined;
    attachments?: FakeMessage['attachments'];
    interaction?: FakeInteraction;
    embeds?: unknown[];
    /** Forwards this message: a reference of type 1 and a snapshot of it, no content of its own. */
    forwardOf?: FakeMessage;
    /** A system message type (e.g. 21, a thread's pointer to the message it was started from). */
    type?: number;
    /** The id, when it must equal another's (a forum post's first message has its thread's id). */
    id?: string;
  }): FakeMessage {
    const channel = this.world.channels.get(opts.channelId);
    const guildId = channel?.guild_id;
    const referenced = opts.replyTo ? this.world.messages.get(opts.replyTo) : undefined;
    const mentionIds = mentionedIds(opts.content);
    // A reply mentions the replied-to author (the default "ping on reply").
    if (referenced && opts.author.id !== this.world.bot.id) mentionIds.add(referenced.author.id);
    const everyone = this.#people();
    const message: FakeMessage = {
      id: opts.id ?? this.ids.next(),
      channel_id: opts.channelId,
      ...(guildId ? { guild_id: guildId } : {}),
      author: opts.author,
      ...(guildId ? { member: (({ user: _user, ...member }) => member)(memberPayload(this.world, opts.author)) } : {}),
      content: opts.content,
      timestamp: new Date(this.now()).toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: everyone.filter((u) => mentionIds.has(u.id)),
      mention_roles: [],
      attachments: opts.attachments ?? [],
      embeds: opts.embeds ?? [],
      components: opts.components ?? [],
      pinned: false,
      type: opts.type ?? (referenced ? 19 : 0),
      flags: opts.flags ?? 0,
      ...(referenced
        ? {
            message_reference: { type: 0 as const, message_id: referenced.id, channel_id: referenced.channel_id, ...(referenced.guild_id ? { guild_id: referenced.guild_id } : {}) },
            referenced_message: referenced,
          }
        : {}),
      ...(opts.forwardOf
        ? {
            message_reference: {
              type: 1 as const,
              message_id: opts.forwardOf.id,
              channel_id: opts.forwardOf.channel_id,
              ...(opts.forwardOf.guild_id ? { guild_id: opts.forwardOf.guild_id } : {}),
            },
            message_snapshots: [{ message: snapshotOf(opts.forwardOf) }],
          }
        : {}),
      ...(opts.interaction
        ? {
            webhook_id: this.world.applicationId,
            application_id: this.world.applicationId,
            type: 20,
            interaction_metadata: {
              id: opts.interaction.id,
              type: opts.interaction.type,
              user: opts.interaction.user,
              authorizing_integration_owners: {},
            },
          }
        : {}),
    };
    this.world.messages.set(message.id, message);
    this.messageOrder.push(message.id);
    if (channel) channel.last_message_id = message.id;
    this.dispatchMessageCreate(message);
    return message;
  }

  dispatchMessageCreate(stored: FakeMessage): void {
    const guildId = stored.guild_id;
    const mentionsBot = stored.mentions.some((u) => u.id === this.world.bot.id);
    // Gateway extra field `channel_type`: discord.js needs it to build a DM channel it has never seen.
    const channelType = this.world.channels.get(stored.channel_id)?.type;
    const message = channelType === undefined ? stored : { ...stored, channel_type: channelType };
    this.gateway.dispatch('MESSAGE_CREATE', message, {
      guildId,
      intents: guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages,
      forClient: (identity) => {
        // Without the Message Content intent Discord blanks content, attachments, embeds and
        // components, except in DMs, for messages that mention the bot, and for the bot's own.
        const privileged = (identity.intents & GatewayIntentBits.MessageContent) !== 0;
        if (privileged || !guildId || mentionsBot || message.author.id === this.world.bot.id) return message;
        return { ...message, content: '', attachments: [], embeds: [], components: [] };
      },
    });
  }

  /**
   * A person edits their message (`content` given), or Discord adds a link preview to it
   * (`embeds` only: `edited_timestamp` stays, as for an unfurl). Either way every client gets
   * MESSAGE_UPDATE with the whole message, as Discord sends it now (discord-api-types
   * `GatewayMessageUpdateDispatchData`: the message object plus guild_id, member, mentions).
   */
  updateMessage(message: FakeMessage, change: { content?: string; embeds?: unknown[] }): void {
    if (change.content !== undefined) {
      message.content = change.content;
      const mentionIds = mentionedIds(change.content);
      const replied = message.referenced_message?.author.id;
      if (replied && message.author.id !== this.world.bot.id) mentionIds.add(replied);
      message.mentions = this.#people().filter((u) => mentionIds.has(u.id));
      message.edited_timestamp = new Date(this.now()).toISOString();
    }
    if (change.embeds !== undefined) message.embeds = change.embeds;
    this.dispatchMessageUpdate(message);
  }

  dispatchMessageUpdate(stored: FakeMessage): void {
    const guildId = stored.guild_id;
    const mentionsBot = stored.mentions.some((u) => u.id === this.world.bot.id);
    this.gateway.dispatch('MESSAGE_UPDATE', stored, {
      guildId,
      intents: guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages,
      forClient: (identity) => {
        const privileged = (identity.intents & GatewayIntentBits.MessageContent) !== 0;
        if (privileged || !guildId || mentionsBot || stored.author.id === this.world.bot.id) return stored;
        return { ...stored, content: '', attachments: [], embeds: [], components: [] };
      },
    });
  }

  /** Deletes a message (DELETE …/messages/{id}): gone for everyone, announced as MESSAGE_DELETE. */
  deleteMessage(message: FakeMessage): void {
    this.world.messages.delete(message.id);
    this.deleted.push(message);
    this.gateway.dispatch(
      'MESSAGE_DELETE',
      { id: message.id, channel_id: message.channel_id, ...(message.guild_id ? { guild_id: message.guild_id } : {}) },
      { guildId: message.guild_id, intents: message.guild_id ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages },
    );
  }

  /** The DM channel between `recipient` and the bot, opened if need be; Discord does not announce it. */
  dmChannel(recipient: FakeUser): FakeChannel {
    const existing = [...this.world.channels.values()].find((c) => c.type === 1 && c.recipients?.[0]?.id === recipient.id);
    if (existing) return existing;
    const channel: FakeChannel = { id: this.ids.next(), type: 1, recipients: [recipient], last_message_id: null, flags: 0 };
    this.world.channels.set(channel.id, channel);
    return channel;
  }

  #people(): FakeUser[] {
    return [this.world.bot, this.world.alice, this.world.bob, this.world.mod, this.world.moderator, this.world.otherBot];
  }

  /** A channel's messages as `GET /channels/{id}/messages` lists them: newest first. */
  channelMessages(channelId: string): FakeMessage[] {
    return this.messageOrder
      .map((id) => this.world.messages.get(id))
      .filter((m): m is FakeMessage => m?.channel_id === channelId)
      .reverse();
  }

  editMessage(message: FakeMessage, body: { content?: string; components?: unknown[]; flags?: number; embeds?: unknown[] }): void {
    if (body.content !== undefined) message.content = body.content;
    if (body.components !== undefined) message.components = body.components;
    if (body.embeds !== undefined) message.embeds = body.embeds;
    // A deferred response stops "thinking" once it gets content.
    message.flags &= ~MessageFlags.Loading;
    message.edited_timestamp = new Date(this.now()).toISOString();
  }

  /** A thread in `parentId` with id `threadId` (the message it starts from, or a new id), owned by the bot unless `owner` says. */
  createThread(parentId: string, threadId: string, name: string, autoArchiveDuration: number, owner: FakeUser = this.world.bot): FakeChannel {
    const parent = this.world.channels.get(parentId);
    const thread: FakeChannel = {
      id: threadId,
      type: 11,
      ...(parent?.guild_id ? { guild_id: parent.guild_id } : {}),
      name,
      parent_id: parentId,
      owner_id: owner.id,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
      member_count: 1,
      message_count: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: autoArchiveDuration,
        archive_timestamp: new Date(this.now()).toISOString(),
        locked: false,
        create_timestamp: new Date(this.now()).toISOString(),
      },
    };
    this.world.channels.set(thread.id, thread);
    this.gateway.dispatch(
      'THREAD_CREATE',
      { ...thread, newly_created: true },
      { guildId: thread.guild_id, intents: GatewayIntentBits.Guilds },
    );
    return thread;
  }

  interactionCallback(interactionId: string, token: string, request: RestRequest): RestResponse {
    const interaction = this.interactions.get(interactionId);
    if (!interaction || interaction.token !== token) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    const body = request.body as { type: number; data?: Record<string, unknown> };
    if (interaction.callbacks.length > 0) {
      return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    }
    interaction.callbacks.push({ type: body.type, data: body.data });
    const data = body.data ?? {};
    let message: FakeMessage | undefined;
    switch (body.type) {
      case InteractionResponseType.ChannelMessageWithSource:
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const deferred = body.type === InteractionResponseType.DeferredChannelMessageWithSource;
        message = this.createMessage({
          channelId: interaction.channelId,
          author: this.world.bot,
          content: deferred ? '' : String(data.content ?? ''),
          components: (data.components as unknown[] | undefined) ?? [],
          flags: (Number(data.flags ?? 0) & MessageFlags.Ephemeral) | (deferred ? MessageFlags.Loading : 0),
          interaction,
        });
        interaction.originalMessageId = message.id;
        break;
      }
      case InteractionResponseType.UpdateMessage: {
        message = interaction.originalMessageId ? this.world.messages.get(interaction.originalMessageId) : undefined;
        if (message) this.editMessage(message, data as { content?: string; components?: unknown[] });
        break;
      }
      default:
        break; // deferred update (6), autocomplete result (8), modal (9): nothing to show
    }
    if (request.query.get('with_response') !== 'true') return { status: 204 };
    return {
      status: 200,
      body: {
        interaction: { id: interaction.id, type: interaction.type, response_message_id: message?.id, response_message_loading: false, response_message_ephemeral: false },
        ...(message ? { resource: { type: body.type, message } } : {}),
      },
    };
  }

  webhookMessage(token: string, messageId: string): FakeMessage | undefined {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (!interaction) return undefined;
    const id = messageId === '@original' ? interaction.originalMessageId : messageId;
    return id ? this.world.messages.get(id) : undefined;
  }

  followUp(token: string, body: { content?: string; components?: unknown[]; flags?: number }): FakeMessage | undefined {
    const interaction = [...this.interactions.values()].find((i) => i.token === token);
    if (!interaction) return undefined;
    return this.createMessage({
      channelId: interaction.channelId,
      author: this.world.bot,
      content: body.content ?? '',
      components: body.components ?? [],
      flags: body.flags ?? 0,
      interaction,
    });
  }

  /**
   * A bulk overwrite (PUT …/commands): the scope's commands become exactly these. Stored as
   * Discord returns them, with the fields a bot does not send (ids, `version`, `dm_permission`,
   * `nsfw`, `integration_types`, nulls for unset permissions, contexts and localizations) and
   * without what Discord leaves out (`required`/`autocomplete` when false, empty `options`).
   */
  putCommands(guildId: string | undefined, body: unknown): unknown[] {
    const commands = (Array.isArray(body) ? body : []).map((command: Record<string, unknown>) => {
      const options = Array.isArray(command.options) ? command.options.map((o: Record<string, unknown>) => registeredOption(o)) : [];
      const permissions = command.default_member_permissions;
      return {
        id: this.ids.next(),
        application_id: this.world.applicationId,
        version: this.ids.next(),
        type: command.type ?? 1,
        name: command.name,
        name_localizations: command.name_localizations ?? null,
        description: command.description ?? '',
        description_localizations: command.description_localizations ?? null,
        ...(guildId ? { guild_id: guildId } : {}),
        default_member_permissions: permissions === undefined || permissions === null ? null : String(permissions),
        dm_permission: true,
        contexts: command.contexts ?? null,
        integration_types: command.integration_types ?? [0],
        nsfw: command.nsfw ?? false,
        ...(options.length > 0 ? { options } : {}),
      };
    });
    this.registeredCommands.push({ guildId, commands });
    return commands;
  }

  /** The scope's commands as GET …/commands returns them: without `with_localizations=true`, no localization dictionaries. */
  commandsFor(guildId: string | undefined, withLocalizations: boolean): unknown[] {
    const latest = this.registeredCommands.findLast((r) => r.guildId === guildId)?.commands ?? [];
    return withLocalizations ? latest : latest.map((command) => withoutLocalizations(command));
  }

}

/** The users a message's content mentions (`<@id>`, `<@!id>`). */
function mentionedIds(content: string): Set<string | undefined> {
  return new Set([...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]));
}

function registeredOption(option: Record<string, unknown>): Record<string, unknown> {
  const { required, autocomplete, options, ...rest } = option;
  return {
    ...rest,
    name_localizations: option.name_localizations ?? null,
    description_localizations: option.description_localizations ?? null,
    ...(required === true ? { required } : {}),
    ...(autocomplete === true ? { autocomplete } : {}),
    ...(Array.isArray(options) && options.length > 0 ? { options: options.map((o: Record<string, unknown>) => registeredOption(o)) } : {}),
  };
}

function withoutLocalizations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocalizations);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'name_localizations' && key !== 'description_localizations')
      .map(([key, field]) => [key, withoutLocalizations(field)]),
  );
}
